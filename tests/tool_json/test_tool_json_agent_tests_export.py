"""`tests export`: ElevenLabs agent tests built from every persona's run on the embedded org."""

from __future__ import annotations

import asyncio
import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from service.cli import main
from service.errors import ConfigError
from service.runner.callers import Persona
from service.runner.session import CallRecord, Check
from service.tool_json.agent_tests.build import persona_tests, suite_names
from service.tool_json.agent_tests.suite import bodies_for, file_name
from service.tool_json.agent_tests.transcript import TOOL_NAMES, stable_conversation_id
from service.tool_json.agent_tests.validate import validate_test

Runs = list[tuple[Persona, CallRecord]]
INVALID = json.loads((Path(__file__).with_name("agent_tests_invalid.json")).read_text())


def _by_name(runs: Runs) -> dict[str, dict[str, Any]]:
    return {body["name"]: body for body in bodies_for(runs)}


def _matches(condition: dict[str, Any], params: dict[str, Any]) -> bool:
    """How the platform applies one parameter condition (exact / regex / anything)."""
    value, ev = params.get(condition["path"]), condition["eval"]
    if ev["type"] == "exact":
        return str(value) == ev["expected_value"]
    if ev["type"] == "regex":
        return value is not None and re.search(ev["pattern"], str(value)) is not None
    return ev["type"] == "anything"


def _answer(record: CallRecord, result: Any) -> Any:
    """What the org answered, with the run's conversation id as exported."""
    text = json.dumps(result, ensure_ascii=False).replace(record.conversation_id, stable_conversation_id(record))
    return json.loads(text)


@pytest.mark.slow  # records all eight personas on a fresh org (about 6 s), shared by the session
async def test_every_body_validates_against_the_sdk_models(persona_runs: Runs) -> None:
    """All personas export, and each body parses with its SDK create-request model and the API's rules."""
    from elevenlabs import CreateResponseUnitTestRequest, CreateSimulationTestRequest, CreateToolCallUnitTestRequest

    models = {
        "llm": CreateResponseUnitTestRequest,
        "tool": CreateToolCallUnitTestRequest,
        "simulation": CreateSimulationTestRequest,
    }
    bodies = bodies_for(persona_runs)
    assert [b["name"] for b in bodies] == [n for persona, _rec in persona_runs for n in suite_names(persona)]
    for body in bodies:
        assert isinstance(validate_test(body), models[body["type"]])
    assert {b["type"] for b in bodies} == {"llm", "tool", "simulation"}


async def test_no_secret_in_the_bodies(persona_runs: Runs, persona_stack: Any) -> None:
    """The gateway's webhook secret, which every recorded tool call carried, is in no exported body."""
    text = json.dumps(bodies_for(persona_runs))
    assert persona_stack.secret and persona_stack.secret not in text
    assert "X-Webhook-Secret" not in text


def _patterns(value: Any) -> list[str]:
    if isinstance(value, dict):
        own = [value["pattern"]] if value.get("type") == "regex" else []
        return own + [p for item in value.values() for p in _patterns(item)]
    if isinstance(value, list):
        return [p for item in value for p in _patterns(item)]
    return []


async def test_patterns_read_the_same_in_python_and_javascript(persona_runs: Runs) -> None:
    """No pattern uses escapes JavaScript's unicode mode rejects (an escaped space or dash)."""
    patterns = _patterns(bodies_for(persona_runs))
    assert len(patterns) > 20
    assert not [p for p in patterns if "\\ " in p or "\\-" in p or "\\@" in p]


async def test_simulation_mocks_equal_what_the_org_answered(persona_runs: Runs) -> None:
    """Every tool call of every run has a mock whose result is the org's answer and whose conditions match it."""
    tests = _by_name(persona_runs)
    for persona, record in persona_runs:
        body = tests[f"{persona.name}: simulation"]
        assert body["tool_mock_config"] == {
            "mocking_strategy": "selected",
            "mocked_tool_ids": list(TOOL_NAMES),
            "fallback_strategy": "raise_error",
        }
        overrides = body["tool_mock_overrides"]
        assert record.tools, persona.name
        for event in record.tools:
            first = next(
                m for m in overrides[event.name] if all(_matches(c, event.params) for c in m["parameter_conditions"])
            )
            assert json.loads(first["mock_result"]) == _answer(record, event.result), (persona.name, event.params)
            assert first["is_error"] is (not event.ok)


async def test_simulation_conditions_come_from_the_checks(persona_runs: Runs) -> None:
    """The existing-account deal's conditions name the search, the read-back, both creates and the opportunity."""
    body = _by_name(persona_runs)["existing-account-deal: simulation"]
    text = "\n".join(body["success_conditions"])
    assert "salesforce_search_records" in text
    assert "marcus dot webb at contoso dash mfg dot com" in text
    assert 'a Contact with FirstName "Marcus"' in text and 'an Opportunity with AccountId "' in text
    assert "Contoso Manufacturing - Plant Safety Audit" in text and "never spoke a record id" in text
    assert "Marcus Webb" in body["simulation_scenario"] and "312 555 0199" in body["simulation_scenario"]


async def test_create_test_checks_the_object_and_fields_the_run_sent(persona_runs: Runs) -> None:
    """Each create test expects the persona's object and fields, and the run's own create satisfies it."""
    tests = _by_name(persona_runs)
    for persona, record in persona_runs:
        for want in persona.expected.get("creates", []):
            body = tests[f"{persona.name}: creates {want['object']}"]
            params = body["tool_call_parameters"]["parameters"]
            assert params[0] == {"path": "object_type", "eval": {"type": "exact", "expected_value": want["object"]}}
            assert {p["path"] for p in params[1:]} == set(want["fields"])
            made = next(
                e
                for e in record.tools
                if e.name == "salesforce_create_record" and e.params.get("object_type") == want["object"]
            )
            assert all(_matches(p, made.params) for p in params), (persona.name, made.params)


async def test_search_test_history_stops_before_the_first_search(persona_runs: Runs) -> None:
    """The search test replays the call up to the caller giving their email, with no tool call yet."""
    persona, record = next(r for r in persona_runs if r[0].name == "new-prospect")
    body = _by_name(persona_runs)["new-prospect: searches before creating"]
    history = body["chat_history"]
    assert history[-1]["role"] == "user" and persona.facts["email"] in history[-1]["message"]
    assert not any(turn.get("tool_calls") for turn in history)
    first = next(e for e in record.tools if e.name == "salesforce_search_records")
    assert _matches(body["tool_call_parameters"]["parameters"][0], first.params)


async def test_guardrail_tests_use_the_agents_own_decline(persona_runs: Runs) -> None:
    """The off-topic response test's good example is the decline the agent said in the off-topic run."""
    body = _by_name(persona_runs)["off-topic: guardrail off-topic"]
    _persona, record = next(r for r in persona_runs if r[0].name == "off-topic")
    said = [ln.text for ln in record.lines if ln.role == "agent"]
    assert body["success_examples"][0]["response"] in said
    assert body["chat_history"][-1]["message"].startswith("Before we start")
    privacy = _by_name(persona_runs)["existing-account-deal: guardrail privacy"]
    assert "Laura Chen" in privacy["chat_history"][-1]["message"]


async def test_a_run_that_failed_its_checks_is_refused(persona_runs: Runs) -> None:
    """Mocks from a failed call would be wrong, so its persona is refused with the failed check named."""
    persona, record = persona_runs[0]
    failed = copy.deepcopy(record)
    failed.checks = [*failed.checks[:-1], Check("outcome", False, "expected created, got failed")]
    with pytest.raises(ConfigError, match="outcome: expected created"):
        persona_tests(persona, failed)


@pytest.mark.parametrize("case", INVALID, ids=[c["why"] for c in INVALID])
async def test_invalid_bodies_are_refused(persona_runs: Runs, case: dict[str, Any]) -> None:
    """Each broken body is refused with a message that names the problem."""
    tests = _by_name(persona_runs[:1])
    body = copy.deepcopy(next(b for b in tests.values() if b["type"] == case["type"]))
    body.update(case["set"])
    with pytest.raises(ConfigError, match=re.escape(case["error"])):
        validate_test(body)


async def test_cli_export_writes_one_file_per_test(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`tests export --personas new-prospect` writes its five tests, each valid."""
    out = tmp_path / "tests"
    rc = await asyncio.to_thread(main, ["tests", "export", "--out", str(out), "--personas", "new-prospect"])
    assert rc == 0
    files = sorted(p.name for p in out.glob("*.json"))
    assert files == sorted(
        file_name(n)
        for n in [
            "new-prospect: simulation",
            "new-prospect: searches before creating",
            "new-prospect: creates Lead",
            "new-prospect: guardrail off-topic",
            "new-prospect: guardrail privacy",
        ]
    )
    for path in out.glob("*.json"):
        validate_test(json.loads(path.read_text()))
    assert str(out / "new-prospect-simulation.json") in capsys.readouterr().out


async def test_cli_export_records_through_a_running_gateway(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--base-url` records the calls through a gateway already running, with WEBHOOK_SECRET."""
    from service.runner.stack import Stack
    from service.settings import get_settings

    out = tmp_path / "tests"
    with Stack(data_dir=tmp_path / "org") as stack:
        assert stack.secret is not None
        monkeypatch.setenv("WEBHOOK_SECRET", stack.secret)
        get_settings.cache_clear()
        try:
            argv = ["tests", "export", "--out", str(out), "--personas", "hang-up", "--base-url", str(stack.gateway_url)]
            rc = await asyncio.to_thread(main, argv)
        finally:
            get_settings.cache_clear()
    assert rc == 0, capsys.readouterr().err
    sim = json.loads((out / "hang-up-simulation.json").read_text())
    assert "nina.petrova@arcticfreight.com" in sim["tool_mock_overrides"]["salesforce_search_records"][0]["mock_result"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--personas", "nobody"], "unknown persona(s) nobody"),
        (["--personas", ","], "unknown persona(s) (none given)"),
        (["--base-url", "ftp://gateway"], "--base-url must be an absolute http(s) URL"),
        (["--base-url", "http://127.0.0.1:9"], "set WEBHOOK_SECRET"),
    ],
)
async def test_cli_bad_input_exits_2_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    """Bad options print one line naming the problem, exit 2 and leave no directory behind."""
    from service.settings import get_settings

    monkeypatch.delenv("WEBHOOK_SECRET", raising=False)
    get_settings.cache_clear()
    out = tmp_path / "tests"
    try:
        rc = await asyncio.to_thread(main, ["tests", "export", "--out", str(out), *argv])
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert rc == 2 and err.startswith("tests export: ") and message in err
    assert "Traceback" not in err and not out.exists()
