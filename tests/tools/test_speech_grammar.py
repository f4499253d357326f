"""Speech through the real app: one and many, aggregates by group, one way to say a number, pages past the end."""

from __future__ import annotations

import httpx2

from service.schema import builtin_schema
from service.soql import parse_soql
from service.tools.aggregates import column_types
from service.tools.speech import read_back, say_money, say_number, say_value, search_speech

SEARCH = "/tools/salesforce_search_records"
GET = "/tools/salesforce_get_record"


async def _search(gateway: httpx2.AsyncClient, q: str) -> dict:
    r = await gateway.get(SEARCH, params={"q": q})
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_one_aggregate_row_is_one_result(gateway: httpx2.AsyncClient) -> None:
    """COUNT(Id) answers "Here is 1 result: …", not "Here are 1 result"."""
    body = await _search(gateway, "SELECT COUNT(Id) FROM Contact")
    count = body["records"][0]["expr0"]
    assert body["speech"] == f"Here is 1 result: {count:,}."


async def test_grouped_sums_are_spoken_by_group_as_money(gateway: httpx2.AsyncClient) -> None:
    """SUM(Amount) by StageName reads "Closed Lost: … dollars", never a bare float."""
    body = await _search(gateway, "SELECT StageName, SUM(Amount) FROM Opportunity GROUP BY StageName")
    assert body["speech"].startswith(f"Here are {len(body['records'])} results: ")
    first = body["records"][0]
    assert f"{first['StageName']}: " in body["speech"]
    assert " dollars" in body["speech"] and ".0;" not in body["speech"] and ".0." not in body["speech"]


async def test_money_and_percent_are_spoken_alike_in_search_and_get(gateway: httpx2.AsyncClient) -> None:
    """One opportunity's Amount reads the same in search and get; Probability reads "10 percent"."""
    body = await _search(
        gateway, "SELECT Id, Name, StageName, Amount, Probability FROM Opportunity WHERE Amount > 0 LIMIT 1"
    )
    row = body["records"][0]
    got = (await gateway.get(f"{GET}/Opportunity/{row['Id']}")).json()["speech"]
    assert say_money(row["Amount"]) in body["speech"] and say_money(row["Amount"]) in got
    assert f"Probability: {say_number(row['Probability'])} percent" in got
    assert "(%)" not in got and ".0 percent" not in got


async def test_a_page_past_the_end_says_so_and_totals_agree(gateway: httpx2.AsyncClient) -> None:
    """OFFSET pages report the same total, and a page past the last match says there are no more."""
    total = (await _search(gateway, "SELECT COUNT() FROM Contact"))["total"]
    near = await _search(gateway, f"SELECT Id, Name FROM Contact ORDER BY Name LIMIT 10 OFFSET {total - 10}")
    last = await _search(gateway, f"SELECT Id, Name FROM Contact ORDER BY Name LIMIT 10 OFFSET {total - 5}")
    past = await _search(gateway, f"SELECT Id, Name FROM Contact ORDER BY Name LIMIT 10 OFFSET {total}")
    assert near["total"] == last["total"] == past["total"] == total
    assert f"These are numbers {total - 4:,} to {total:,} of {total:,}." in last["speech"]
    assert past["speech"].startswith(f"There are no more contacts: the search matched {total} contacts in all")


def test_numbers_are_spoken_without_a_trailing_zero() -> None:
    """2938000.0 reads "2,938,000" and 10.0 percent reads "10 percent", in search and get alike."""
    assert say_number(2938000.0) == "2,938,000" and say_number("10.50") == "10.5"
    assert say_value(10.0, "percent") == "10 percent"
    assert say_value(2938000.0, "currency") == say_money(2938000.0)


def test_aggregates_are_typed_by_the_field_they_sum() -> None:
    """SUM(Amount) grouped by StageName speaks money, by its group."""
    opportunity = builtin_schema().get("Opportunity")
    tree = parse_soql("SELECT StageName, SUM(Amount) FROM Opportunity GROUP BY StageName")
    rows = [{"StageName": "Closed Lost", "expr0": 2938000.0}]
    speech = search_speech(rows, 1, opportunity, columns=column_types(tree, opportunity))
    assert speech == f"Here is 1 result: Closed Lost: {say_money(2938000.0)}."


def test_aliased_and_unaliased_aggregates_are_named_like_salesforce() -> None:
    """Unaliased aggregates are expr0, expr1…; an alias keeps its name; COUNT is a number."""
    opportunity = builtin_schema().get("Opportunity")
    tree = parse_soql(
        "SELECT StageName, COUNT(Id), SUM(Amount) total, AVG(Probability) FROM Opportunity GROUP BY StageName"
    )
    columns = column_types(tree, opportunity)
    assert {k: (c.type, c.aggregate) for k, c in columns.items()} == {
        "StageName": ("picklist", False),
        "expr0": ("int", True),
        "total": ("currency", True),
        "expr1": ("percent", True),
    }


def test_changed_emails_and_phones_are_read_back() -> None:
    """The guard's changes to an email and a phone become one sentence to read to the caller."""
    from datetime import date

    from service.tools.guard import normalize_fields

    lead = builtin_schema().get("Lead")
    fields = {"Email": "jane dot doe at acme dot com", "Phone": "(415) 555-0198", "Industry": "tech"}
    normalized = normalize_fields(lead, fields, builtin_schema(), date(2026, 11, 24))
    assert read_back(list(normalized.changes), lead) == (
        "I saved the email as jane dot doe at acme dot com, and the phone as 4 1 5, 5 5 5, 0 1 9 8."
    )
    assert read_back([], lead) == ""
