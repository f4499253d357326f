"""Run one qualification call: persona caller ↔ agent, tools through the webhook executor.

`prepare_fixtures` makes the records a persona expects to find (through the gateway's own
search/create tools, so it works against any gateway); `play_call` plays the conversation over a
`CallIO` (how the caller's line reaches the agent and the reply reaches the caller: `TextLine` passes
text through, `service.voice.call.VoiceLine` speaks and recognises it) and records the transcript and
tool timeline; `service.runner.checks` then judges it. `run_call` is the text call.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from service.runner.base import SEARCH, Agent, AgentReply
from service.runner.call_record import CallRecord, Check, Line, ToolEvent
from service.runner.callers import Caller, Persona
from service.runner.callio import CallIO, TextLine
from service.runner.webhooks import ToolResult, WebhookExecutor
from service.soql.quoting import quote_value

MAX_TURNS = 40


def _fixture_value(value: Any, ids: dict[str, str], today: dt.date) -> Any:
    if isinstance(value, str) and value.startswith("@days:"):
        return (today + dt.timedelta(days=int(value[6:]))).isoformat()
    if isinstance(value, str) and value.startswith("@") and value[1:] in ids:
        return ids[value[1:]]
    return value


async def prepare_fixtures(persona: Persona, executor: WebhookExecutor, today: dt.date | None = None) -> dict[str, str]:
    """Ensure the persona's fixture records exist (search first, create if missing); object → id."""
    today = today or dt.date.today()
    ids: dict[str, str] = {}
    variables: dict[str, Any] = {"system__conversation_id": f"fixture-{persona.name}-{persona.tag or 'base'}"}
    for fixture in persona.fixtures:
        obj, key = fixture["object"], fixture["key"]
        fields = {k: _fixture_value(v, ids, today) for k, v in fixture["fields"].items()}
        # A person kept by name (no email on file): Name is First + Last, as the org composes it.
        value = fields.get(key) or " ".join(str(fields[k]) for k in ("FirstName", "LastName") if fields.get(k))
        found = await executor.call(
            SEARCH, {"q": f"SELECT Id, Name FROM {obj} WHERE {key} = {quote_value(str(value))} LIMIT 1"}, variables
        )
        records = found.data.get("records") if found.ok and isinstance(found.data, dict) else None
        if records:
            ids[obj] = str(records[0]["Id"])
            continue
        created = await executor.call("salesforce_create_record", {"object_type": obj, **fields}, variables)
        data = created.data if isinstance(created.data, dict) else {}
        record_id = data.get("id") or (data.get("existing") or {}).get("id") if isinstance(data, dict) else None
        if not created.ok or not record_id:
            raise RuntimeError(f"fixture {obj} for {persona.name} could not be created: {created.data!r}")
        ids[obj] = str(record_id)
    return ids


async def already_on_file(persona: Persona, executor: WebhookExecutor) -> list[str]:
    """The caller's own records before the call starts (a Lead or Contact with their email that is not a
    fixture): on a shared org, what an earlier run of this persona created. Searched only for personas
    that say what a returning caller's call should do (`expected.on_file`)."""
    if "on_file" not in persona.expected:
        return []
    variables: dict[str, Any] = {"system__conversation_id": f"fixture-{persona.name}-{persona.tag or 'base'}"}
    found: list[str] = []
    for obj in ("Lead", "Contact"):
        result = await executor.call(
            SEARCH,
            {"q": f"SELECT Id, Name FROM {obj} WHERE Email = {quote_value(str(persona.facts['email']))} LIMIT 5"},
            variables,
        )
        records = result.data.get("records") if result.ok and isinstance(result.data, dict) else None
        found += [f"{obj} {r.get('Name')} ({r.get('Id')})" for r in records or [] if isinstance(r, dict)]
    return found


EventHook = Callable[[str, Any], None]
R = TypeVar("R", bound=CallRecord)


def setup_failed(record: R, exc: Exception) -> R:
    """`record` as a call that never started because its fixtures could not be set up."""
    record.error = f"fixture setup failed: {exc}"
    record.outcome = "failed"
    record.checks = [Check("fixtures", False, record.error)]
    return record


class CallRecorder:
    """Runs a call's tool calls through the executor and records them and the spoken lines on `record`,
    timestamped from the call's start; `on_event` sees each as it happens (the live transcript)."""

    def __init__(self, record: CallRecord, executor: WebhookExecutor, on_event: EventHook | None = None) -> None:
        self.record = record
        self.executor = executor
        self.variables: dict[str, Any] = {
            "system__conversation_id": record.conversation_id,
            "system__agent_id": "embedded-agent",
        }
        self.emit: EventHook = on_event or (lambda kind, payload: None)
        self.t0 = time.perf_counter()

    async def tool(self, name: str, params: dict[str, Any]) -> ToolResult:
        """Call a webhook tool as the platform would and record the call."""
        result = await self.executor.call(name, params, self.variables)
        event = ToolEvent(
            name,
            params,
            result.ok,
            result.status,
            result.latency_ms,
            result.for_agent,
            len(self.record.lines),
            result.request,
        )
        self.record.tools.append(event)
        self.emit("tool", event)
        return result

    def say(self, role: str, text: str, latency: float | None = None) -> None:
        """Record a line of the conversation."""
        line = Line(role, text, time.perf_counter() - self.t0, latency)
        self.record.lines.append(line)
        self.emit("line", line)

    def finish(self) -> None:
        """Stamp the call's duration."""
        self.record.duration_s = time.perf_counter() - self.t0


async def play_call(
    persona: Persona,
    agent: Agent,
    executor: WebhookExecutor,
    line: CallIO[R],
    *,
    agent_kind: str = "rules",
    conversation_id: str | None = None,
    on_event: EventHook | None = None,
    fixtures: dict[str, str] | None = None,
) -> R:
    """Play `persona` against `agent` over `line`; returns the record (checks are added by `checks.judge`)."""
    record = line.new_record(persona.name, agent_kind, conversation_id or f"conv_{uuid.uuid4().hex[:20]}")
    record.fixtures = fixtures or {}
    recorder = CallRecorder(record, executor, on_event)
    tools, say = recorder.tool, recorder.say

    caller = Caller(persona)
    try:
        reply: AgentReply = await agent.greet()
        say("agent", reply.text, 0.0)
        line.start(reply.text)
        for _ in range(MAX_TURNS):
            if reply.end_call:
                record.ended_by_agent = True
                break
            said = caller.respond(reply.text)
            if said is None:
                record.hung_up = True
                say("system", "caller hung up")
                break
            heard = line.hear(said, reply.slot if reply.slot is not None else agent.expected_slot)
            say("user", heard)
            start = time.perf_counter()
            reply = await agent.reply(heard, tools)
            say("agent", reply.text, line.deliver(reply.text, (time.perf_counter() - start) * 1000))
        else:
            record.error = "the call did not finish within the turn limit"
    except Exception as exc:  # a broken agent or backend is a failed call, reported, not a crash of the batch
        record.error = f"{type(exc).__name__}: {exc}"
    finally:
        recorder.finish()
        line.finish()
    return record


async def run_call(
    persona: Persona,
    agent: Agent,
    executor: WebhookExecutor,
    *,
    agent_kind: str = "rules",
    fixtures: dict[str, str] | None = None,
) -> CallRecord:
    """The text call on its own: `play_call` over a `TextLine`."""
    return await play_call(persona, agent, executor, TextLine(), agent_kind=agent_kind, fixtures=fixtures)
