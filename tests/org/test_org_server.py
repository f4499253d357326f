"""The embedded org starts on loopback, issues tokens and answers REST calls."""

from pathlib import Path

import httpx2


def _token(org, client: httpx2.Client) -> str:
    body = {"grant_type": "client_credentials", "client_id": org.client_id, "client_secret": org.client_secret}
    return str(client.post("/services/oauth2/token", data=body).json()["access_token"])


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


def test_latency_ms_delays_api_responses(make_embedded_org):
    """With latency_ms=N every API response takes at least N ms."""
    import time

    org = make_embedded_org(latency_ms=60)
    with httpx2.Client(base_url=org.url) as client:
        start = time.monotonic()
        assert client.get("/services/data/").status_code == 200
        assert time.monotonic() - start >= 0.06


def test_data_survives_a_restart(tmp_path):
    """Records written through the API are still there after the org restarts on the same data dir."""
    from service.org.server import start_org

    with start_org(data_dir=tmp_path) as org, httpx2.Client(base_url=org.url) as client:
        headers = {"Authorization": f"Bearer {org.get_token()}"}
        lead_id = client.post(
            "/services/data/v58.0/sobjects/Lead/", json={"LastName": "Kept", "Company": "K"}, headers=headers
        ).json()["id"]
    with start_org(data_dir=tmp_path) as org, httpx2.Client(base_url=org.url) as client:
        headers = {"Authorization": f"Bearer {org.get_token()}"}
        r = client.get(f"/services/data/v58.0/sobjects/Lead/{lead_id}", headers=headers)
        assert r.json()["LastName"] == "Kept"
        assert org.stats()["records"]["Lead"] == 201


def test_cli_seed_then_reset(tmp_path, capsys):
    """`org seed` loads the demo set once; `org reset` removes the database."""
    from service.cli import main

    assert main(["org", "seed", "--data-dir", str(tmp_path), "--seed", "3"]) == 0
    assert "200 Lead" in capsys.readouterr().out
    assert main(["org", "seed", "--data-dir", str(tmp_path)]) == 1
    assert main(["org", "reset", "--data-dir", str(tmp_path)]) == 0
    assert not (tmp_path / "org.sqlite3").exists()


def test_cli_serve_prints_its_url(tmp_path):
    """`org serve --port 0 --tls` starts, prints the https URL and the CA path, and stops on SIGTERM."""
    import os
    import signal
    import subprocess
    import sys

    env = {**os.environ, "ORG_CLIENT_SECRET": "cli-secret-value"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "service", "org", "serve", "--port", "0", "--tls", "--data-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.stdout is not None
    try:
        lines = [proc.stdout.readline() for _ in range(4)]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    assert lines[0].startswith("embedded org serving at https://127.0.0.1:")
    assert "cli-secret-value" not in "".join(lines)
    assert (tmp_path / "org-ca.pem").exists()
