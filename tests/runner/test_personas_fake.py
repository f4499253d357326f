"""Every persona against the fake gateway: the runner's own loop, independent of the real stack."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from service.runner.agent import QualificationAgent
from service.runner.callers import PERSONA_NAMES, load_persona
from service.runner.checks import judge
from service.runner.session import prepare_fixtures, run_call
from service.runner.webhooks import WebhookExecutor


@pytest.mark.parametrize("name", PERSONA_NAMES)
async def test_persona_passes_its_checks_on_the_fake_gateway(name: str, fake_executor: WebhookExecutor) -> None:
    """The rules agent passes every check for each persona."""
    persona = load_persona(name)
    fixtures = await prepare_fixtures(persona, fake_executor)
    record = await run_call(persona, QualificationAgent(), fake_executor, fixtures=fixtures)
    checks = await judge(record, persona, fake_executor)
    transcript = "\n".join(f"{ln.role}: {ln.text}" for ln in record.lines)
    assert all(c.passed for c in checks), f"{[c for c in checks if not c.passed]}\n{transcript}"


async def test_unreachable_records_are_said_and_the_call_still_completes(
    fake_executor: WebhookExecutor, fake_app: FastAPI
) -> None:
    """When searches fail the agent says so, still qualifies, and the Lead is created once."""
    fake_app.state.fail_searches = True
    persona = load_persona("new-prospect")
    record = await run_call(persona, QualificationAgent(), fake_executor)
    said = " ".join(ln.text for ln in record.lines if ln.role == "agent")
    assert "couldn't reach our records" in said
    assert record.ended_by_agent and len(fake_app.state.store["Lead"]) == 1


async def test_known_details_from_dynamic_variables_are_not_asked_again(fake_executor: WebhookExecutor) -> None:
    """A caller's name, email and company passed as dynamic variables skip those questions."""
    persona = load_persona("new-prospect")
    known = {
        "caller_name": "Priya Natarajan",
        "caller_email": str(persona.facts["email"]),
        "caller_company": str(persona.facts["company"]),
    }
    record = await run_call(persona, QualificationAgent(dynamic_variables=known), fake_executor)
    asked = " ".join(ln.text for ln in record.lines if ln.role == "agent").lower()
    assert "full name" not in asked and "which company" not in asked and "email address?" not in asked
    assert record.lines[0].text.startswith("Hi Priya")
    assert record.ended_by_agent and record.tools[0].name == "salesforce_search_records"
