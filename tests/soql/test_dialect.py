"""The SOQL dialect: what it parses, how it prints, what it refuses."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlglot import exp

from service.soql import SoqlSyntaxError, field_path, make_column, parse_soql, to_soql
from service.soql.nodes import DateLiteral, Excludes, Fields, Includes, SoqlDate, SoqlDateTime, TypeOf

FIXTURES = Path(__file__).parent / "fixtures"


def _lines(name: str) -> list[str]:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    queries, pending = [], ""
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("  "):  # continuation of a multi-line query
            pending += "\n" + line
            continue
        if pending:
            queries.append(pending)
        pending = line
    return queries + ([pending] if pending else [])


IDENTITY = _lines("identity.soql")
REFUSE = [tuple(line.rsplit(" || ", 1)) for line in _lines("refuse.soql")]


def _where(query: str) -> exp.Expr:
    where: exp.Expr = parse_soql(query).args["where"].this
    return where


@pytest.mark.parametrize("query", IDENTITY)
def test_identity_round_trip(query: str) -> None:
    """Every identity query prints back to text that parses to the same tree and clauses."""
    tree = parse_soql(query)
    printed = to_soql(tree)
    again = parse_soql(printed)
    assert again == tree
    assert again.meta == tree.meta
    assert to_soql(again) == printed


@pytest.mark.parametrize(("query", "fragment"), REFUSE, ids=[q for q, _ in REFUSE])
def test_refused(query: str, fragment: str) -> None:
    """SOQL forbids it, so the parser refuses it with a message naming the problem."""
    with pytest.raises(SoqlSyntaxError) as info:
        parse_soql(query)
    assert fragment.lower() in info.value.message.lower()


def test_escapes_are_decoded() -> None:
    """Backslash escapes become the characters they stand for."""
    value = _where(r"SELECT Id FROM Contact WHERE Name = 'O\'B \\ \" \n \t \u00e9'").expression
    assert value.name == "O'B \\ \" \n \t \u00e9"


def test_like_pattern_keeps_its_escapes() -> None:
    """In a LIKE pattern, \\% \\_ and \\\\ stay escaped so wildcards stay distinguishable."""
    like = _where(r"SELECT Id FROM Account WHERE Name LIKE '50\% a\_b \\ %'")
    assert isinstance(like, exp.Like)
    assert like.expression.name == "50\\% a\\_b \\\\ %"


def test_field_paths() -> None:
    """Relationship paths come back as their parts, however long."""
    tree = parse_soql("SELECT Id, Account.Owner.Name, Account.Owner.Manager.Manager.Name FROM Contact")
    assert [field_path(e) for e in tree.expressions] == [
        ["Id"],
        ["Account", "Owner", "Name"],
        ["Account", "Owner", "Manager", "Manager", "Name"],
    ]
    assert all(make_column(field_path(e)) == e for e in tree.expressions)


def test_date_literals() -> None:
    """Dates, dateTimes and relative ranges become dedicated nodes with Python values."""
    where = _where(
        "SELECT Id FROM Lead WHERE CreatedDate = LAST_N_DAYS:30 AND CreatedDate = THIS_MONTH "
        "AND CloseDate = 2024-02-29 AND CreatedDate > 2024-01-15T08:30:00.5+0530"
    )
    ranges = list(where.find_all(DateLiteral))
    assert sorted((r.literal_name, r.n) for r in ranges) == [("LAST_N_DAYS", 30), ("THIS_MONTH", None)]
    assert next(where.find_all(SoqlDate)).value == date(2024, 2, 29)
    assert next(where.find_all(SoqlDateTime)).value.astimezone(UTC) == datetime(2024, 1, 15, 3, 0, 0, 500000, UTC)


def test_nulls_and_in() -> None:
    """= null / != null are comparisons with Null; NOT IN is Not(In); semi-joins carry a query."""
    where = _where(
        "SELECT Id FROM Contact WHERE Email = null AND Phone != null AND Title NOT IN ('a') "
        "AND AccountId IN (SELECT Id FROM Account)"
    )
    assert isinstance(next(where.find_all(exp.EQ)).expression, exp.Null)
    assert isinstance(next(where.find_all(exp.NEQ)).expression, exp.Null)
    negated = next(where.find_all(exp.Not))
    assert isinstance(negated.this, exp.In) and negated.this.expressions[0].name == "a"
    semi = [i for i in where.find_all(exp.In) if i.args.get("query")]
    assert semi and isinstance(semi[0].args["query"].this, exp.Select)


def test_soql_only_nodes() -> None:
    """INCLUDES, EXCLUDES, FIELDS and TYPEOF parse into their own nodes."""
    tree = parse_soql(
        "SELECT FIELDS(standard), TYPEOF What WHEN Account THEN Name END FROM Event "
        "WHERE Tags__c INCLUDES ('a;b') AND Tags__c EXCLUDES ('c')"
    )
    assert tree.expressions[0].kind == "STANDARD" and isinstance(tree.expressions[0], Fields)
    assert isinstance(tree.expressions[1], TypeOf)
    assert tree.find(Includes) is not None and tree.find(Excludes) is not None


def test_clauses_in_meta() -> None:
    """WITH, FOR and UPDATE clauses are kept in the tree's meta."""
    tree = parse_soql("SELECT Id FROM Case WHERE Status = 'New' WITH SECURITY_ENFORCED FOR UPDATE")
    assert tree.meta == {"with": "SECURITY_ENFORCED", "for": "UPDATE"}


def test_order_by_nulls() -> None:
    """NULLS FIRST is the default for ASC; explicit NULLS LAST is kept."""
    order = parse_soql("SELECT Id FROM Contact ORDER BY Name, Email DESC, Phone NULLS LAST").args["order"]
    assert [(o.args.get("desc"), o.args["nulls_first"]) for o in order.expressions] == [
        (None, True),
        (True, False),
        (None, False),
    ]


def test_error_column() -> None:
    """Errors carry the 1-based column of the offending text."""
    with pytest.raises(SoqlSyntaxError) as info:
        parse_soql("SELECT Id FROM Contact WHERE Email = :email")
    assert info.value.column == len("SELECT Id FROM Contact WHERE Email = ") + 1


def test_sqlglot_is_the_pure_python_build() -> None:
    """The dialect subclasses sqlglot's parser, which the compiled sqlglotc build does not allow."""
    import sqlglot.parser

    assert sqlglot.parser.__file__.endswith(".py"), "uninstall sqlglotc: the SOQL dialect needs pure sqlglot"


def test_error_column_of_a_tree_check() -> None:
    """Errors found in the parsed tree point at the offending name."""
    query = "SELECT Id FROM Contact WHERE Name = Email"
    with pytest.raises(SoqlSyntaxError) as info:
        parse_soql(query)
    assert query[info.value.column - 1 :] == "Email"
