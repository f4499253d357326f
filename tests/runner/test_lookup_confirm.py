"""The rules agent and the tolerant search's `suggestions`: confirm by name and company, then use or go on."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import FastAPI

from service.runner.agent import QualificationAgent
from service.runner.base import CREATE
from service.runner.callers import load_persona
from service.runner.checks import judge
from service.runner.run import run_persona
from service.runner.session import prepare_fixtures, run_call
from service.runner.webhooks import WebhookExecutor

LOOKALIKE = json.loads((Path(__file__).parent / "fixtures" / "lookalike_contact.json").read_text())


async def _seed_lookalike(executor: WebhookExecutor) -> None:
    variables = {"system__conversation_id": "seed-lookalike"}
    account = await executor.call(CREATE, {"object_type": "Account", **LOOKALIKE["account"]}, variables)
    assert account.ok and isinstance(account.data, dict)
    contact = {"object_type": "Contact", **LOOKALIKE["contact"], "AccountId": account.data["id"]}
    assert (await executor.call(CREATE, contact, variables)).ok


async def test_a_confirmed_suggestion_is_used_and_nothing_is_created(
    fake_executor: WebhookExecutor, fake_app: FastAPI
) -> None:
    """'Steven Byrne' gets a suggestion; on yes the agent greets Stephen from the record and creates nothing."""
    persona = load_persona("misheard-homophone")
    fixtures = await prepare_fixtures(persona, fake_executor)
    record = await run_call(persona, QualificationAgent(), fake_executor, fixtures=fixtures)
    said = [ln.text for ln in record.lines if ln.role == "agent"]
    asked = [t for t in said if "closest match is Stephen Byrne at Halcyon Robotics" in t]
    assert len(asked) == 1 and asked[0].endswith("Is that who I'm speaking with?")
    assert any("Welcome back, Stephen!" in t for t in said)
    assert [e for e in record.tools if e.name == CREATE] == []
    assert len(fake_app.state.store["Contact"]) == 1


async def test_a_denied_suggestion_goes_on_as_a_new_prospect(fake_executor: WebhookExecutor, fake_app: FastAPI) -> None:
    """A look-alike record the caller says isn't them is not used: the caller becomes a Lead of their own."""
    await _seed_lookalike(fake_executor)
    persona = load_persona("new-prospect")
    record = await run_call(persona, QualificationAgent(), fake_executor)
    lines = [(ln.role, ln.text) for ln in record.lines]
    confirm = next(i for i, (_r, t) in enumerate(lines) if "Is that who I'm speaking with?" in t)
    assert "Priyanka Natarajan at Northstar Labs" in lines[confirm][1]
    assert lines[confirm + 1] == ("user", "No, that's not me.")
    assert sum("Is that who I'm speaking with?" in t for _r, t in lines) == 1  # the denied id is not offered again
    leads = fake_app.state.store["Lead"]
    assert [(r["Email"], r["Company"]) for r in leads] == [(persona.facts["email"], "Brightwave Analytics")]
    assert all(c.passed for c in await judge(record, persona, fake_executor))


async def test_a_rerun_on_the_same_org_finds_the_caller_it_created(
    fake_executor: WebhookExecutor, fake_app: FastAPI
) -> None:
    """The second new-prospect call on one org is a returning caller: found, passed, no second Lead."""
    first = await run_persona("new-prospect", fake_executor)
    second = await run_persona("new-prospect", fake_executor)
    assert (first.outcome, first.passed) == ("created", True)
    assert (second.outcome, second.passed) == ("existing", True)
    assert {c.name for c in second.checks} >= {"returning_caller_found", "nothing_duplicated"}
    assert second.verification["on_file_before_call"] and len(fake_app.state.store["Lead"]) == 1
