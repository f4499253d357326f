"""`tests push | diff | run` through the official SDK against the loopback fake of the API."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from tool_json_fake_api import API_KEY, FakeToolsApi

from service.cli import main
from service.runner.callers import Persona
from service.runner.session import CallRecord
from service.tool_json.agent_tests.record import record_personas
from service.tool_json.agent_tests.remote import diff, push, run
from service.tool_json.agent_tests.suite import bodies_for, render
from service.tool_json.api_format import tool_request
from service.tool_json.export import write_files
from service.tool_json.generate import build_tools
from service.tool_json.push import make_client
from service.tool_json.push import push as push_tools

Runs = list[tuple[Persona, CallRecord]]
AGENT = "agent_test_0001"


def _client(fake: FakeToolsApi) -> Any:
    return make_client(API_KEY, fake.url)


def _with_tools(fake: FakeToolsApi) -> dict[str, str]:
    """Our three tools pushed into the fake workspace; name → id."""
    return {r.name: r.tool_id for r in push_tools(_client(fake), [tool_request(s) for s in build_tools()])}


def _suite(runs: Runs, *names: str) -> list[dict[str, Any]]:
    return bodies_for([r for r in runs if r[0].name in names])


def _export(tmp_path: Path, name: str, bodies: list[dict[str, Any]]) -> Path:
    out = tmp_path / name
    write_files(out, render(bodies))
    return out


async def test_push_creates_every_test_with_workspace_tool_ids(
    fake_elevenlabs: FakeToolsApi, persona_runs: Runs
) -> None:
    """A first push creates each test by name; tool names in the bodies became the workspace's tool ids."""
    ids = _with_tools(fake_elevenlabs)
    bodies = _suite(persona_runs, "existing-account-deal")
    results = push(_client(fake_elevenlabs), bodies)
    assert [r.action for r in results] == ["created"] * len(bodies)
    stored = {t["body"]["name"]: t["body"] for t in fake_elevenlabs.testing.tests.values()}
    assert set(stored) == {b["name"] for b in bodies}
    sim = stored["existing-account-deal: simulation"]
    assert sim["tool_mock_config"]["mocked_tool_ids"] == list(ids.values())
    assert set(sim["tool_mock_overrides"]) == {ids["salesforce_search_records"], ids["salesforce_create_record"]}
    create = stored["existing-account-deal: creates Contact"]["tool_call_parameters"]["referenced_tool"]
    assert create == {"id": ids["salesforce_create_record"], "type": "webhook"}


async def test_second_push_changes_nothing(fake_elevenlabs: FakeToolsApi, persona_runs: Runs) -> None:
    """Pushing the same tests again writes nothing, although the API answers with every field filled in."""
    _with_tools(fake_elevenlabs)
    bodies = _suite(persona_runs, "hang-up")
    push(_client(fake_elevenlabs), bodies)
    fake_elevenlabs.requests.clear()
    assert [r.action for r in push(_client(fake_elevenlabs), bodies)] == ["unchanged"] * len(bodies)
    assert fake_elevenlabs.writes() == []
    assert [d.status for d in diff(_client(fake_elevenlabs), bodies)] == ["same"] * len(bodies)


async def test_a_changed_persona_drifts_then_updates_in_place(
    fake_elevenlabs: FakeToolsApi, persona_runs: Runs, tmp_path: Path
) -> None:
    """After the persona's email and company change, the tests that carry them drift, push updates
    those in place (same ids) and leaves the generic off-topic one alone, and diff is clean."""
    from service.runner.stack import Stack

    _with_tools(fake_elevenlabs)
    client = _client(fake_elevenlabs)
    first = {r.name: r.test_id for r in push(client, _suite(persona_runs, "new-prospect"))}
    # on an org of its own: in the shared one the changed caller is a near match of the first
    # (same name, company one letter longer), which the duplicate check rightly finds
    with Stack(data_dir=tmp_path / "org") as fresh:
        changed = bodies_for(await record_personas(fresh, ["new-prospect"], tag="x"))
    drift = {d.name: d for d in diff(client, changed)}
    unchanged = "new-prospect: guardrail off-topic"
    assert {n: d.status for n, d in drift.items()} == {n: "same" if n == unchanged else "drift" for n in first}
    sim = drift["new-prospect: simulation"].text
    assert "+" in sim and "priya.natarajanx@brightwave-analytics.com" in sim
    fake_elevenlabs.requests.clear()
    results = {r.name: r for r in push(client, changed)}
    assert {n: r.action for n, r in results.items()} == {n: "unchanged" if n == unchanged else "updated" for n in first}
    assert {n: r.test_id for n, r in results.items()} == first
    puts = sorted(("PUT", f"/v1/convai/agent-testing/{i}") for n, i in first.items() if n != unchanged)
    assert sorted(fake_elevenlabs.writes()) == puts
    assert [d.status for d in diff(client, changed)] == ["same"] * len(changed)


async def test_cli_diff_exits_0_same_and_1_on_drift(
    elevenlabs_env: FakeToolsApi,
    persona_runs: Runs,
    persona_stack: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`tests diff --from DIR`: 1 before the push (missing), 0 after it, 1 once the persona changed; push fixes it."""
    _with_tools(elevenlabs_env)
    base = _export(tmp_path, "base", _suite(persona_runs, "hang-up"))
    assert main(["tests", "diff", "--from", str(base)]) == 1
    assert "missing   hang-up: simulation" in capsys.readouterr().out
    assert main(["tests", "push", "--from", str(base)]) == 0
    assert capsys.readouterr().out.count("created") == 4
    assert main(["tests", "diff", "--from", str(base)]) == 0
    changed = _export(tmp_path, "changed", bodies_for(await record_personas(persona_stack, ["hang-up"], tag="y")))
    assert main(["tests", "diff", "--from", str(changed)]) == 1
    assert "drift     hang-up: simulation" in capsys.readouterr().out
    assert main(["tests", "push", "--from", str(changed)]) == 0
    assert capsys.readouterr().out.count("updated") == 3  # the generic off-topic guardrail is unchanged
    assert main(["tests", "diff", "--from", str(changed)]) == 0


async def test_cli_push_without_the_tools_exits_2_and_writes_nothing(
    elevenlabs_env: FakeToolsApi, persona_runs: Runs, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tests reference our tools by id, so a workspace without them is refused before any write."""
    base = _export(tmp_path, "base", _suite(persona_runs, "hang-up"))
    assert main(["tests", "push", "--from", str(base)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tests push: ") and "run `tools push` first" in err
    assert elevenlabs_env.writes() == []


async def test_cli_push_refuses_an_invalid_file(
    elevenlabs_env: FakeToolsApi, persona_runs: Runs, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A hand-edited file with an unknown key is refused by name; nothing is sent."""
    _with_tools(elevenlabs_env)
    base = _export(tmp_path, "base", _suite(persona_runs, "hang-up"))
    path = base / "hang-up-guardrail-privacy.json"
    path.write_text(path.read_text().replace('"success_condition"', '"succes_condition"'))
    elevenlabs_env.requests.clear()
    assert main(["tests", "push", "--from", str(base)]) == 2
    assert "unknown key(s) ['succes_condition']" in capsys.readouterr().err
    assert elevenlabs_env.requests == []


async def test_run_waits_for_and_reports_each_result(fake_elevenlabs: FakeToolsApi, persona_runs: Runs) -> None:
    """A run triggers POST run-tests, polls the invocation until settled, and returns each verdict."""
    _with_tools(fake_elevenlabs)
    bodies = _suite(persona_runs, "hang-up")
    push(_client(fake_elevenlabs), bodies)
    fake_elevenlabs.testing.verdicts["hang-up: guardrail privacy"] = ("failed", "The agent read out a record id.")
    results = run(_client(fake_elevenlabs), AGENT, [b["name"] for b in bodies], poll=0.05)
    assert {r.name: r.status for r in results} == {
        b["name"]: "failed" if b["name"].endswith("privacy") else "passed" for b in bodies
    }
    assert next(r for r in results if r.status == "failed").summary == "The agent read out a record id."
    assert ("POST", f"/v1/convai/agents/{AGENT}/run-tests") in fake_elevenlabs.requests


async def test_cli_run_prints_results_and_exits_1_on_a_failure(
    elevenlabs_env: FakeToolsApi, persona_runs: Runs, capsys: pytest.CaptureFixture[str]
) -> None:
    """`tests run --agent-id`: one line per test, exit 1 when one failed."""
    _with_tools(elevenlabs_env)
    push(_client(elevenlabs_env), _suite(persona_runs, "hang-up"))
    elevenlabs_env.testing.verdicts["hang-up: simulation"] = ("failed", "A Lead was created after the hang-up.")
    rc = await asyncio.to_thread(main, ["tests", "run", "--agent-id", AGENT, "--personas", "hang-up"])
    out = capsys.readouterr().out.splitlines()
    assert rc == 1
    assert out[0] == "failed    hang-up: simulation  (A Lead was created after the hang-up.)"
    assert [line.split()[0] for line in out[1:]] == ["passed"] * 3


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--agent-id", "agent_unknown", "--personas", "hang-up"], "HTTP 404"),
        (["--agent-id", AGENT, "--personas", "new-prospect"], "run `tests push` first"),
    ],
)
async def test_cli_run_errors_exit_2(
    elevenlabs_env: FakeToolsApi, persona_runs: Runs, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    """An unknown agent, or tests never pushed, print one line and exit 2."""
    _with_tools(elevenlabs_env)
    push(_client(elevenlabs_env), _suite(persona_runs, "hang-up"))
    rc = await asyncio.to_thread(main, ["tests", "run", *argv])
    err = capsys.readouterr().err
    assert rc == 2 and err.startswith("tests run: ") and message in err and "Traceback" not in err


async def test_cli_without_an_api_key_exits_2(
    fake_elevenlabs: FakeToolsApi, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No ELEVENLABS_API_KEY: a message naming it, exit 2, no request made."""
    from service.settings import get_settings

    monkeypatch.delenv("ELEVENLABS_API_KEY", raising=False)
    monkeypatch.setenv("ELEVENLABS_BASE_URL", fake_elevenlabs.url)
    get_settings.cache_clear()
    try:
        assert main(["tests", "run", "--agent-id", AGENT, "--personas", "hang-up"]) == 2
    finally:
        get_settings.cache_clear()
    assert "set ELEVENLABS_API_KEY" in capsys.readouterr().err
    assert fake_elevenlabs.requests == []


@pytest.mark.slow  # records the persona twice, each time on a fresh embedded org (about 2 s each)
async def test_cli_push_then_diff_from_fresh_recordings_is_clean(
    elevenlabs_env: FakeToolsApi, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two recordings of a persona on fresh orgs give the same tests, so push then diff exits 0."""
    _with_tools(elevenlabs_env)
    assert await asyncio.to_thread(main, ["tests", "push", "--personas", "email-correction"]) == 0
    assert capsys.readouterr().out.count("created") == 5
    assert await asyncio.to_thread(main, ["tests", "diff", "--personas", "email-correction"]) == 0
    assert capsys.readouterr().out.count("same") == 5
