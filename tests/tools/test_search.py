"""salesforce_search_records through the real app against the embedded org."""

from __future__ import annotations

import httpx2
import pytest

SEARCH = "/tools/salesforce_search_records"

# The seed's "Common SOQL Queries", verbatim.
SEED_QUERIES = [
    (
        "SELECT Id, Name, Email, Phone, Title, Account.Name, Account.Type FROM Contact "
        "WHERE Email = 'customer@example.com'",
        "contact",
    ),
    (
        "SELECT Id, Name, Email, Phone, Company, Industry, Status, LeadSource, Title FROM Lead "
        "WHERE Email = 'customer@example.com' OR Phone = '+1234567890'",
        "lead",
    ),
    (
        "SELECT Id, Name, Type, Industry, Phone, BillingCity, BillingState, Website FROM Account "
        "WHERE Name LIKE '%Company Name%'",
        "account",
    ),
    (
        "SELECT Id, Name, StageName, Amount, CloseDate, Account.Name, Account.Type, Owner.Name, Description "
        "FROM Opportunity WHERE CreatedDate = THIS_MONTH",
        "opportunit",
    ),
    (
        "SELECT Id, Name, StageName, Amount, CloseDate, Probability, NextStep, Owner.Name FROM Opportunity "
        "WHERE Account.Name LIKE '%Company Name%'",
        "opportunit",
    ),
]


@pytest.mark.parametrize(("query", "label"), SEED_QUERIES)
async def test_seed_queries_answer_with_names(gateway: httpx2.AsyncClient, query: str, label: str) -> None:
    """Each of the seed's common queries finds records and speaks their names, never their ids."""
    r = await gateway.get(SEARCH, params={"q": query})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["count"] >= 1 and body["total"] >= body["count"]
    names = [row["Name"] for row in body["records"]]
    assert all(names)
    assert label in body["speech"].lower()
    assert names[0] in body["speech"]
    assert not any(row["Id"] in body["speech"] for row in body["records"])
    assert all("attributes" not in row for row in body["records"])


async def test_lookups_become_names(gateway: httpx2.AsyncClient) -> None:
    """Account.Name alone flattens to the account's name; Owner.Name to the owner's."""
    r = await gateway.get(SEARCH, params={"q": SEED_QUERIES[4][0]})
    row = r.json()["records"][0]
    assert isinstance(row["Owner"], str)


async def test_repair_is_visible(gateway: httpx2.AsyncClient) -> None:
    """A query without LIMIT and without Name is repaired, and the answer says how."""
    r = await gateway.get(SEARCH, params={"q": "SELECT Id, Email FROM Contact WHERE Email = 'customer@example.com'"})
    body = r.json()
    assert r.status_code == 200
    assert body["changes"], body
    assert "LIMIT" in body["query"] and "Name" in body["query"]
    assert body["records"][0]["Name"] == "Casey Customer"


async def test_rejected_query_is_422_with_suggestion(gateway: httpx2.AsyncClient) -> None:
    """A write or unknown object is refused with a speakable message."""
    r = await gateway.get(SEARCH, params={"q": "DELETE FROM Contact"})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "soql_rejected"


async def test_no_rows_says_what_to_try(gateway: httpx2.AsyncClient) -> None:
    """No matches: the speech says so and suggests a broader search."""
    r = await gateway.get(SEARCH, params={"q": "SELECT Id, Name FROM Lead WHERE Email = 'nobody@nowhere.example'"})
    body = r.json()
    assert body["count"] == 0 and "no leads" in body["speech"] and "Try" in body["speech"]


async def test_more_rows_than_cap_says_showing(gateway: httpx2.AsyncClient) -> None:
    """A full page reports the total: 'showing 10 of N'."""
    r = await gateway.get(SEARCH, params={"q": "SELECT Id, Name FROM Contact"})
    body = r.json()
    assert body["count"] == 10 and body["total"] > 10
    assert f"showing 10 of {body['total']}" in body["speech"]
