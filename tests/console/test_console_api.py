"""The console's own HTTP API (no browser): the CRM search, opening a record, persona runs, reports."""

from __future__ import annotations

import httpx2
from console_browser import Console

from service.console.crm import crm_query
from service.console.events import touched_ids


async def test_crm_search_speaks_and_lists_records(console: Console) -> None:
    """A typed company name becomes one SOQL LIKE search; the answer carries the speech and the records."""
    async with httpx2.AsyncClient(base_url=console.url) as client:
        found = (await client.get("/api/crm/search", params={"object": "Account", "q": "a"})).json()
        assert found["ok"] and found["speech"].startswith("I found")
        first = found["data"]["records"][0]
        opened = (await client.get(f"/api/crm/records/Account/{first['Id']}")).json()
    assert found["query"].startswith("SELECT Id, Name, Industry") and "LIKE '%a%'" in found["query"]
    assert opened["ok"] and first["Name"] in opened["speech"]


async def test_bad_crm_input_gets_a_short_error(console: Console) -> None:
    """An empty search box and an unknown object are refused with a sentence, not a stack trace."""
    async with httpx2.AsyncClient(base_url=console.url) as client:
        empty = await client.get("/api/crm/search", params={"q": "  "})
        unknown = await client.get("/api/crm/search", params={"q": "x", "object": "Widget"})
        persona = await client.post("/api/personas/nobody/runs")
    assert (empty.status_code, empty.json()["detail"]) == (422, "type a name, an email or a company to search for")
    assert unknown.status_code == 422 and "Lead" in unknown.json()["detail"]
    assert persona.status_code == 404 and "new-prospect" in persona.json()["detail"]


async def test_search_words_are_quoted_into_soql() -> None:
    """Quotes in the search box are escaped; a SELECT typed in is passed through unchanged."""
    assert crm_query("Lead", "O'Brien") == (
        "SELECT Id, Name, Email, Phone, Company, Title, Status FROM Lead WHERE Name LIKE '%O\\'Brien%' OR "
        "Email LIKE '%O\\'Brien%' OR Company LIKE '%O\\'Brien%' ORDER BY CreatedDate DESC LIMIT 20"
    )
    assert crm_query("Lead", "select Id FROM Case") == "select Id FROM Case"


async def test_touched_records_come_from_creates_searches_and_duplicates() -> None:
    """Ids in a create's answer, a search's rows and a duplicate's `existing` are the records a call touched."""
    lead, contact = "00Q000000000001AAA", "003000000000001AAA"
    assert touched_ids({"id": lead, "created": True}) == [lead]
    assert touched_ids({"records": [{"Id": contact}, {"Id": contact}], "count": 2}) == [contact]
    assert touched_ids({"created": False, "existing": {"id": lead}}) == [lead]
    assert touched_ids("not a dict") == [] and touched_ids({"id": "zzz"}) == []
