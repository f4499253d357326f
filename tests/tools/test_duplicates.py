"""Duplicate-safe creates without an email or a conversation id (Salesforce-style matching rules)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx2

CREATE = "/tools/salesforce_create_record"
SEARCH = "/tools/salesforce_search_records"
ADA = {"FirstName": "Ada", "LastName": "Quintrell", "Company": "Larkspur Looms"}


async def _count(gateway: httpx2.AsyncClient, obj: str, where: str) -> int:
    r = await gateway.get(SEARCH, params={"q": f"SELECT COUNT() FROM {obj} WHERE {where}"})
    assert r.status_code == 200, r.text
    return int(r.json()["total"])


async def test_twenty_parallel_identical_creates_make_one_record(gateway: httpx2.AsyncClient) -> None:
    """20 identical creates at once, no email and no conversation id: one Lead, every answer names it."""
    answers = await asyncio.gather(*(gateway.post(CREATE + "/Lead", json=ADA) for _ in range(20)))
    assert all(a.status_code == 200 for a in answers)
    assert len({a.json()["id"] for a in answers}) == 1
    assert await _count(gateway, "Lead", "LastName = 'Quintrell'") == 1


async def test_jon_and_john_at_one_company_make_one_record(gateway: httpx2.AsyncClient) -> None:
    """Ten "Jon" and ten "John" Quintrell at the same company at once: one Lead, the other answers name it."""
    bodies = [{**ADA, "FirstName": "Jon" if i % 2 else "John"} for i in range(20)]
    answers = [a.json() for a in await asyncio.gather(*(gateway.post(CREATE + "/Lead", json=b) for b in bodies))]
    assert await _count(gateway, "Lead", "LastName = 'Quintrell'") == 1
    assert len({a["id"] for a in answers}) == 1
    existing = [a for a in answers if not a["created"]]
    name = next(a["name"] for a in answers if a["created"])
    assert existing and all(a["speech"].startswith(f"{name} is already in the CRM") for a in existing)


async def test_sequential_create_with_other_first_spelling_answers_already_there(gateway: httpx2.AsyncClient) -> None:
    """A second create of "Jon" after "John" at the same company says the match's name, creates nothing."""
    first = (await gateway.post(CREATE + "/Lead", json={**ADA, "FirstName": "John"})).json()
    second = (
        await gateway.post(CREATE + "/Lead", json={**ADA, "FirstName": "Jon", "Company": "Larkspur Looms Inc."})
    ).json()
    assert first["created"] is True and second["created"] is False and second["id"] == first["id"]
    assert second["speech"] == "John Quintrell is already in the CRM as a Lead, so I didn't create a new one."


async def test_same_name_and_phone_is_the_same_person(gateway: httpx2.AsyncClient) -> None:
    """The same name and phone (in another written form) at another company is not created again."""
    first = (await gateway.post(CREATE + "/Lead", json={**ADA, "Phone": "(617) 555-0177"})).json()
    other = {"FirstName": "A", "LastName": "Quintrell", "Company": "Other Co", "Phone": "+1 617 555 0177"}
    second = (await gateway.post(CREATE + "/Lead", json=other)).json()
    assert second["created"] is False and second["id"] == first["id"]


async def test_other_person_same_last_name_or_phone_is_created(gateway: httpx2.AsyncClient) -> None:
    """Same last name at another company, another first name, or only the same (switchboard) phone: a new Lead."""
    await gateway.post(CREATE + "/Lead", json={**ADA, "Phone": "(617) 555-0177"})
    other_company = (await gateway.post(CREATE + "/Lead", json={**ADA, "Company": "Harbor Freightways"})).json()
    other_first = (await gateway.post(CREATE + "/Lead", json={**ADA, "FirstName": "Beatrice"})).json()
    colleague = {"FirstName": "Rui", "LastName": "Tavares", "Company": "Larkspur Looms", "Phone": "617-555-0177"}
    same_phone = (await gateway.post(CREATE + "/Lead", json=colleague)).json()
    assert other_company["created"] is True and other_first["created"] is True and same_phone["created"] is True


async def test_account_with_suffix_is_the_same_account(gateway: httpx2.AsyncClient) -> None:
    """ "Larkspur Looms Inc." after "Larkspur Looms" is already in the CRM."""
    first = (await gateway.post(CREATE + "/Account", json={"Name": "Larkspur Looms"})).json()
    second = (await gateway.post(CREATE + "/Account", json={"Name": "Larkspur Looms, Inc."})).json()
    assert second["created"] is False and second["id"] == first["id"] and second["name"] == "Larkspur Looms"


async def test_contact_under_the_same_account_is_not_created_twice(gateway: httpx2.AsyncClient) -> None:
    """A second Contact "Jon" Quintrell under the Account of "John" Quintrell is already in the CRM."""
    account = (await gateway.post(CREATE + "/Account", json={"Name": "Larkspur Looms"})).json()
    john = {"FirstName": "John", "LastName": "Quintrell", "AccountId": account["id"]}
    first = (await gateway.post(CREATE + "/Contact", json=john)).json()
    second = (await gateway.post(CREATE + "/Contact", json={**john, "FirstName": "Jon"})).json()
    assert first["created"] is True and second["created"] is False and second["id"] == first["id"]


async def test_create_lists_every_normalisation(gateway: httpx2.AsyncClient) -> None:
    """The answer's `changes` lists each changed value with from, to and why; the email is read back."""
    body = {**ADA, "Email": "Ada.Quintrell@Larkspur.com", "Phone": "617 555 0100"}
    answer = (await gateway.post(CREATE + "/Lead", json=body)).json()
    by_field = {c["field"]: c for c in answer["changes"]}
    assert by_field["Email"] == {
        "field": "Email",
        "from": "Ada.Quintrell@Larkspur.com",
        "to": "ada.quintrell@larkspur.com",
        "why": "lower case",
    }
    assert by_field["Phone"]["to"] == "+16175550100"
    assert "I saved the email as ada dot quintrell at larkspur dot com" in answer["speech"]


async def test_org_duplicate_rule_gets_the_same_answer(gateway: httpx2.AsyncClient, embedded_org: Any) -> None:
    """A match only the org's rule sees (name + street + city) answers "already in the CRM" with its name."""
    headers = {"Authorization": f"Bearer {embedded_org.get_token()}"}
    stored = {**ADA, "Street": "12 Weaver Lane", "City": "Lowell"}
    async with httpx2.AsyncClient(base_url=embedded_org.url, headers=headers) as org:
        first = (await org.post("/services/data/v58.0/sobjects/Lead/", json=stored)).json()
    answer = (await gateway.post(CREATE + "/Lead", json={**stored, "Company": "Mill Street Yarns"})).json()
    assert answer["created"] is False and answer["id"] == first["id"]
    assert answer["speech"] == "Ada Quintrell is already in the CRM as a Lead, so I didn't create a new one."
