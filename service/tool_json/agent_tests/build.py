"""The ElevenLabs test bodies for one persona and its run on the embedded org.

* a simulation test: the caller played from the persona, success conditions from our checks, the
  three tools mocked with what the org answered in the run (nothing real is touched: a call no mock
  matches is an error, never the real tool);
* tool-call tests at the decisive turns: the first search, and every create with its fields;
* response tests for the guardrails: an off-topic question and a privacy probe.

Bodies are plain dicts in the `POST /v1/convai/agent-testing/create` shape; `validate` checks them.
"""

from __future__ import annotations

from typing import Any

from service.errors import ConfigError
from service.runner.base import CREATE, SEARCH, spoken_email
from service.runner.call_record import CallRecord
from service.runner.callers import Persona
from service.tool_json.agent_tests.expect import describe, escape, expected_creates, parameter_eval
from service.tool_json.agent_tests.scenario import OFF_TOPIC, PRIVACY, guardrail_question, scenario
from service.tool_json.agent_tests.transcript import TOOL_NAMES, chat_history, tool_mocks

_DECLINE = "only help with"  # the declining phrase our agent uses (checks.declines_off_topic)


def suite_names(persona: Persona) -> list[str]:
    """Every test name a persona contributes, in order; names depend on the persona alone."""
    names = [f"{persona.name}: simulation", f"{persona.name}: searches before creating"]
    names += [f"{persona.name}: creates {want['object']}" for want in persona.expected.get("creates", [])]
    return names + [f"{persona.name}: guardrail {kind}" for kind in (OFF_TOPIC, PRIVACY)]


def _conditions(persona: Persona, record: CallRecord) -> list[str]:
    email = str(persona.facts["email"])
    out = [
        "Before creating any record, the agent searched the CRM with salesforce_search_records "
        "for the caller or the company.",
    ]
    creates = expected_creates(persona, record.fixtures)
    if any(fields.get("Email") for _obj, fields in creates):
        out.append(
            f'Before creating the record, the agent read the email address back (for example "{spoken_email(email)}") '
            "and the caller confirmed it."
        )
    if creates:
        out.append("The agent created " + "; then ".join(describe(o, f) for o, f in creates) + ", and nothing else.")
    else:
        out.append("The agent created no record (salesforce_create_record was not called).")
    mentions = persona.expected.get("mentions", [])
    named = f"named the caller's open opportunities ({'; '.join(mentions)}) and " if mentions else ""
    out.append(
        f"The agent {named}never spoke a record id "
        "(15- or 18-character Salesforce ids such as 001..., 003..., 00Q..., 006...)."
    )
    if persona.expected.get("greets_by_name"):
        out.append(
            "Once the caller was found on file, the agent welcomed them back by first name "
            f"({persona.facts['first_name']})."
        )
    if persona.expected.get("declines"):
        out.append(
            f"The agent politely declined each off-topic request ({persona.expected['declines']} in all) "
            "and steered back to qualifying the caller."
        )
    return out


def simulation_test(persona: Persona, record: CallRecord) -> dict[str, Any]:
    """The whole call, role-played, with the org's answers as mocks."""
    users = sum(1 for line in record.lines if line.role == "user")
    mocks = tool_mocks(record)
    return {
        "type": "simulation",
        "name": f"{persona.name}: simulation",
        "simulation_scenario": scenario(persona),
        "success_conditions": _conditions(persona, record),
        "simulation_max_turns": users + 6,
        "dynamic_variables": {"test_persona": persona.name, "caller_company": str(persona.facts["company"])},
        "tool_mock_config": {
            "mocking_strategy": "selected",
            "mocked_tool_ids": list(TOOL_NAMES),
            "fallback_strategy": "raise_error",
        },
        "tool_mock_overrides": {name: mocks[name] for name in TOOL_NAMES if name in mocks},
    }


def _tool_test(
    name: str, persona: Persona, history: list[dict[str, Any]], tool: str, params: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "type": "tool",
        "name": name,
        "chat_history": history,
        "dynamic_variables": {"test_persona": persona.name},
        "tool_call_parameters": {"referenced_tool": {"id": tool, "type": "webhook"}, "parameters": params},
        "check_any_tool_matches": True,
    }


def search_test(persona: Persona, record: CallRecord) -> dict[str, Any]:
    """At the turn the run first searched: the agent's next action is a search (any of the ones it
    may fire in parallel), about the caller's email or company."""
    first = next((i for i, e in enumerate(record.tools) if e.name == SEARCH), None)
    if first is None:
        raise ConfigError(f"persona {persona.name}: the run made no search, so there is no search test to write")
    event = record.tools[first]
    about = "|".join(escape(str(persona.facts[k])) for k in ("email", "company") if persona.facts.get(k))
    param = {"path": "q", "eval": {"type": "regex", "pattern": rf"\bFROM\b[\s\S]*({about})"}}
    history = chat_history(record, event.after_line, before_tool=first)
    return _tool_test(f"{persona.name}: searches before creating", persona, history, SEARCH, [param])


def create_tests(persona: Persona, record: CallRecord) -> list[dict[str, Any]]:
    """One per expected create, at the turn the run made it: object and every expected field."""
    made = [(i, e) for i, e in enumerate(record.tools) if e.name == CREATE and e.ok]
    tests = []
    for obj, fields in expected_creates(persona, record.fixtures):
        found = next(((i, e) for i, e in made if e.params.get("object_type") == obj), None)
        if found is None:
            raise ConfigError(
                f"persona {persona.name}: the run created no {obj}; fix the call before exporting its tests"
            )
        index, event = found
        params = [{"path": "object_type", "eval": {"type": "exact", "expected_value": obj}}]
        params += [{"path": field, "eval": parameter_eval(field, want)} for field, want in fields.items()]
        history = chat_history(record, event.after_line, before_tool=index)
        tests.append(_tool_test(f"{persona.name}: creates {obj}", persona, history, CREATE, params))
    return tests


def guardrail_tests(persona: Persona, record: CallRecord) -> list[dict[str, Any]]:
    """The agent's next reply to an off-topic question and to a privacy probe, judged by the LLM."""
    greeting = record.lines[0] if record.lines and record.lines[0].role == "agent" else None
    opening = [{"role": "agent", "message": greeting.text, "time_in_call_secs": 0}] if greeting else []
    declined = next((ln.text for ln in record.lines if ln.role == "agent" and _DECLINE in ln.text.lower()), None)
    tests = []
    for kind in (OFF_TOPIC, PRIVACY):
        question, condition, good, bad = guardrail_question(kind, persona, declined)
        history = [*opening, {"role": "user", "message": question, "time_in_call_secs": 2}]
        tests.append(
            {
                "type": "llm",
                "name": f"{persona.name}: guardrail {kind}",
                "chat_history": history,
                "dynamic_variables": {"test_persona": persona.name},
                "success_condition": condition,
                "success_examples": [{"type": "success", "response": good}],
                "failure_examples": [{"type": "failure", "response": bad}],
            }
        )
    return tests


def persona_tests(persona: Persona, record: CallRecord) -> list[dict[str, Any]]:
    """Every test body for one persona, in `suite_names` order. A run that failed its checks is
    refused: its answers would make wrong mocks and wrong expectations."""
    failed = [c for c in record.checks if not c.passed]
    if not record.checks or failed or record.error:
        why = record.error or "; ".join(f"{c.name}: {c.detail}" for c in failed) or "the call was not judged"
        raise ConfigError(f"persona {persona.name} did not pass its checks on the org ({why}); nothing exported")
    return [
        simulation_test(persona, record),
        search_test(persona, record),
        *create_tests(persona, record),
        *guardrail_tests(persona, record),
    ]
