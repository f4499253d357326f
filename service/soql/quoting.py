"""The one way to put a value into SOQL we build ourselves (lookups by email, name or Id).

Built on simple-salesforce's `format_soql` / `quote_soql_value` (the escapes Salesforce documents),
so no quoting is written by hand. `format_query` parses its result back with the SOQL dialect, so a
value that could change the query's shape is caught before it is sent; `fill_query` and `id_query`
skip that parse for the tools' hot path, where identifiers come from the schema (checked here as
names) and only quoted values or a checked record Id are filled in.

    format_query("SELECT Id, Name FROM Contact WHERE Email = {} LIMIT 5", email)
    format_query("SELECT Id, Name FROM Account WHERE Name LIKE '%{:like}%' LIMIT 5", name)
    id_query("Contact", ["Id", "Name"], record_id)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from simple_salesforce.format import format_soql, quote_soql_value

from service.soql.dialect import parse_soql

_IDENTIFIER_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.")
_RECORD_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")


def quote_value(value: Any) -> str:
    """A SOQL literal for a str, bool, None, int, float, date, datetime or a list of them."""
    return str(quote_soql_value(value))


def fill_query(template: str, *args: Any, **kwargs: Any) -> str:
    """Fill `{}` placeholders with quoted values (`{:like}` for LIKE text), without parsing."""
    return str(format_soql(template, *args, **kwargs))


def format_query(template: str, *args: Any, **kwargs: Any) -> str:
    """Fill `{}` placeholders with quoted values (`{:like}` for LIKE text); the result must parse."""
    query = fill_query(template, *args, **kwargs)
    parse_soql(query)
    return query


def _check_names(*names: str) -> None:
    for name in names:
        if not name or not set(name) <= _IDENTIFIER_CHARS or not name[0].isalpha():
            raise ValueError(f"not a field or object name: {name!r}")


def id_query(obj: str, fields: Sequence[str], record_id: str, *, limit: int = 1) -> str:
    """`SELECT fields FROM obj WHERE Id = 'record_id' LIMIT n`; `record_id` must be a 15/18-char Id."""
    _check_names(obj, *fields)
    if not _RECORD_ID.fullmatch(record_id):
        raise ValueError(f"not a record id: {record_id!r}")
    return f"SELECT {', '.join(fields)} FROM {obj} WHERE Id = {quote_value(record_id)} LIMIT {int(limit)}"


def lookup_query(
    obj: str, fields: Sequence[str], where_field: str, value: Any, *, limit: int = 10, like: bool = False
) -> str:
    """`SELECT fields FROM obj WHERE where_field = value LIMIT n` (or LIKE '%value%')."""
    _check_names(obj, where_field, *fields)
    columns = ", ".join(fields)
    condition = f"{where_field} LIKE '%{{:like}}%'" if like else f"{where_field} = {{}}"
    return format_query(f"SELECT {columns} FROM {obj} WHERE {condition} LIMIT {int(limit)}", value)
