"""salesforce_get_record through the real app against the embedded org."""

from __future__ import annotations

from typing import Any

import httpx2

GET = "/tools/salesforce_get_record"


async def _contact_id(gateway: httpx2.AsyncClient) -> str:
    r = await gateway.get(
        "/tools/salesforce_search_records",
        params={"q": "SELECT Id, Name FROM Contact WHERE Email = 'customer@example.com'"},
    )
    return str(r.json()["records"][0]["Id"])


async def test_get_speaks_the_record_with_lookups_by_name(gateway: httpx2.AsyncClient, embedded_org: Any) -> None:
    """One query fetches the contact with Account.Name and Owner.Name; speech has names, no ids."""
    record_id = await _contact_id(gateway)
    before = embedded_org.stats()["api_requests"]
    r = await gateway.get(f"{GET}/Contact/{record_id}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert embedded_org.stats()["api_requests"] - before == 1
    assert body["record"]["Account"] == "Company Name Inc."
    assert isinstance(body["record"]["Owner"], str)
    assert "Casey Customer" in body["speech"] and "Company Name Inc." in body["speech"]
    assert record_id not in body["speech"]


async def test_wrong_object_id_is_explained(gateway: httpx2.AsyncClient) -> None:
    """A real Contact id asked for as an Account says it belongs to a Contact."""
    record_id = await _contact_id(gateway)
    r = await gateway.get(f"{GET}/Account/{record_id}")
    assert r.status_code == 422
    assert "belongs to a Contact, not an Account" in r.json()["error"]["message"]


async def test_fifteen_and_recased_ids_work(gateway: httpx2.AsyncClient) -> None:
    """The 15-character form and a lower-cased 18-character id both find the record."""
    record_id = await _contact_id(gateway)
    for variant in (record_id[:15], record_id.lower()):
        r = await gateway.get(f"{GET}/contact/{variant}")
        assert r.status_code == 200, r.text
        assert r.json()["record"]["Id"] == record_id


async def test_missing_record_is_404(gateway: httpx2.AsyncClient) -> None:
    """A well-formed id that matches nothing is a speakable 404."""
    r = await gateway.get(f"{GET}/Contact/0035g0000009999")
    assert r.status_code == 404
    assert "couldn't find" in r.json()["error"]["message"]


async def test_field_sets_are_configurable(embedded_org: Any, make_gateway: Any) -> None:
    """GET_RECORD_FIELDS narrows what a Contact answer carries."""
    async with make_gateway(embedded_org, get_record_fields="Contact=Name,Email") as (client, _app):
        record_id = await _contact_id(client)
        r = await client.get(f"{GET}/Contact/{record_id}")
        assert set(r.json()["record"]) == {"Id", "Name", "Email"}
