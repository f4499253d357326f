"""salesforce_create_record through the real app against the embedded org."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx2

CREATE = "/tools/salesforce_create_record"
JANE = {
    "FirstName": "Janet",
    "LastName": "Dough",
    "Company": "Acme Robotics",
    "Title": "VP of Sales",
    "Email": "janet dot dough at acme robotics dot com",
    "Phone": "(415) 555-0198",
    "Industry": "tech",
}


def leads(org: Any) -> int:
    return int(org.stats()["records"]["Lead"])


async def _find(gateway: httpx2.AsyncClient, email: str) -> list[dict[str, Any]]:
    q = f"SELECT Id, Name, Email, Phone, Industry, LeadSource FROM Lead WHERE Email = '{email}'"
    r = await gateway.get("/tools/salesforce_search_records", params={"q": q})
    records: list[dict[str, Any]] = r.json()["records"]
    return records


async def test_create_lead_normalises_spoken_email_and_phone(gateway: httpx2.AsyncClient) -> None:
    """The spoken email is stored as an address, the phone as E.164, picklists matched, LeadSource set."""
    r = await gateway.post(CREATE + "/Lead", json=JANE, headers={"X-Conversation-Id": "conv-a"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["created"] is True and body["object"] == "Lead" and body["name"] == "Janet Dough"
    assert body["speech"] == (
        "I've created a lead for Janet Dough at Acme Robotics. I saved the email as janet dot dough at "
        "acmerobotics dot com, and the phone as 4 1 5, 5 5 5, 0 1 9 8."
    )
    assert {c["field"] for c in body["changes"]} >= {"Email", "Phone"}
    [row] = await _find(gateway, "janet.dough@acmerobotics.com")
    assert row["Id"] == body["id"]
    assert row["Phone"] == "+14155550198" and row["Industry"] == "Technology"
    assert row["LeadSource"] == "Phone Inquiry"


async def test_conversation_id_is_recorded(gateway: httpx2.AsyncClient) -> None:
    """The configured field (Description) carries the conversation id."""
    r = await gateway.post(
        CREATE + "/Lead", json={**JANE, "Description": "Wants a demo"}, headers={"X-Conversation-Id": "conv-desc"}
    )
    assert r.json()["fields"]["Description"] == "Wants a demo\n\n[conversation conv-desc]"


async def test_same_create_twice_in_one_conversation_makes_one_record(
    gateway: httpx2.AsyncClient, embedded_org: Any
) -> None:
    """A repeat with the same conversation id replays the first answer."""
    before = leads(embedded_org)
    first = await gateway.post(CREATE + "/Lead", json=JANE, headers={"X-Conversation-Id": "conv-b"})
    again = await gateway.post(CREATE + "/Lead", json=JANE, headers={"X-Conversation-Id": "conv-b"})
    assert first.json() == again.json()
    assert leads(embedded_org) == before + 1


async def test_twenty_concurrent_identical_creates_make_one_record(
    gateway: httpx2.AsyncClient, embedded_org: Any
) -> None:
    """Twenty identical creates at once: one record, every caller gets its id."""
    before = leads(embedded_org)
    answers = await asyncio.gather(
        *(gateway.post(CREATE + "/Lead", json=JANE, headers={"X-Conversation-Id": "conv-c"}) for _ in range(20))
    )
    assert {a.status_code for a in answers} == {200}
    assert len({a.json()["id"] for a in answers}) == 1
    assert leads(embedded_org) == before + 1


async def test_concurrent_creates_of_one_person_in_different_conversations_make_one(
    gateway: httpx2.AsyncClient, embedded_org: Any
) -> None:
    """Different conversations racing to create the same email still make one record."""
    before = leads(embedded_org)
    answers = await asyncio.gather(
        *(gateway.post(CREATE + "/Lead", json=JANE, headers={"X-Conversation-Id": f"conv-d{i}"}) for i in range(10))
    )
    assert sum(a.json()["created"] for a in answers) == 1
    assert leads(embedded_org) == before + 1


async def test_existing_email_makes_no_new_record(gateway: httpx2.AsyncClient, embedded_org: Any) -> None:
    """A Contact with this email exists: created false, with its name and id."""
    before = leads(embedded_org)
    r = await gateway.post(
        CREATE + "/Lead", json={"LastName": "Customer", "Company": "X", "Email": "Customer@Example.com"}
    )
    body = r.json()
    assert r.status_code == 200
    assert body["created"] is False and body["name"] == "Casey Customer" and body["id"]
    assert "already" in body["speech"]
    assert leads(embedded_org) == before


async def test_existing_account_name_makes_no_new_account(gateway: httpx2.AsyncClient) -> None:
    """An Account with the same name is reported, not duplicated."""
    r = await gateway.post(CREATE + "/Account", json={"Name": "Acme Corporation"})
    assert r.json()["created"] is False and r.json()["object"] == "Account"


async def test_dry_run_writes_nothing(gateway: httpx2.AsyncClient, embedded_org: Any) -> None:
    """dry_run=true validates and describes the record; no record appears."""
    before = leads(embedded_org)
    r = await gateway.post(CREATE + "/Lead", params={"dry_run": "true"}, json=JANE)
    body = r.json()
    assert r.status_code == 200
    assert body["dry_run"] is True and body["created"] is False and body["id"] is None
    assert body["fields"]["Email"] == "janet.dough@acmerobotics.com"
    assert "Nothing was written" in body["speech"]
    assert leads(embedded_org) == before


async def test_unknown_fields_are_422_naming_them(gateway: httpx2.AsyncClient) -> None:
    """A field Lead doesn't have is refused by name."""
    r = await gateway.post(CREATE + "/Lead", json={**JANE, "ShoeSize": "9"})
    assert r.status_code == 422
    assert r.json()["error"]["fields"] == ["ShoeSize"]


async def test_opportunity_and_case_create(gateway: httpx2.AsyncClient) -> None:
    """An opportunity with a spoken stage and a case with its number in the answer."""
    r = await gateway.post(
        CREATE + "/Opportunity",
        json={"Name": "Acme Robotics Q1 Deal", "StageName": "proposal", "CloseDate": "2027-03-31", "Amount": 125000},
    )
    assert r.json()["created"] is True and r.json()["fields"]["StageName"] == "Proposal/Price Quote"
    r = await gateway.post(CREATE + "/Case", json={"Subject": "Printer on fire", "Priority": "urgent"})
    body = r.json()
    assert body["created"] is True and body["speech"].startswith("I've opened case ")
