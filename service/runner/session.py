"""Run one qualification call: persona caller ↔ agent, tools through the webhook executor.

`prepare_fixtures` makes the records a persona expects to find (through the gateway's own
search/create tools, so it works against any gateway); `run_call` plays the conversation and
records the transcript and tool timeline; `service.runner.checks` then judges it.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

from service.runner.base import SEARCH, Agent
from service.runner.callers import Caller, Persona
from service.runner.webhooks import ToolResult, WebhookExecutor
from service.soql.quoting import quote_value

MAX_TURNS = 40


@dataclass
class Line:
    """One transcript line; agent lines carry the turn latency (caller message → reply)."""

    role: str
    text: str
    at: float
    latency_ms: float | None = None


@dataclass
class ToolEvent:
    """One tool call as the agent made it, with what came back."""

    name: str
    params: dict[str, Any]
    ok: bool
    status: int | None
    latency_ms: float
    result: Any
    after_line: int
    request: dict[str, Any] = field(default_factory=dict)


@dataclass
class Check:
    """One pass/fail judgement about a call."""

    name: str
    passed: bool
    detail: str = ""


@dataclass
class CallRecord:
    """Everything a report needs about one call."""

    persona: str
    agent: str
    conversation_id: str
    lines: list[Line] = field(default_factory=list)
    tools: list[ToolEvent] = field(default_factory=list)
    fixtures: dict[str, str] = field(default_factory=dict)
    hung_up: bool = False
    ended_by_agent: bool = False
    outcome: str = ""
    checks: list[Check] = field(default_factory=list)
    verification: dict[str, Any] = field(default_factory=dict)
    started: float = field(default_factory=time.time)
    duration_s: float = 0.0
    error: str | None = None

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)

    def turn_latencies(self) -> list[float]:
        return [ln.latency_ms for ln in self.lines if ln.role == "agent" and ln.latency_ms is not None]

    def to_dict(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["passed"] = self.passed
        return doc


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
        found = await executor.call(
            SEARCH,
            {"q": f"SELECT Id, Name FROM {obj} WHERE {key} = {quote_value(str(fields[key]))} LIMIT 1"},
            variables,
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


EventHook = Callable[[str, Any], None]
R = TypeVar("R", bound="CallRecord")


def setup_failed(record_type: type[R], persona: str, agent_kind: str, exc: Exception) -> R:
    """The record of a call that never started because its fixtures could not be set up."""
    record = record_type(persona=persona, agent=agent_kind, conversation_id="(not started)")
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


async def run_call(
    persona: Persona,
    agent: Agent,
    executor: WebhookExecutor,
    *,
    agent_kind: str = "rules",
    conversation_id: str | None = None,
    on_event: EventHook | None = None,
    fixtures: dict[str, str] | None = None,
) -> CallRecord:
    """Play `persona` against `agent`; returns the record (checks are added by `checks.judge`)."""
    conv_id = conversation_id or f"conv_{uuid.uuid4().hex[:20]}"
    record = CallRecord(persona=persona.name, agent=agent_kind, conversation_id=conv_id, fixtures=fixtures or {})
    recorder = CallRecorder(record, executor, on_event)
    tools, say = recorder.tool, recorder.say

    caller = Caller(persona)
    try:
        reply = await agent.greet()
        say("agent", reply.text, 0.0)
        for _ in range(MAX_TURNS):
            if reply.end_call:
                record.ended_by_agent = True
                break
            said = caller.respond(reply.text)
            if said is None:
                record.hung_up = True
                say("system", "caller hung up")
                break
            say("user", said)
            start = time.perf_counter()
            reply = await agent.reply(said, tools)
            say("agent", reply.text, (time.perf_counter() - start) * 1000)
        else:
            record.error = "the call did not finish within the turn limit"
    except Exception as exc:  # a broken agent is a failed call, reported, not a crash of the batch
        record.error = f"{type(exc).__name__}: {exc}"
    recorder.finish()
    return record
