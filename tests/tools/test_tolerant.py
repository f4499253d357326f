"""The search's tolerant second pass: suggestions' shape and speech, query repairs, one extra org call."""

from __future__ import annotations

from typing import Any

import httpx2

CREATE = "/tools/salesforce_create_record"
SEARCH = "/tools/salesforce_search_records"
JOHN = {"FirstName": "John", "LastName": "Smith", "Company": "Acme Robotics", "Email": "john.smith@acmerobotics.com"}


async def _search(gateway: httpx2.AsyncClient, q: str) -> dict[str, Any]:
    r = await gateway.get(SEARCH, params={"q": q})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_misheard_name_gets_a_suggestion_and_a_question(gateway: httpx2.AsyncClient) -> None:
    """ "Jon Smyth" at Acme Robotics: no records, John Smith suggested by name, and the speech asks."""
    created = (await gateway.post(CREATE + "/Lead", json=JOHN)).json()
    answer = await _search(
        gateway, "SELECT Id, Name, Company FROM Lead WHERE Name = 'Jon Smyth' AND Company = 'Acme Robotics'"
    )
    assert answer["records"] == [] and answer["count"] == 0
    [closest, *_] = answer["suggestions"]
    assert closest["Id"] == created["id"] and closest["Name"] == "John Smith" and closest["matched_on"] == "name"
    assert 0 < closest["score"] <= 1 and "attributes" not in closest
    assert answer["speech"] == (
        "I didn't find Jon Smyth exactly. The closest is John Smith at Acme Robotics. Is that who you're speaking with?"
    )


async def test_suggestions_are_at_most_three_closest_first(gateway: httpx2.AsyncClient) -> None:
    """Four close Leads give three suggestions, in falling score order."""
    companies = ("Alder Freight", "Birchwood Dental", "Cobalt Mining", "Dunmore Textiles")
    for first, company in zip(("Maribel", "Maribell", "Marybel", "Maribelle"), companies, strict=True):
        await gateway.post(CREATE + "/Lead", json={"FirstName": first, "LastName": "Oduya", "Company": company})
    answer = await _search(gateway, "SELECT Id, Name FROM Lead WHERE Name = 'Maribel Oduyah'")
    scores = [s["score"] for s in answer["suggestions"]]
    assert len(scores) == 3 and scores == sorted(scores, reverse=True)


async def test_exact_hit_has_no_suggestions(gateway: httpx2.AsyncClient) -> None:
    """When the query matches, the records are the answer and nothing is suggested."""
    await gateway.post(CREATE + "/Lead", json=JOHN)
    answer = await _search(gateway, "SELECT Id, Name FROM Lead WHERE Email = 'john.smith@acmerobotics.com'")
    assert answer["count"] == 1 and answer["suggestions"] == []


async def test_tolerant_pass_costs_one_org_call(gateway: httpx2.AsyncClient, embedded_org: Any) -> None:
    """A miss costs the query plus one SOSL search."""
    await _search(gateway, "SELECT Id, Name FROM Lead WHERE Name = 'Warm Up'")
    before = embedded_org.stats()["api_requests"]
    await _search(gateway, "SELECT Id, Name FROM Lead WHERE Name = 'Jon Smyth'")
    assert embedded_org.stats()["api_requests"] - before == 2


async def test_like_pass_finds_the_same_suggestion(embedded_org: Any, make_gateway: Any) -> None:
    """TOLERANT_LOOKUP=like (an org without SOSL): one LIKE query finds John Smith for "Jon Smyth"."""
    async with make_gateway(embedded_org, tolerant_lookup="like") as (client, _app):
        created = (await client.post(CREATE + "/Lead", json=JOHN)).json()
        before = embedded_org.stats()["api_requests"]
        answer = await _search(
            client, "SELECT Id, Name FROM Lead WHERE Name = 'Jon Smyth' AND Company = 'Acme Robotics'"
        )
    assert answer["suggestions"][0]["Id"] == created["id"]
    assert embedded_org.stats()["api_requests"] - before == 2


async def test_tolerant_pass_can_be_switched_off(embedded_org: Any, make_gateway: Any) -> None:
    """TOLERANT_LOOKUP=off: a miss is just a miss."""
    async with make_gateway(embedded_org, tolerant_lookup="off") as (client, _app):
        await client.post(CREATE + "/Lead", json=JOHN)
        answer = await _search(client, "SELECT Id, Name FROM Lead WHERE Name = 'Jon Smyth'")
    assert answer["suggestions"] == [] and answer["speech"].startswith("I found no leads")


async def test_spoken_email_in_the_query_is_written_out(gateway: httpx2.AsyncClient) -> None:
    """`Email = 'john dot smith at acmerobotics dot com'` runs as the address, and says so."""
    created = (await gateway.post(CREATE + "/Lead", json=JOHN)).json()
    answer = await _search(gateway, "SELECT Id, Name FROM Lead WHERE Email = 'john dot smith at acmerobotics dot com'")
    assert [r["Id"] for r in answer["records"]] == [created["id"]]
    assert "Email = 'john.smith@acmerobotics.com'" in answer["query"]
    assert any("written as the address john.smith@acmerobotics.com" in c for c in answer["changes"])


async def test_phone_equality_matches_other_stored_forms(gateway: httpx2.AsyncClient, embedded_org: Any) -> None:
    """A Lead stored with "(617) 555-0142" is found by `Phone = '+16175550142'`, and the repair is listed."""
    headers = {"Authorization": f"Bearer {embedded_org.get_token()}"}
    async with httpx2.AsyncClient(base_url=embedded_org.url, headers=headers) as org:
        body = {"LastName": "Natarajan", "Company": "Brightwave Analytics", "Phone": "(617) 555-0142"}
        created = (await org.post("/services/data/v58.0/sobjects/Lead/", json=body)).json()
    answer = await _search(gateway, "SELECT Id, Name FROM Lead WHERE Phone = '+16175550142'")
    assert [r["Id"] for r in answer["records"]] == [created["id"]]
    assert any("other written forms" in c for c in answer["changes"])


async def test_absent_company_suggests_nothing(gateway: httpx2.AsyncClient) -> None:
    """A company that is nowhere near any record: no suggestion, and the speech says nothing was found."""
    answer = await _search(gateway, "SELECT Id, Name FROM Account WHERE Name = 'Marrakesh Spice Traders'")
    assert answer["suggestions"] == [] and answer["speech"].startswith("I found no accounts")
