"""The post-call fault cells: a signed post-call event while the org is down, slow, or resets after
committing the Task. Real uvicorn servers on loopback, a fresh org and gateway per cell.

A cell is green when the webhook was answered 200 at once (whatever the org does), and once the
fault is gone the org holds exactly one Task for the conversation (none lost, none duplicated).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import uuid
from dataclasses import dataclass

import httpx2
from pydantic import SecretStr

from benchmarks.drills import SECRET, Cell, Template, gateway_settings, start_gateway
from service.calls_log.signature import HEADER, sign
from service.org.faults import Faults
from service.org.server import OrgServer

POST_CALL_SECRET = secrets.token_urlsafe(24)  # per process, like the tools secret
PATH = "/webhooks/elevenlabs/post-call"
_ANSWER_LIMIT = 1.0  # the webhook must answer this fast whatever the org does
_SETTLE = 60.0


@dataclass(frozen=True)
class PostCallScenario:
    """A fault during delivery: kind, scope, uses, delay (s) and how long before it is cleared."""

    name: str
    kind: str
    scope: str = "api"
    times: int | None = None
    delay: float = 0.0
    clear_after: float = 2.0


POST_CALL_SCENARIOS: tuple[PostCallScenario, ...] = (
    PostCallScenario("post_call_org_down", "unavailable", times=None, clear_after=3.0),
    PostCallScenario("post_call_slow", "delay", times=3, delay=2.5, clear_after=8.0),
    PostCallScenario("post_call_reset_after_commit", "reset_after_commit", scope="create", times=1, clear_after=0.0),
)


def _event(conversation_id: str) -> bytes:
    analysis = {"transcript_summary": "Drill call.", "call_successful": "success", "data_collection_results": {}}
    data = {"conversation_id": conversation_id, "agent_id": "drill", "analysis": analysis, "metadata": {}}
    return json.dumps({"type": "post_call_transcription", "event_timestamp": int(time.time()), "data": data}).encode()


def _tasks(org: OrgServer, conversation_id: str) -> int:
    rows = org.state.store.execute('SELECT COUNT(*) FROM "Task" WHERE CallObject = ?', (conversation_id,))
    return int(rows[0][0])


async def run_post_call_cell(scenario: PostCallScenario, template: Template, *, budget: float, attempt: float) -> Cell:
    """One post-call fault cell (see the module docstring)."""
    cell = Cell(scenario.name, "post_call", budget=budget)
    faults = Faults()
    conversation = f"drill-{uuid.uuid4().hex[:12]}"
    org = await asyncio.to_thread(OrgServer(data_dir=template.copy(), faults=faults, seed_if_empty=False).start)
    settings = gateway_settings(org, budget, attempt).model_copy(
        update={
            "elevenlabs_webhook_secret": SecretStr(POST_CALL_SECRET),
            "post_call_outbox": org.data_dir / "outbox.sqlite3",
            "post_call_retry_base": 0.2,
            "post_call_retry_max": 1.0,
            "post_call_delivery_timeout": budget,
        }
    )
    gateway = await asyncio.to_thread(start_gateway, settings)
    headers = {"X-Webhook-Secret": SECRET, "X-Conversation-Id": conversation}
    try:
        async with httpx2.AsyncClient(base_url=gateway.url, headers=headers, timeout=10.0) as client:
            lead = {"LastName": f"Drill {conversation}", "Company": "Drill Co", "Email": f"{conversation}@example.com"}
            made = await client.post("/tools/salesforce_create_record/Lead", json=lead)
            if made.status_code != 200:
                cell.problems.append(f"setup: the call's Lead was not created ({made.status_code})")
                return cell
            faults.add(scenario.kind, scope=scenario.scope, times=scenario.times, delay=scenario.delay)
            body = _event(conversation)
            started = time.monotonic()
            answer = await client.post(PATH, content=body, headers={HEADER: sign(body, POST_CALL_SECRET)})
            cell.latency, cell.status = time.monotonic() - started, answer.status_code
            cell.outcome = "ok" if answer.status_code == 200 else f"error:{answer.status_code}"
            if answer.status_code != 200 or cell.latency > _ANSWER_LIMIT:
                cell.problems.append(f"webhook answered {answer.status_code} after {cell.latency:.2f}s")
            await asyncio.sleep(scenario.clear_after)
            faults.clear()
            await _settle(client, conversation)
        cell.records = _tasks(org, conversation)
        cell.lost, cell.duplicated = cell.records == 0, cell.records > 1
        if cell.records != 1:
            cell.problems.append(f"{cell.records} Task(s) for the conversation, expected 1")
    finally:
        await asyncio.to_thread(gateway.stop)
        await asyncio.to_thread(org.stop)
    return cell


async def _settle(client: httpx2.AsyncClient, conversation: str) -> None:
    """Until the gateway reports the event delivered or kept (or `_SETTLE` seconds pass)."""
    stop = time.monotonic() + _SETTLE
    while time.monotonic() < stop:
        r = await client.get(f"{PATH}/{conversation}")
        events = r.json().get("events") if r.status_code == 200 else None
        if events and all(e["state"] != "pending" for e in events):
            return
        await asyncio.sleep(0.2)
