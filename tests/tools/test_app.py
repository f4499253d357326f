"""The gateway app: auth, body limit, error shape, operations endpoints, OpenAPI."""

from __future__ import annotations

from typing import Any

import httpx2

from tests.tools.conftest import SECRET

CONTACT_ID_AS_LEAD = "/tools/salesforce_get_record/Lead/0035g00000AbCdEAAV"


async def test_no_secret_is_401(gateway: httpx2.AsyncClient) -> None:
    """A tool call without the webhook secret is refused with a short JSON error."""
    r = await gateway.get(CONTACT_ID_AS_LEAD, headers={"X-Webhook-Secret": ""})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthorized"


async def test_wrong_secret_is_401(gateway: httpx2.AsyncClient) -> None:
    """A wrong secret is refused."""
    r = await gateway.get(CONTACT_ID_AS_LEAD, headers={"X-Webhook-Secret": SECRET + "x"})
    assert r.status_code == 401


async def test_bearer_secret_is_accepted(gateway: httpx2.AsyncClient) -> None:
    """Authorization: Bearer <secret> works like X-Webhook-Secret."""
    r = await gateway.get(CONTACT_ID_AS_LEAD, headers={"X-Webhook-Secret": "", "Authorization": f"Bearer {SECRET}"})
    assert r.status_code == 422


async def test_wrong_object_id_is_explained(gateway: httpx2.AsyncClient) -> None:
    """A Contact id asked for as a Lead says whose id it is."""
    r = await gateway.get(CONTACT_ID_AS_LEAD)
    assert r.status_code == 422
    assert "belongs to a Contact, not a Lead" in r.json()["error"]["message"]


async def test_lead_without_company_is_422_naming_company(gateway: httpx2.AsyncClient) -> None:
    """Creating a Lead with no Company asks for the company."""
    r = await gateway.post("/tools/salesforce_create_record/Lead", json={"FirstName": "Jane", "LastName": "Doe"})
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["fields"] == ["Company"] and "Company" in error["message"]


async def test_unknown_object_is_refused(gateway: httpx2.AsyncClient) -> None:
    """Objects off the allow-list are refused with the list."""
    r = await gateway.post("/tools/salesforce_create_record/User", json={"LastName": "Doe"})
    assert r.status_code == 422
    assert "Lead" in r.json()["error"]["message"]


async def test_large_body_is_413(gateway: httpx2.AsyncClient) -> None:
    """Bodies over 64 KB are refused before any work."""
    r = await gateway.post("/tools/salesforce_create_record/Lead", json={"Description": "x" * 70_000})
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "payload_too_large"


async def test_health_ready_metrics(gateway: httpx2.AsyncClient) -> None:
    """/healthz is up, /readyz sees the token, /metrics counts tool calls."""
    assert (await gateway.get("/healthz")).json()["status"] == "ok"
    await gateway.get(CONTACT_ID_AS_LEAD)
    text = (await gateway.get("/metrics")).text
    assert 'gateway_tool_requests_total{status="422",tool="salesforce_get_record"}' in text
    assert "gateway_salesforce_token_requests_total" in text


async def test_openapi_describes_the_three_tools(gateway: httpx2.AsyncClient) -> None:
    """/openapi.json (rendered at /docs) has the three tools with their descriptions."""
    spec = (await gateway.get("/openapi.json")).json()
    ops = {op["operationId"] for path in spec["paths"].values() for op in path.values()}
    assert ops == {"salesforce_search_records", "salesforce_get_record", "salesforce_create_record"}
    assert (await gateway.get("/docs")).status_code == 200


async def test_large_chunked_body_is_413(gateway: httpx2.AsyncClient) -> None:
    """A body streamed without Content-Length is cut off at the limit too."""

    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(80):
            yield b"x" * 1024

    r = await gateway.post(
        "/tools/salesforce_create_record/Lead", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "payload_too_large"


async def test_openapi_names_the_limits_in_force(embedded_org: Any, make_gateway: Any) -> None:
    """With SOQL_MAX_LIMIT=20 the running gateway's search parameter says at most 20."""
    async with make_gateway(embedded_org, soql_max_limit=20) as (client, _app):
        openapi = (await client.get("/openapi.json")).json()
    params = openapi["paths"]["/tools/salesforce_search_records"]["get"]["parameters"]
    q = next(p for p in params if p["name"] == "q")
    assert "at most 20;" in q["description"]


async def test_every_tool_route_checks_the_secret(gateway: httpx2.AsyncClient) -> None:
    """Search, get and create (even with a body that would fail validation) all answer 401 without the secret."""
    no_secret = {"X-Webhook-Secret": ""}
    answers = [
        await gateway.get("/tools/salesforce_search_records", params={"q": "SELECT Id FROM Lead"}, headers=no_secret),
        await gateway.get(CONTACT_ID_AS_LEAD, headers=no_secret),
        await gateway.post(
            "/tools/salesforce_create_record/Lead", json={"NumberOfEmployees": "many"}, headers=no_secret
        ),
    ]
    assert [r.status_code for r in answers] == [401, 401, 401]
