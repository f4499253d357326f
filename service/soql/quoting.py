"""Values in queries we build ourselves (search by email, name lookups), quoted so they stay values.

Built on simple-salesforce's `format_soql` / `quote_soql_value` (the escapes Salesforce documents);
every query built here is parsed back with the SOQL dialect, so a value that could change the
query's shape is caught before it is sent.

    format_query("SELECT Id, Name FROM Contact WHERE Email = {} LIMIT 5", email)
    format_query("SELECT Id, Name FROM Account WHERE Name LIKE '%{:like}%' LIMIT 5", name)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from simple_salesforce.format import format_soql, quote_soql_value

from service.soql.dialect import parse_soql

_IDENTIFIER_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.")


def quote_value(value: Any) -> str:
    """A SOQL literal for a str, bool, None, int, float, date, datetime or a list of them."""
    return str(quote_soql_value(value))


def format_query(template: str, *args: Any, **kwargs: Any) -> str:
    """Fill `{}` placeholders with quoted values (`{:like}` for LIKE text); the result must parse."""
    query = str(format_soql(template, *args, **kwargs))
    parse_soql(query)
    return query


def lookup_query(
    obj: str, fields: Sequence[str], where_field: str, value: Any, *, limit: int = 10, like: bool = False
) -> str:
    """`SELECT fields FROM obj WHERE where_field = value LIMIT n` (or LIKE '%value%')."""
    for name in (obj, where_field, *fields):
        if not name or not set(name) <= _IDENTIFIER_CHARS or not name[0].isalpha():
            raise ValueError(f"not a field or object name: {name!r}")
    columns = ", ".join(fields)
    condition = f"{where_field} LIKE '%{{:like}}%'" if like else f"{where_field} = {{}}"
    return format_query(f"SELECT {columns} FROM {obj} WHERE {condition} LIMIT {int(limit)}", value)
