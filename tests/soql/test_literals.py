"""Typed WHERE values: the literal corpus, the day boundaries and the limits the refusals name."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from service.schema import builtin_schema
from service.soql import parse_soql
from service.soql.literals import n_limit
from service.soql.policy import PolicyConfig, check_query

CORPUS = Path(__file__).parent / "fixtures" / "literals.soql"


def _cases() -> list[Any]:
    lines = [line for line in CORPUS.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    today = datetime.now(UTC).date()
    limits = {name: n_limit(name, today) for name in ("LAST_N_DAYS", "NEXT_N_YEARS", "N_MONTHS_AGO")}
    cases = []
    for number, line in enumerate(lines):
        query, verdict, expected = (part.strip() for part in line.split("||"))
        strict = query.startswith("strict:")
        cases.append(
            pytest.param(query.removeprefix("strict:"), strict, verdict, expected.format(**limits), id=str(number))
        )
    return cases


@pytest.mark.parametrize(("query", "strict", "verdict", "expected"), _cases())
def test_literal_corpus(query: str, strict: bool, verdict: str, expected: str) -> None:
    """Each line gets its verdict and exactly the repaired (or suggested) query, which then passes."""
    result = check_query(query, builtin_schema(), PolicyConfig(strict=strict))
    assert result.verdict == verdict, result
    if verdict == "reject":
        assert result.message
        assert result.suggested_query == (None if expected == "-" else expected)
    else:
        assert result.query == expected
    if expected != "-":
        parse_soql(expected)
        assert check_query(expected, builtin_schema()).verdict == "accept"


def test_repairs_are_listed_as_changes() -> None:
    """A repaired literal is named in `changes`, with how a day was read against a dateTime."""
    result = check_query("SELECT Id, Name FROM Lead WHERE CreatedDate > '2024-01-01' LIMIT 5", builtin_schema())
    assert result.changes == [
        "unquoted CreatedDate value 2024-01-01",
        "CreatedDate > 2024-01-01 read as CreatedDate >= 2024-01-02T00:00:00Z",
    ]


def test_mixed_and_or_says_how_it_was_read() -> None:
    """The refusal spells out SQL's reading of the condition in parentheses."""
    result = check_query("SELECT Id, Name FROM Lead WHERE Status = 'Open' OR Status = 'New' AND Company = 'Acme'")
    assert result.verdict == "reject"
    assert "reads as Status = 'Open' OR (Status = 'New' AND Company = 'Acme')" in (result.message or "")


def test_out_of_range_n_names_the_limit() -> None:
    """LAST_N_DAYS:99999999 is refused naming the largest n and Salesforce's earliest date."""
    result = check_query("SELECT Id, Name FROM Lead WHERE CreatedDate = LAST_N_DAYS:99999999 LIMIT 5")
    limit = n_limit("LAST_N_DAYS", datetime.now(UTC).date())
    assert result.verdict == "reject"
    assert f"at most {limit:,}" in (result.message or "") and "1700-01-01" in (result.message or "")


def test_a_quoted_boolean_that_is_not_one_says_what_to_write() -> None:
    """A boolean field compared with other text is refused with the two values it takes."""
    result = check_query("SELECT Id, Name FROM Lead WHERE IsConverted = 'nope' LIMIT 5")
    assert (
        result.message
        == "IsConverted is true or false: write IsConverted = true or IsConverted = false, without quotes."
    )
