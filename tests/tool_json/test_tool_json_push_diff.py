"""push / diff through the real elevenlabs SDK against the loopback fake of the tools API."""

from __future__ import annotations

import copy

from service.tool_json.api_format import tool_request
from service.tool_json.generate import build_tools
from service.tool_json.push import canonical, diff, make_client, push

GATEWAY = ["--base-url", "https://gw.example.com", "--secret-id", "sec_abc"]


def _requests(**kwargs):
    return [tool_request(spec) for spec in build_tools(**kwargs)]


def test_push_creates_missing_tools(fake_elevenlabs):
    """A first push creates all three tools with POST /v1/convai/tools."""
    client = make_client("test-xi-key", fake_elevenlabs.url)
    results = push(client, _requests(secret_id="sec_abc"))
    assert [r.action for r in results] == ["created", "created", "created"]
    assert fake_elevenlabs.writes() == [("POST", "/v1/convai/tools")] * 3
    stored = {c["name"]: c for c in fake_elevenlabs.tools.values()}
    # What the SDK put on the wire is exactly the generated tool_config.
    assert stored == {r["tool_config"]["name"]: r["tool_config"] for r in _requests(secret_id="sec_abc")}


def test_second_push_changes_nothing(fake_elevenlabs):
    """Pushing the same tools again sends no write, although the API echoes defaults back."""
    client = make_client("test-xi-key", fake_elevenlabs.url)
    push(client, _requests())
    fake_elevenlabs.requests.clear()
    results = push(client, _requests())
    assert [r.action for r in results] == ["unchanged"] * 3
    assert fake_elevenlabs.writes() == []


def test_push_updates_changed_tools_by_name(fake_elevenlabs):
    """A changed base URL is PATCHed onto the existing ids; nothing new is created."""
    client = make_client("test-xi-key", fake_elevenlabs.url)
    first = {r.name: r.tool_id for r in push(client, _requests())}
    fake_elevenlabs.requests.clear()
    results = push(client, _requests(base_url="https://new-gw.example.com"))
    assert [r.action for r in results] == ["updated"] * 3
    assert {r.name: r.tool_id for r in results} == first
    assert sorted(fake_elevenlabs.writes()) == sorted(("PATCH", f"/v1/convai/tools/{i}") for i in first.values())
    assert all(c["api_schema"]["url"].startswith("https://new-gw") for c in fake_elevenlabs.tools.values())


def test_diff_reports_same_after_push(fake_elevenlabs):
    """Right after a push, diff finds every tool the same."""
    client = make_client("test-xi-key", fake_elevenlabs.url)
    push(client, _requests())
    assert [d.status for d in diff(client, _requests())] == ["same"] * 3


def test_diff_detects_drift_made_in_the_dashboard(fake_elevenlabs):
    """An edited description and timeout deployed show up as a readable unified diff."""
    client = make_client("test-xi-key", fake_elevenlabs.url)
    push(client, _requests())
    tool_id, config = next((i, c) for i, c in fake_elevenlabs.tools.items() if c["name"] == "salesforce_get_record")
    edited = copy.deepcopy(config)
    edited["description"] = "Edited by hand"
    edited["response_timeout_secs"] = 45
    fake_elevenlabs.tools[tool_id] = edited
    results = {d.name: d for d in diff(client, _requests())}
    assert results["salesforce_get_record"].status == "drift"
    text = results["salesforce_get_record"].text
    assert '-  "description": "Edited by hand"' in text
    assert '-  "response_timeout_secs": 45' in text
    assert '+  "response_timeout_secs": 20' in text
    assert text.startswith("--- deployed/salesforce_get_record\n+++ generated/salesforce_get_record\n")
    assert results["salesforce_search_records"].status == "same"


def test_diff_reports_missing_tools(fake_elevenlabs):
    """A tool that isn't deployed is reported as missing."""
    client = make_client("test-xi-key", fake_elevenlabs.url)
    assert {d.status for d in diff(client, _requests())} == {"missing"}


def test_canonical_ignores_echoed_defaults_but_not_changes():
    """The API's echoed nulls and defaults compare equal to leaving them out; other values don't."""
    generated = {"x": {"z": 1}, "execution_mode": "immediate"}
    deployed = {
        "a": None,
        "b": [],
        "c": {},
        "d": "",
        "response_timeout_secs": 20,
        "method": "GET",
        "x": {"y": None, "z": 1},
    }
    dep, gen = canonical(deployed, generated)
    assert dep == gen == {"x": {"z": 1}, "execution_mode": "immediate"}
    dep, gen = canonical({**deployed, "response_timeout_secs": 30, "constant_value": False}, generated)
    assert dep == {"x": {"z": 1}, "execution_mode": "immediate", "response_timeout_secs": 30, "constant_value": False}


def test_cli_push_then_diff_exit_codes(cli, elevenlabs_env, capsys):
    """`tools push` exits 0; `tools diff` exits 0 when equal and 1 on drift, printing the difference."""
    assert cli(["tools", "push", *GATEWAY]) == 0
    out = capsys.readouterr().out
    assert out.count("created") == 3
    assert cli(["tools", "diff", *GATEWAY]) == 0
    capsys.readouterr()
    assert cli(["tools", "diff", "--base-url", "https://other.example.com", "--secret-id", "sec_abc"]) == 1
    out = capsys.readouterr().out
    assert "drift     salesforce_search_records" in out
    assert '+    "url": "https://other.example.com/tools/salesforce_search_records"' in out


def test_cli_direct_target_push(cli, elevenlabs_env, capsys):
    """The direct target can be pushed too, with --domain."""
    assert cli(["tools", "push", "--target", "direct", "--domain", "https://acme.my.salesforce.com"]) == 0
    urls = sorted(c["api_schema"]["url"] for c in elevenlabs_env.tools.values())
    assert all(u.startswith("https://acme.my.salesforce.com/services/data/v58.0/") for u in urls)


def test_cli_wrong_api_key_is_a_clear_error(cli, elevenlabs_env, monkeypatch, capsys):
    """A rejected API key exits 2 with the API's refusal, and nothing is written."""
    from service.settings import get_settings

    monkeypatch.setenv("ELEVENLABS_API_KEY", "wrong")
    get_settings.cache_clear()
    assert cli(["tools", "push", *GATEWAY]) == 2
    err = capsys.readouterr().err
    assert "ElevenLabs refused listing tools: HTTP 401" in err
    assert "wrong" not in err
    assert elevenlabs_env.writes() == []


def test_cli_unreachable_api_is_a_clear_error(cli, elevenlabs_env, monkeypatch, capsys):
    """An API that can't be reached exits 2 saying so."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert cli(["tools", "diff", *GATEWAY, "--elevenlabs-url", f"http://127.0.0.1:{port}"]) == 2
    assert "cannot reach ElevenLabs for listing tools" in capsys.readouterr().err


def test_cli_push_needs_key_base_url_and_secret(cli, elevenlabs_env, monkeypatch, capsys):
    """push refuses to deploy placeholders: --base-url and --secret-id are required, and a key."""
    assert cli(["tools", "push", "--secret-id", "sec"]) == 2
    assert "--base-url is required" in capsys.readouterr().err
    assert cli(["tools", "push", "--base-url", "https://gw.example.com"]) == 2
    assert "--secret-id is required" in capsys.readouterr().err
    monkeypatch.delenv("ELEVENLABS_API_KEY")
    from service.settings import get_settings

    get_settings.cache_clear()
    assert cli(["tools", "push", *GATEWAY]) == 2
    assert "ELEVENLABS_API_KEY" in capsys.readouterr().err
    assert elevenlabs_env.requests == []
