"""The embedded org starts on loopback, issues tokens and answers REST calls."""

import httpx2


def _token(org, client: httpx2.Client) -> str:
    body = {"grant_type": "client_credentials", "client_id": org.client_id, "client_secret": org.client_secret}
    return client.post("/services/oauth2/token", data=body).json()["access_token"]


def test_embedded_org_fixture_serves_seeded_data(embedded_org):
    """The fixture's org is running with the demo data and counts token requests."""
    with httpx2.Client(base_url=embedded_org.url) as client:
        token = _token(embedded_org, client)
        r = client.get("/services/data/v58.0/sobjects/Lead/describe", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    stats = embedded_org.stats()
    assert stats["token_requests"] == 1
    assert stats["api_requests"] == 1
    assert stats["records"]["Lead"] == 200


def test_tls_org_serves_https_with_its_ca(embedded_org_tls):
    """With tls=True the org speaks HTTPS trusted through the CA in its data dir."""
    assert embedded_org_tls.url.startswith("https://")
    with httpx2.Client(base_url=embedded_org_tls.url, verify=embedded_org_tls.ssl_context()) as client:
        assert client.get("/services/data/").status_code == 200


async def test_org_server_is_an_async_context_manager(tmp_path):
    """`async with OrgServer(...)` starts and stops the org without blocking the loop."""
    from service.org.server import OrgServer

    async with OrgServer(data_dir=tmp_path) as org:
        async with httpx2.AsyncClient(base_url=org.url) as client:
            r = await client.get("/_org/stats")
    assert r.json()["records"]["Account"] >= 50
    assert not org.running
