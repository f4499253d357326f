"""Values quoted into queries we build cannot change the query's shape."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlglot import exp

from service.soql import parse_soql
from service.soql.quoting import format_query, id_query, lookup_query, quote_value

HOSTILE = [
    "jane@acme.com",
    "O'Brien",
    "' OR Name != '",
    "x' OR Id != null OR Name = 'y",
    "\\' OR Name != null --",
    "back\\slash\\",
    "\\",
    "'",
    "''",
    '"double" quotes',
    "line\nbreak\r\ttab\b\f",
    "100% _under_score_",
    "%",
    "_",
    "\\%\\_",
    "unicode café 日本 \U0001f600",
    ") LIMIT 1; DELETE FROM Contact",
    "/* comment */ -- dash",
    ":bind",
    "2024-01-15",
    "LAST_N_DAYS:30",
    "\\u0027",
]


def _shape(tree: exp.Expr) -> str:
    """The tree with every string value blanked: what a value must not be able to change."""
    copy = tree.copy()
    for literal in copy.find_all(exp.Literal):
        if literal.is_string:
            literal.set("this", "?")
    return repr(copy)


def _unescape_like(pattern: str) -> tuple[str, int]:
    """The literal text of a LIKE pattern and how many unescaped wildcards it has."""
    out, wildcards, i = [], 0, 0
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 1
        elif pattern[i] in "%_":
            wildcards += 1
        out.append(pattern[i])
        i += 1
    return "".join(out), wildcards


@pytest.mark.parametrize("value", HOSTILE)
def test_equality_value_keeps_shape(value: str) -> None:
    """`= {}` with a hostile value parses to the same shape and carries the exact value."""
    template = "SELECT Id, Name FROM Contact WHERE Email = {} LIMIT 5"
    tree = parse_soql(format_query(template, value))
    assert _shape(tree) == _shape(parse_soql(format_query(template, "plain")))
    assert tree.args["where"].this.expression.name == value


@pytest.mark.parametrize("value", HOSTILE)
def test_like_value_keeps_shape(value: str) -> None:
    """`LIKE '%{:like}%'` keeps the shape, and the value's own % and _ are literal, not wildcards."""
    query = lookup_query("Account", ["Id", "Name"], "Name", value, like=True)
    tree = parse_soql(query)
    assert _shape(tree) == _shape(parse_soql(lookup_query("Account", ["Id", "Name"], "Name", "x", like=True)))
    pattern = tree.args["where"].this.expression.name
    assert pattern.startswith("%") and pattern.endswith("%")
    assert _unescape_like(pattern[1:-1]) == (value, 0)


@pytest.mark.parametrize("value", HOSTILE)
def test_in_list_keeps_shape(value: str) -> None:
    """A list of hostile values becomes one IN list with exactly those values."""
    tree = parse_soql(format_query("SELECT Id, Name FROM Lead WHERE Status IN {} LIMIT 5", [value, "b"]))
    in_node = tree.args["where"].this
    assert isinstance(in_node, exp.In)
    assert [e.name for e in in_node.expressions] == [value, "b"]


def test_other_value_types() -> None:
    """Booleans, null, numbers, dates and datetimes quote to SOQL literals."""
    assert quote_value(True) == "true" and quote_value(None) == "null" and quote_value(42) == "42"
    assert quote_value(date(2024, 2, 29)) == "2024-02-29"
    stamp = quote_value(datetime(2024, 1, 15, 10, 30, tzinfo=UTC))
    tree = parse_soql(f"SELECT Id FROM Lead WHERE CreatedDate > {stamp}")
    assert tree.args["where"].this.expression.value == datetime(2024, 1, 15, 10, 30, tzinfo=UTC)


@pytest.mark.parametrize("name", ["Name; DELETE", "Name FROM", "", "1x", "Email = 'a'"])
def test_lookup_refuses_bad_names(name: str) -> None:
    """Object and field names are never quoted, so anything but a plain name is refused."""
    with pytest.raises(ValueError):
        lookup_query("Contact", ["Id", name], "Email", "a@b.c")


def test_id_query_quotes_a_checked_id():
    """id_query builds the by-Id lookup and parses back to one Id condition."""
    query = id_query("Contact", ["Id", "Name", "Account.Name"], "0035g00000AbCdEAAV")
    assert query == "SELECT Id, Name, Account.Name FROM Contact WHERE Id = '0035g00000AbCdEAAV' LIMIT 1"
    assert parse_soql(query) is not None


@pytest.mark.parametrize("bad", ["0035g00000AbCdE' OR Name != '", "short", ""])
def test_id_query_refuses_what_is_not_an_id(bad):
    """Anything but a 15/18-character id is refused before it reaches a query."""
    with pytest.raises(ValueError):
        id_query("Contact", ["Id"], bad)
