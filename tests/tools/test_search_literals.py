"""Mistyped literals through the real app against the embedded org: repaired to the right rows, or refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2
import pytest

SEARCH = "/tools/salesforce_search_records"

# (as an agent writes it, as Salesforce wants it): both must count the same rows.
PAIRS = [
    ("SELECT COUNT() FROM Lead WHERE IsConverted = 'false'", "SELECT COUNT() FROM Lead WHERE IsConverted = false"),
    (
        "SELECT COUNT() FROM Lead WHERE CreatedDate > '2024-01-01'",
        "SELECT COUNT() FROM Lead WHERE CreatedDate >= 2024-01-02T00:00:00Z",
    ),
    (
        "SELECT COUNT() FROM Opportunity WHERE Amount > '100000'",
        "SELECT COUNT() FROM Opportunity WHERE Amount > 100000",
    ),
    (
        "SELECT COUNT() FROM Opportunity WHERE CloseDate < '2027-01-01'",
        "SELECT COUNT() FROM Opportunity WHERE CloseDate < 2027-01-01",
    ),
]


async def _count(gateway: httpx2.AsyncClient, q: str) -> dict[str, Any]:
    r = await gateway.get(SEARCH, params={"q": q})
    assert r.status_code == 200, r.text
    return dict(r.json())


@pytest.mark.parametrize(("mistyped", "typed"), PAIRS)
async def test_quoted_literals_are_repaired_to_the_same_rows(
    gateway: httpx2.AsyncClient, mistyped: str, typed: str
) -> None:
    """The repaired query finds exactly the rows of the correctly typed one, and says what it changed."""
    repaired, expected = await _count(gateway, mistyped), await _count(gateway, typed)
    assert repaired["total"] == expected["total"]
    assert repaired["changes"] and expected["changes"] == []


async def test_quoted_false_finds_the_unconverted_leads(gateway: httpx2.AsyncClient) -> None:
    """IsConverted = 'false' no longer answers 0 rows when every seeded lead is unconverted."""
    assert (await _count(gateway, PAIRS[0][0]))["total"] > 0


async def test_strict_mode_refuses_with_the_repaired_query(embedded_org: Any, make_gateway: Callable[..., Any]) -> None:
    """With SOQL_STRICT a quoted boolean is a 422 whose suggested query runs."""
    async with make_gateway(embedded_org, soql_strict=True) as (gateway, _app):
        r = await gateway.get(SEARCH, params={"q": "SELECT Id, Name FROM Lead WHERE IsConverted = 'false' LIMIT 5"})
        assert r.status_code == 422
        suggestion = r.json()["error"]["suggested_query"]
        assert suggestion == "SELECT Id, Name FROM Lead WHERE IsConverted = false LIMIT 5"
        assert (await gateway.get(SEARCH, params={"q": suggestion})).status_code == 200


async def test_mixed_and_or_is_refused_with_a_suggestion_that_runs(gateway: httpx2.AsyncClient) -> None:
    """`a OR b AND c` is a 422 saying how it was read; the parenthesised suggestion answers 200."""
    r = await gateway.get(
        SEARCH, params={"q": "SELECT Id, Name FROM Lead WHERE Status = 'Open' OR Status = 'New' AND Rating = 'Hot'"}
    )
    assert r.status_code == 422
    error = r.json()["error"]
    assert "reads as Status = 'Open' OR (Status = 'New' AND Rating = 'Hot')" in error["message"]
    assert (await gateway.get(SEARCH, params={"q": error["suggested_query"]})).status_code == 200


async def test_out_of_range_n_is_a_422_naming_the_limit(gateway: httpx2.AsyncClient) -> None:
    """LAST_N_DAYS:99999999 is refused (not a 503), naming the largest n."""
    r = await gateway.get(SEARCH, params={"q": "SELECT Id, Name FROM Lead WHERE CreatedDate = LAST_N_DAYS:99999999"})
    assert r.status_code == 422
    assert "at most" in r.json()["error"]["message"]
