"""The runner's end of a call: send the post-call event ElevenLabs would send, then check the Task.

`PostCallLogger` is called with each finished call record and the agent (for the slots it filled):
it builds a `post_call_transcription` event (transcript, a summary, data collection from the
slots), signs it with the post-call secret, POSTs it to the gateway's webhook, waits for the
delivery to settle and adds the `call_logged` check: exactly one Task, on the caller's record.
A call that never reached a record (a caller who hangs up before giving a name) passes when no
Task was made and the gateway kept the event as undeliverable (nothing lost, nothing invented).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx2

from service.calls_log.signature import HEADER, sign
from service.runner.call_record import CallRecord, Check, Line, ToolEvent

log = logging.getLogger("service.calls_log")
_SETTLE_SECONDS = 20.0
# slot the rules agent fills → data-collection id of the agent export
_SLOTS = {
    "employees": "company_size",
    "industry": "industry",
    "challenges": "pain_points",
    "budget": "budget",
    "timeline": "timeline",
    "decision_maker": "authority",
}
_WHO = ("Lead", "Contact")


def filled_slots(agent: object) -> dict[str, Any]:
    """What the agent collected (the rules agent's facts; an agent without slots gives nothing)."""
    facts = getattr(agent, "facts", None)
    values = getattr(facts, "values", None)
    return dict(values) if isinstance(values, dict) else {}


def post_call_event(record: CallRecord, slots: Mapping[str, Any], agent_id: str = "embedded-agent") -> dict[str, Any]:
    """The `post_call_transcription` body for `record`, in the platform's shape."""
    collected = {
        item: {"data_collection_id": item, "value": str(slots[key]), "rationale": "filled during the call"}
        for key, item in _SLOTS.items()
        if slots.get(key) not in (None, "")
    }
    collected["outcome"] = {"data_collection_id": "outcome", "value": _outcome(record), "rationale": "runner"}
    transcript = [
        {"role": "agent" if ln.role == "agent" else "user", "message": ln.text, "time_in_call_secs": int(ln.at)}
        for ln in record.lines
        if ln.role in ("agent", "user")
    ]
    return {
        "type": "post_call_transcription",
        "event_timestamp": int(time.time()),
        "data": {
            "agent_id": agent_id,
            "conversation_id": record.conversation_id,
            "status": "done",
            "transcript": transcript,
            "metadata": {"start_time_unix_secs": int(record.started), "call_duration_secs": round(record.duration_s)},
            "analysis": {
                "evaluation_criteria_results": {},
                "data_collection_results": collected,
                "call_successful": "success" if not record.error and not record.hung_up else "failure",
                "transcript_summary": _summary(record, slots),
            },
        },
    }


def _outcome(record: CallRecord) -> str:
    if record.hung_up:
        return "caller hung up"
    made = [e.params.get("object_type") for e in record.tools if e.name.endswith("create_record") and e.ok]
    return f"created {', '.join(str(m) for m in made)}" if made else "existing customer"


def _summary(record: CallRecord, slots: Mapping[str, Any]) -> str:
    who = " ".join(str(slots[k]) for k in ("first_name", "last_name") if slots.get(k)) or "The caller"
    company = f" from {slots['company']}" if slots.get("company") else ""
    need = f" about: {slots['challenges']}" if slots.get("challenges") else ""
    return f"{who}{company} called{need}. Outcome: {_outcome(record)}; {len(record.tools)} tool call(s)."


def expected_who(record: CallRecord) -> str | None:
    """The caller's record: the Lead/Contact created in the call, else the one the persona already had."""
    for event in reversed(record.tools):
        data = event.result if isinstance(event.result, dict) else {}
        if event.name.endswith("create_record") and event.ok and event.params.get("object_type") in _WHO:
            if isinstance(data.get("id"), str):
                return str(data["id"])
    for obj in _WHO:
        if obj in record.fixtures:
            return record.fixtures[obj]
    return None


class PostCallLogger:
    """Sends a finished call's post-call event to the gateway and judges the Task it became."""

    def __init__(
        self,
        base_url: str,
        post_call_secret: str,
        tools_secret: str,
        transport: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._secret, self._tools_secret = post_call_secret, tools_secret
        self._transport = transport

    async def __call__(self, record: CallRecord, agent: object) -> None:
        if record.conversation_id.startswith("("):  # never started (fixture setup failed)
            return
        body = json.dumps(post_call_event(record, filled_slots(agent))).encode()
        async with httpx2.AsyncClient(transport=self._transport, base_url=self.base_url, timeout=10.0) as client:
            sent = await client.post(
                "/webhooks/elevenlabs/post-call",
                content=body,
                headers={HEADER: sign(body, self._secret), "content-type": "application/json"},
            )
            status = await self._settled(client, record.conversation_id) if sent.status_code == 200 else {}
        record.verification["post_call"] = {"status": sent.status_code, **status}
        record.checks.append(_judge(record, sent.status_code, status))

    async def _settled(self, client: httpx2.AsyncClient, conversation_id: str) -> dict[str, Any]:
        stop = time.monotonic() + _SETTLE_SECONDS
        while True:
            r = await client.get(
                f"/webhooks/elevenlabs/post-call/{conversation_id}", headers={"X-Webhook-Secret": self._tools_secret}
            )
            doc: dict[str, Any] = r.json() if r.status_code == 200 else {"error": r.text[:200]}
            events = doc.get("events") or []
            if (events and all(e["state"] != "pending" for e in events)) or time.monotonic() > stop:
                return doc
            await asyncio.sleep(0.1)


def _judge(record: CallRecord, sent: int, status: Mapping[str, Any]) -> Check:
    if sent != 200:
        return Check("call_logged", False, f"the gateway answered the post-call event with {sent}")
    tasks = list(status.get("tasks") or [])
    events = list(status.get("events") or [])
    who = expected_who(record)
    if who is None:
        kept = any(e["state"] == "dead" for e in events)
        return Check("call_logged", not tasks and kept, f"no caller record: {len(tasks)} Task(s), event kept: {kept}")
    on_record = [t for t in tasks if str(t.get("WhoId") or "")[:15] == who[:15]]
    detail = f"{len(tasks)} Task(s), {len(on_record)} on {who}"
    if tasks:
        detail += f": {tasks[0].get('Subject')!r}"
    elif events:
        detail += f" ({events[0]['state']}: {events[0].get('error')})"
    return Check("call_logged", len(tasks) == 1 and len(on_record) == 1, detail)


def task_section(post_call: Mapping[str, Any] | None, esc: Callable[[Any], str]) -> str:
    """The report's "Logged in Salesforce" section: the call's Task(s) and the event's delivery."""
    if not post_call:
        return ""
    rows = "".join(
        f"<tr><td><code>{esc(t.get('Id'))}</code></td><td>{esc(t.get('Subject'))}</td>"
        f"<td><code>{esc(t.get('WhoId'))}</code></td><td><code>{esc(t.get('WhatId') or '')}</code></td>"
        f"<td>{esc(t.get('CallDurationInSeconds'))} s</td>"
        f"<td><pre>{esc(t.get('Description'))}</pre></td></tr>"
        for t in post_call.get("tasks") or []
    )
    events = ", ".join(f"{esc(e['key'])}: {esc(e['state'])}" for e in post_call.get("events") or [])
    return (
        f"<h2>Logged in Salesforce</h2><p>post-call event answered {esc(post_call.get('status'))}; {events}</p>"
        "<table><tr><th>Task</th><th>subject</th><th>who</th><th>what</th><th>duration</th><th>description</th></tr>"
        f"{rows or '<tr><td colspan=6>no Task</td></tr>'}</table>"
    )


def record_from_log(conversation_id: str, log: list[dict[str, Any]], started: float) -> CallRecord:
    """An agent-server session's log as the `CallRecord` the post-call event is built from."""
    record = CallRecord("agent-server", "agent-server", conversation_id, started=started)
    for item in log:
        kind = item.get("event")
        if kind in ("agent", "user"):
            record.lines.append(Line(str(kind), str(item.get("text") or ""), time.time() - started))
        elif kind == "tool":
            params = dict(item.get("params") or {})
            record.tools.append(
                ToolEvent(
                    str(item["name"]), params, bool(item.get("ok")), item.get("status"), 0.0, item.get("result"), 0
                )
            )
        elif kind == "client_gone":
            record.hung_up = True
    record.duration_s = time.time() - started
    return record


def session_end_hook(logger: PostCallLogger | None) -> Callable[[Any], Any] | None:
    """The agent server's end-of-session hook: the session's post-call event, its `call_logged` logged."""
    if logger is None:
        return None

    async def on_end(conversation: Any) -> None:
        record = record_from_log(conversation.id, conversation.log, conversation.started)
        await logger(record, conversation.agent)
        check = record.checks[-1] if record.checks else None
        if check is not None:
            log.info("conversation %s: %s %s (%s)", record.conversation_id, check.name, check.passed, check.detail)

    return on_end
