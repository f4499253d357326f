"""Contract tests: the client against recorded org traffic, served by a loopback replay server.

The client runs its production HTTP stack against `replay_server` (recorded answers over real
HTTP). Re-record with `python -m scripts.record_cassettes` (embedded org, or your org with SF_* set).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from replay_server import replaying

from scripts.contract import ORIGIN, SCENARIOS, Sandbox, find_leaks, replay_settings
from service.settings import Settings

CASSETTES = Path(os.environ.get("SF_CASSETTE_DIR") or Path(__file__).resolve().parents[2] / "cassettes")


async def replay(name: str, directory: Path = CASSETTES) -> dict[str, Any]:
    """Run scenario `name` against its cassette; what it observed, with the server's URL as `ORIGIN`."""
    async with replaying(directory / f"{name}.yaml") as server:
        sandbox = Sandbox(replay_settings(server.url))
        try:
            out = await SCENARIOS[name](sandbox)
        finally:
            await sandbox.aclose()
    assert server.unmatched == []
    observed: dict[str, Any] = json.loads(json.dumps(out).replace(server.url, ORIGIN))
    return observed


def _token_fetch(out: dict[str, Any]) -> None:
    assert out == {"has_token": True, "instance_url": ORIGIN}


def _paged_query(out: dict[str, Any]) -> None:
    assert out["rows"] == min(out["total_size"], 400)
    assert out["calls"] == 1 + max(0, (out["rows"] - 1) // 200)


def _get_record(out: dict[str, Any]) -> None:
    record = out["record"]
    assert record["Id"] == out["id"] and "LastName" in record
    assert record["attributes"]["type"] == "Contact"


def _create_record(out: dict[str, Any]) -> None:
    assert out["id"].startswith("00Q") and len(out["id"]) == 18


def _session_refresh(out: dict[str, Any]) -> None:
    assert (out["token_requests"], out["calls"]) == (2, 2)


def _error(cls: str, code: str) -> Callable[[dict[str, Any]], None]:
    def check(out: dict[str, Any]) -> None:
        assert (out["class"], out["error_code"]) == (cls, code)

    return check


def _required_field(out: dict[str, Any]) -> None:
    _error("MalformedRequest", "REQUIRED_FIELD_MISSING")(out)
    assert "LastName" in out["fields"]


def _invalid_client(out: dict[str, Any]) -> None:
    _error("SalesforceAuthError", "invalid_client")(out)
    assert out["token_requests"] == 1 and "consumer key and secret" in out["message"]


CHECKS: dict[str, Callable[[dict[str, Any]], None]] = {
    "token_fetch": _token_fetch,
    "paged_query": _paged_query,
    "get_record": _get_record,
    "create_record": _create_record,
    "session_refresh": _session_refresh,
    "error_malformed_query": _error("MalformedRequest", "MALFORMED_QUERY"),
    "error_not_found": _error("RecordNotFound", "NOT_FOUND"),
    "error_required_field": _required_field,
    "error_invalid_client": _invalid_client,
}


def test_every_scenario_is_checked() -> None:
    """Each recorded scenario has a check here."""
    assert set(CHECKS) == set(SCENARIOS)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
async def test_scenario_replays(name: str) -> None:
    """The client behaves as recorded for this scenario."""
    CHECKS[name](await replay(name))


def test_every_scenario_has_a_cassette() -> None:
    """Each scenario has been recorded."""
    assert {p.stem for p in CASSETTES.glob("*.yaml")} >= set(SCENARIOS)


@pytest.mark.parametrize("path", sorted(CASSETTES.glob("*.yaml")), ids=lambda p: p.stem)
def test_cassette_holds_no_secrets(path: Path) -> None:
    """No token, credential or real instance host is stored in the cassette."""
    defaults = Settings(_env_file=None)
    secrets = {defaults.org_client_secret.get_secret_value(), defaults.org_client_id}
    assert find_leaks(path.read_text(), secrets) == []


def test_leak_finder_catches_leaks() -> None:
    """The leak check itself flags tokens, secrets, loopback and My Domain hosts."""
    text = (
        'access_token": "00D5g000004abcd!AQ0123456789abcdef" uri: http://127.0.0.1:5000/x '
        "host: acme.my.salesforce.com body: client_secret=hunter2 Authorization: Bearer abc.def my-secret-value"
    )
    leaks = find_leaks(text, {"my-secret-value"})
    assert len(leaks) == 6


async def test_record_command_roundtrip(tmp_path: Path) -> None:
    """The recording command records every scenario from a fresh embedded org, leak-free and replayable."""
    from scripts.record_cassettes import record
    from service.org.server import start_org

    out = tmp_path / "cassettes"
    out.mkdir()
    with start_org(data_dir=tmp_path / "org") as org:
        settings = Settings(
            _env_file=None, sf_domain=org.url, sf_client_id=org.client_id, sf_client_secret=org.client_secret
        )
        leaks = await record(settings, out, list(SCENARIOS))
    assert leaks == []
    for name in SCENARIOS:
        CHECKS[name](await replay(name, out))
