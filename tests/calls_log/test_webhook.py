"""The post-call webhook through the real app and the embedded org: one Task per conversation."""

from __future__ import annotations

import time
from typing import Any

from service.org.faults import Faults
from tests.calls_log.conftest import PATH, event_body, settled, signed, tasks_for

CREATE = "/tools/salesforce_create_record"
LEAD = {"FirstName": "Dana", "LastName": "Whitfield", "Company": "Harbor Logistics", "Email": "dana@harbor.example"}


async def _lead_in_call(client: Any, conversation: str) -> str:
    r = await client.post(CREATE + "/Lead", json=LEAD, headers={"X-Conversation-Id": conversation})
    assert r.status_code == 200, r.text
    return str(r.json()["id"])


async def test_signed_event_creates_one_task_on_the_lead(embedded_org: Any, make_post_call_gateway: Any) -> None:
    """The Lead created during the call gets one completed inbound call Task with the analysis."""
    async with make_post_call_gateway(embedded_org) as (client, calls):
        lead = await _lead_in_call(client, "conv_one_task")
        body = event_body("conv_one_task")
        r = await client.post(PATH, content=body, headers=signed(body))
        assert r.status_code == 200 and r.json()["status"] == "accepted"
        entry = await settled(calls, "post_call_transcription:conv_one_task")
        assert entry.state == "delivered", entry.last_error
        [task] = await tasks_for(client, "conv_one_task")
    assert task["WhoId"][:15] == lead[:15]
    assert task["Subject"] == "Call with Salesforce sales assistant: qualified lead"
    assert (task["TaskSubtype"], task["Type"], task["Status"], task["CallType"]) == (
        "Call",
        "Call",
        "Completed",
        "Inbound",
    )
    assert task["CallDurationInSeconds"] == 187 and task["ActivityDate"] == "2025-12-01"
    for text in ("Manual route planning", "Budget: 50000", "qualified: success", "conv_one_task"):
        assert text in task["Description"]


async def test_same_event_twice_makes_one_task(embedded_org: Any, make_post_call_gateway: Any) -> None:
    """A platform retry of the same event is answered 200 and adds nothing."""
    async with make_post_call_gateway(embedded_org) as (client, calls):
        await _lead_in_call(client, "conv_twice")
        body = event_body("conv_twice")
        first = await client.post(PATH, content=body, headers=signed(body))
        await settled(calls, "post_call_transcription:conv_twice")
        again = await client.post(PATH, content=body, headers=signed(body))
        assert (first.json()["status"], again.status_code, again.json()["status"]) == ("accepted", 200, "duplicate")
        assert len(await tasks_for(client, "conv_twice")) == 1


async def test_refusals(embedded_org: Any, make_post_call_gateway: Any) -> None:
    """Bad signature, missing header, stale timestamp → 401; oversized body → 413; nothing stored."""
    async with make_post_call_gateway(embedded_org, post_call_max_body_bytes=4096) as (client, calls):
        body = event_body("conv_refused")
        bad = await client.post(PATH, content=body, headers=signed(body, secret="wrong-secret"))
        missing = await client.post(PATH, content=body, headers={"content-type": "application/json"})
        stale = await client.post(PATH, content=body, headers=signed(body, timestamp=int(time.time()) - 31 * 60))
        big = b'{"type": "post_call_audio", "pad": "' + b"x" * 5000 + b'"}'
        large = await client.post(PATH, content=big, headers=signed(big))
        assert [r.status_code for r in (bad, missing, stale, large)] == [401, 401, 401, 413]
        assert "tolerance" in stale.json()["error"]["message"] and "Missing" in missing.json()["error"]["message"]
        assert await calls.outbox.entries() == []


async def test_org_down_event_accepted_and_lands_after(make_embedded_org: Any, make_post_call_gateway: Any) -> None:
    """While every API call fails the event is answered 200, retried, and lands once the fault clears."""
    faults = Faults()
    org = make_embedded_org(faults=faults)
    async with make_post_call_gateway(org) as (client, calls):
        await _lead_in_call(client, "conv_down")
        faults.add("unavailable", scope="api", times=None)
        body = event_body("conv_down")
        r = await client.post(PATH, content=body, headers=signed(body))
        assert r.status_code == 200
        while (await calls.outbox.entries())[0].attempts < 2:
            await calls.run_once()
        faults.clear()
        entry = await settled(calls, "post_call_transcription:conv_down")
        assert entry.state == "delivered" and entry.attempts >= 3
        assert len(await tasks_for(client, "conv_down")) == 1


async def test_lost_task_answer_makes_no_second_task(make_embedded_org: Any, make_post_call_gateway: Any) -> None:
    """The org commits the Task and resets the connection: the retry finds it instead of creating again."""
    faults = Faults()
    org = make_embedded_org(faults=faults)
    async with make_post_call_gateway(org) as (client, calls):
        await _lead_in_call(client, "conv_reset")
        faults.add("reset_after_commit", scope="create", times=1)
        body = event_body("conv_reset")
        await client.post(PATH, content=body, headers=signed(body))
        entry = await settled(calls, "post_call_transcription:conv_reset")
        assert entry.state == "delivered"
        assert len(await tasks_for(client, "conv_reset")) == 1


async def test_unknown_conversation_is_kept_and_listed(embedded_org: Any, make_post_call_gateway: Any) -> None:
    """No record touched in the call: the event is kept as dead and shown in /readyz and /metrics."""
    async with make_post_call_gateway(embedded_org) as (client, calls):
        body = event_body("conv_nobody")
        await client.post(PATH, content=body, headers=signed(body))
        entry = await settled(calls, "post_call_transcription:conv_nobody")
        ready = (await client.get("/readyz")).json()
        metrics = (await client.get("/metrics")).text
    assert entry.state == "dead" and "No record" in (entry.last_error or "")
    assert ready["checks"]["post_call"]["dead"] == 1
    assert 'gateway_post_call_events{state="dead"} 1.0' in metrics


async def test_restart_between_event_and_delivery(make_embedded_org: Any, make_post_call_gateway: Any) -> None:
    """Accepted while the org is down, the gateway restarts (ledger gone); the new one delivers it."""
    faults = Faults()
    org = make_embedded_org(faults=faults)
    async with make_post_call_gateway(org) as (client, _calls):
        lead = await _lead_in_call(client, "conv_restart")
        faults.add("unavailable", scope="api", times=None)
        body = event_body("conv_restart")
        assert (await client.post(PATH, content=body, headers=signed(body))).status_code == 200
    faults.clear()
    async with make_post_call_gateway(org) as (client, calls):
        entry = await settled(calls, "post_call_transcription:conv_restart")
        assert entry.state == "delivered", entry.last_error
        [task] = await tasks_for(client, "conv_restart")
    assert task["WhoId"][:15] == lead[:15]


async def test_mapped_answer_updates_the_record(embedded_org: Any, make_post_call_gateway: Any) -> None:
    """`budget=Lead.AnnualRevenue` is PATCHed through the guards and noted in the Task."""
    async with make_post_call_gateway(embedded_org, post_call_field_updates="budget=Lead.AnnualRevenue") as (
        client,
        calls,
    ):
        lead = await _lead_in_call(client, "conv_update")
        body = event_body("conv_update")
        await client.post(PATH, content=body, headers=signed(body))
        await settled(calls, "post_call_transcription:conv_update")
        [task] = await tasks_for(client, "conv_update")
        read = await client.get(
            f"/tools/salesforce_search_records?q=SELECT AnnualRevenue FROM Lead WHERE Id = '{lead}'"
        )
    assert "Lead.AnnualRevenue set to 50000" in task["Description"]
    assert read.json()["records"][0]["AnnualRevenue"] == 50000
