"""The query policy: the shared verdict corpus, the repair rules, and bounded handling of bad input."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from service.schema import builtin_schema
from service.soql import field_path, parse_soql, to_soql
from service.soql.policy import PolicyConfig, Verdict, check_query

CASES_PATH = Path(__file__).resolve().parents[2] / ".." / "shared" / "soql" / "cases.jsonl"


def _cases() -> list[Any]:
    if not CASES_PATH.exists():
        return [pytest.param(None, marks=pytest.mark.skip(reason="../shared/soql/cases.jsonl is absent"))]
    lines = CASES_PATH.read_text(encoding="utf-8").splitlines()
    return [pytest.param(json.loads(line), id=f"{i}") for i, line in enumerate(lines) if line.strip()]


def _selected(query: str) -> set[str]:
    """Every selected path, child subquery fields as `Relationship.Field`, lower-cased."""
    tree = parse_soql(query)
    out = set()
    for item in tree.expressions:
        if item.__class__.__name__ == "Subquery":
            child = item.this.args["from_"].this.name
            out |= {f"{child}.{'.'.join(field_path(c))}".lower() for c in item.this.expressions}
        else:
            out.add(".".join(field_path(item.unalias())).lower())
    return out


def _check(query: str, **config: Any) -> Verdict:
    return check_query(query, builtin_schema(), PolicyConfig(**config))


@pytest.mark.parametrize("case", _cases())
def test_corpus_verdict(case: dict[str, Any]) -> None:
    """Each corpus query gets its expected verdict; repairs select must_select and bound the LIMIT."""
    config = {"max_limit": case["max_limit"]} if "max_limit" in case else {}
    verdict = _check(case["soql"], **config)
    assert verdict.verdict == case["verdict"], verdict
    if verdict.verdict == "reject":
        assert verdict.message and verdict.query is None
        return
    assert verdict.query is not None and verdict.tree is not None
    if verdict.verdict == "repair":
        assert verdict.changes
        assert {f.lower() for f in case.get("must_select", [])} <= _selected(verdict.query)
        limit = parse_soql(verdict.query).args["limit"]
        assert int(limit.expression.name) <= case.get("max_limit", 50)
        assert _check(verdict.query, **config).verdict == "accept"
    else:
        assert verdict.changes == [] and verdict.query == case["soql"].strip()


@pytest.mark.parametrize("case", _cases())
def test_corpus_round_trip(case: dict[str, Any]) -> None:
    """Every query that would run, printed by the dialect, parses to the same tree."""
    verdict = _check(case["soql"])
    if verdict.verdict == "reject":
        assert verdict.tree is None
        return
    assert verdict.tree is not None
    assert parse_soql(to_soql(verdict.tree)) == verdict.tree
    assert parse_soql(verdict.query or "") == verdict.tree


def test_strict_turns_repair_into_reject() -> None:
    """Strict mode rejects with a speakable message naming the fix and the repaired query."""
    verdict = _check("SELECT Id, Email FROM Contact WHERE Email = 'jane@acme.com'", strict=True)
    fixed = "SELECT Id, Name, Email FROM Contact WHERE Email = 'jane@acme.com' LIMIT 10"
    assert verdict.verdict == "reject"
    assert verdict.suggested_query == fixed
    assert verdict.message is not None
    assert verdict.message.startswith("Contact queries must include Name.")
    assert verdict.message.endswith(f"Try: {fixed}")


def test_strict_accepts_what_needs_no_repair() -> None:
    """Strict mode still accepts a query that runs as written."""
    assert _check("SELECT Id, Name FROM Lead LIMIT 3", strict=True).verdict == "accept"


def test_every_hop_is_named() -> None:
    """A path through two relationships asks for the name at each hop."""
    verdict = _check("SELECT Id, Name, Account.Owner.Email FROM Contact LIMIT 5")
    assert verdict.verdict == "repair"
    assert {"account.name", "account.owner.name"} <= _selected(verdict.query or "")


def test_limits_are_configurable() -> None:
    """The default and maximum LIMIT come from the config."""
    assert "LIMIT 3" in (_check("SELECT Id, Name FROM Lead", default_limit=3).query or "")
    assert _check("SELECT Id, Name FROM Lead LIMIT 20", max_limit=10).changes == ["LIMIT 20 lowered to 10"]


def test_allow_list_is_configurable() -> None:
    """Objects outside the allow-list are refused with the list named; the list can change."""
    refused = _check("SELECT Id, Name FROM Lead LIMIT 5", allowed_objects=("Contact",))
    assert refused.verdict == "reject" and "Contact" in (refused.message or "")
    assert _check("SELECT Id, Name FROM User LIMIT 5", allowed_objects=("User",)).verdict == "accept"


def test_semi_join_object_must_be_allowed() -> None:
    """The inner query of a semi-join must query an allowed object."""
    verdict = _check("SELECT Id, Name FROM Contact WHERE OwnerId IN (SELECT Id FROM User) LIMIT 5")
    assert verdict.verdict == "reject" and "User" in (verdict.message or "")


def test_unknown_relationship_is_refused() -> None:
    """A relationship the object does not have is refused, suggesting the query without it."""
    verdict = _check("SELECT Id, Name, Boss.Name FROM Contact LIMIT 5")
    assert verdict.verdict == "reject"
    assert verdict.suggested_query == "SELECT Id, Name FROM Contact LIMIT 5"


def test_where_fields_must_exist() -> None:
    """Fields in WHERE are checked too."""
    verdict = _check("SELECT Id, Name FROM Contact WHERE Nickname = 'J' LIMIT 5")
    assert verdict.verdict == "reject" and "Nickname" in (verdict.message or "")


def test_aggregate_queries_need_no_name() -> None:
    """Grouped and aggregate queries are not asked for the name field."""
    verdict = _check("SELECT LeadSource, COUNT(Id) FROM Lead GROUP BY LeadSource")
    assert verdict.changes == ["added LIMIT 10"]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT Id, Name FROM Contact WHERE Email = 'a@b.c' FOR VIEW",
        "SELECT Id, Name FROM Contact FOR REFERENCE",
        "SELECT Id, Name FROM Contact UPDATE TRACKING",
        "SELECT Id, Name FROM Contact UPDATE VIEWSTAT",
        "SELECT FIELDS(CUSTOM) FROM Contact LIMIT 10",
    ],
)
def test_refused_clauses_suggest_the_query_without_them(query: str) -> None:
    """Locking, tracking and unbounded field lists are refused with a runnable suggestion."""
    verdict = _check(query)
    assert verdict.verdict == "reject"
    assert verdict.suggested_query and _check(verdict.suggested_query).verdict == "accept"


def _junk() -> str:
    rng = random.Random(7)
    return bytes(rng.randrange(256) for _ in range(4096)).decode("latin-1")


BAD_INPUT = {
    "empty": "",
    "blank": "   \n\t ",
    "100 KB": "SELECT Id FROM Contact WHERE Name = 'x' OR " * 2500,
    "100 KB of one token": "A" * 102_400,
    "binary junk": _junk(),
    "nul bytes": "SELECT Id\x00 FROM Contact",
    "unbalanced open": "SELECT Id FROM Contact WHERE ((Name = 'a'",
    "unbalanced close": "SELECT Id FROM Contact WHERE Name = 'a'))",
    "50 deep subqueries": "SELECT Id FROM Contact WHERE Id IN "
    + "(SELECT Id FROM Contact WHERE Id IN " * 50
    + "('x')"
    + ")" * 50,
    "50 deep parens": "SELECT Id FROM Contact WHERE " + "(" * 50 + "Name = 'a'" + ")" * 50,
    "lone quote": "'",
    "20 K of whitespace": " " * 19_999 + "x",
    "20 K of unclosed comments": "/*(" * 6_666,
    "20 K of dotted words": "a." * 9_999,
    "20 K of comma joins": "SELECT Id FROM Contact WHERE Name = " + "a,a " * 4_980,
    "surrogates": "SELECT Id FROM Contact WHERE Name = '\ud800'",
}


@pytest.mark.parametrize("text", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_is_rejected_with_a_message(text: str) -> None:
    """Bad input never raises or hangs: it gets a reject with a message."""
    verdict = check_query(text)
    assert verdict.verdict == "reject"
    assert verdict.message
    assert verdict.query is None


def test_non_text_is_rejected() -> None:
    """Something that is not a string at all is still answered."""
    verdict = check_query(b"SELECT Id FROM Contact")  # type: ignore[arg-type]
    assert verdict.verdict == "reject" and verdict.message


def test_long_condition_chain_is_checked() -> None:
    """A near-limit chain of a thousand ORs is checked, not refused for its depth."""
    query = "SELECT Id, Name FROM Contact WHERE " + " OR ".join(f"Name = 'x{i}'" for i in range(1000))
    verdict = _check(query + " LIMIT 5")
    assert verdict.verdict == "accept"


def test_duplicate_fields_are_removed() -> None:
    """A field selected twice (in any case) is kept once, as Salesforce requires."""
    verdict = _check("SELECT Id, Name, name, Email, ID FROM Contact LIMIT 5")
    assert verdict.query == "SELECT Id, Name, Email FROM Contact LIMIT 5"
    assert verdict.changes == ["removed duplicate name", "removed duplicate ID"]


def test_functions_that_are_not_aggregates_still_need_names() -> None:
    """toLabel() is not an aggregate, so the name and LIMIT rules still apply."""
    verdict = _check("SELECT Id, toLabel(Status) FROM Lead")
    assert verdict.changes == ["added Name", "added LIMIT 10"]


@pytest.mark.parametrize(
    ("query", "suggestion"),
    [
        ("SELECT * FROM Contact", "SELECT Id, Name FROM Contact LIMIT 10"),
        ("SELECT Id, Name FROM Contact LIMIT 5;", "SELECT Id, Name FROM Contact LIMIT 5"),
        (
            "SELECT Id, Name FROM Contact WHERE LastName = 'O''Brien' LIMIT 5",
            "SELECT Id, Name FROM Contact WHERE LastName = 'O\\'Brien' LIMIT 5",
        ),
        (
            'SELECT Id, Name FROM Account WHERE Name = "Acme" LIMIT 5',
            "SELECT Id, Name FROM Account WHERE Name = 'Acme' LIMIT 5",
        ),
        (
            "SELECT Id, Name FROM Lead WHERE Email IS NULL AND Phone IS NOT NULL LIMIT 5",
            "SELECT Id, Name FROM Lead WHERE Email = null AND Phone != null LIMIT 5",
        ),
        (
            "SELECT Id, Name FROM Account WHERE Name NOT LIKE 'Acme%' LIMIT 5",
            "SELECT Id, Name FROM Account WHERE NOT Name LIKE 'Acme%' LIMIT 5",
        ),
        (
            "SELECT StageName, MAX(Amount) AS biggest FROM Opportunity GROUP BY StageName",
            "SELECT StageName, MAX(Amount) biggest FROM Opportunity GROUP BY StageName LIMIT 10",
        ),
        (
            "SELECT Id, Name FROM Lead WHERE Status = Working AND Email != null LIMIT 5",
            "SELECT Id, Name FROM Lead WHERE Status = 'Working' AND Email != null LIMIT 5",
        ),
        (
            "SELECT Id, Name FROM Contact -- newest first\nORDER BY CreatedDate DESC LIMIT 5",
            "SELECT Id, Name FROM Contact ORDER BY CreatedDate DESC LIMIT 5",
        ),
    ],
)
def test_sql_habits_get_a_suggestion(query: str, suggestion: str) -> None:
    """Invalid SOQL written with SQL habits is rejected with the SOQL it meant as the suggestion."""
    verdict = _check(query)
    assert verdict.verdict == "reject"
    assert verdict.suggested_query == suggestion


def test_name_rules_can_be_turned_off() -> None:
    """With require_names off, only the LIMIT rule repairs."""
    verdict = _check("SELECT Id, Email, OwnerId FROM Contact", require_names=False)
    assert verdict.changes == ["added LIMIT 10"]


def test_child_subquery_limit_is_lowered() -> None:
    """A child subquery's LIMIT above the maximum is lowered too (none is added)."""
    verdict = _check("SELECT Id, Name, (SELECT Id, Name FROM Contacts LIMIT 500) FROM Account LIMIT 5")
    assert verdict.query == "SELECT Id, Name, (SELECT Id, Name FROM Contacts LIMIT 50) FROM Account LIMIT 5"
    assert verdict.changes == ["Contacts LIMIT 500 lowered to 50"]
