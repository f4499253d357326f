"""The gateway against an org with injected faults: every path ends in a right answer or a
speakable error within the budget."""

from __future__ import annotations

import asyncio
from typing import Any

from service.org.faults import Faults

CREATE = "/tools/salesforce_create_record"
SEARCH = "/tools/salesforce_search_records"
LEAD = {"FirstName": "Rita", "LastName": "Reset", "Company": "Lossy Links", "Email": "rita@lossy.example"}


async def test_lost_create_answer_is_reconciled_not_repeated(make_embedded_org: Any, make_gateway: Any) -> None:
    """The org commits, then resets the connection: the gateway finds the record, makes no second one."""
    faults = Faults()
    org = make_embedded_org(faults=faults)
    async with make_gateway(org) as (client, _app):
        before = org.stats()["records"]["Lead"]
        faults.add("reset_after_commit", scope="create", times=1)
        r = await client.post(CREATE + "/Lead", json=LEAD, headers={"X-Conversation-Id": "c-reset"})
        assert r.status_code == 200, r.text
        assert r.json()["created"] is True and r.json()["id"]
        assert org.stats()["records"]["Lead"] == before + 1


async def test_lost_case_create_is_reconciled_by_its_values(make_embedded_org: Any, make_gateway: Any) -> None:
    """A Case (no email to look up) is found by its own values after a lost answer."""
    faults = Faults()
    org = make_embedded_org(faults=faults)
    async with make_gateway(org) as (client, _app):
        before = org.stats()["records"]["Case"]
        faults.add("reset_after_commit", scope="create", times=1)
        r = await client.post(CREATE + "/Case", json={"Subject": "Lost answer case", "Priority": "High"})
        assert r.status_code == 200, r.text
        assert r.json()["created"] is True
        assert org.stats()["records"]["Case"] == before + 1


async def test_reset_before_commit_creates_once(make_embedded_org: Any, make_gateway: Any) -> None:
    """A reset before the org handled the create: the lookup finds nothing, one create follows."""
    faults = Faults()
    org = make_embedded_org(faults=faults)
    async with make_gateway(org) as (client, _app):
        before = org.stats()["records"]["Lead"]
        faults.add("reset", scope="create", times=1)
        r = await client.post(CREATE + "/Lead", json=LEAD)
        assert r.status_code == 200, r.text
        assert r.json()["created"] is True
        assert org.stats()["records"]["Lead"] == before + 1


async def test_slow_org_gets_speakable_504_within_budget(make_embedded_org: Any, make_gateway: Any) -> None:
    """A query that would take 30 s answers 504 'the CRM is slow' once the budget is spent."""
    faults = Faults()
    org = make_embedded_org(faults=faults)
    async with make_gateway(org, tool_timeout=1.5) as (client, _app):
        faults.add("delay", scope="query", times=None, delay=30)
        loop = asyncio.get_running_loop()
        started = loop.time()
        r = await client.get(SEARCH, params={"q": "SELECT Id, Name FROM Account"})
        elapsed = loop.time() - started
        faults.clear()
        assert r.status_code == 504
        assert "slow" in r.json()["error"]["message"]
        assert elapsed < 5


async def test_unavailable_org_is_retried(make_embedded_org: Any, make_gateway: Any) -> None:
    """Two 503s from the org are retried inside the budget; the caller sees the answer."""
    faults = Faults()
    org = make_embedded_org(faults=faults)
    async with make_gateway(org) as (client, _app):
        faults.add("unavailable", scope="query", times=2)
        r = await client.get(SEARCH, params={"q": "SELECT Id, Name FROM Account WHERE Name = 'Acme'"})
        assert r.status_code == 200, r.text


async def test_expired_session_is_refreshed(make_embedded_org: Any, make_gateway: Any) -> None:
    """The org forgets every session: the next call refreshes the token once and succeeds."""
    org = make_embedded_org()
    async with make_gateway(org) as (client, _app):
        org.state.sessions.expire_all()
        r = await client.get(SEARCH, params={"q": "SELECT Id, Name FROM Account WHERE Name = 'Acme'"})
        assert r.status_code == 200, r.text


async def test_two_replicas_racing_make_one_record(make_embedded_org: Any, make_gateway: Any) -> None:
    """Two gateway apps (no shared locks) race on one email: the org's DUPLICATES_DETECTED makes the
    losers answer 'already exists' with the winner's id."""
    org = make_embedded_org()
    async with make_gateway(org) as (one, _a), make_gateway(org) as (two, _b):
        before = org.stats()["records"]["Lead"]
        body = {**LEAD, "Email": "race@dup.example"}
        answers = await asyncio.gather(
            *(
                (one if i % 2 else two).post(CREATE + "/Lead", json=body, headers={"X-Conversation-Id": f"r{i}"})
                for i in range(8)
            )
        )
        assert {a.status_code for a in answers} == {200}
        assert len({a.json()["id"] for a in answers}) == 1
        assert org.stats()["records"]["Lead"] == before + 1


async def test_late_answer_to_create_is_reconciled(make_embedded_org: Any, make_gateway: Any) -> None:
    """The org commits at once but answers after the budget: the lookup finds the record."""
    faults = Faults()
    org = make_embedded_org(faults=faults)
    async with make_gateway(org, tool_timeout=4.0) as (client, _app):
        before = org.stats()["records"]["Case"]
        faults.add("slow_response", scope="create", times=1, delay=10)
        r = await client.post(CREATE + "/Case", json={"Subject": "Answer came late"})
        assert r.status_code == 200, r.text
        assert r.json()["created"] is True
        assert org.stats()["records"]["Case"] == before + 1


async def test_create_committed_after_timeout_is_found_on_retry(make_embedded_org: Any, make_gateway: Any) -> None:
    """A create the org commits only after the gateway gave up is not repeated by the agent's retry:
    the first call says it couldn't confirm; the retry finds the record instead of creating another."""
    faults = Faults()
    org = make_embedded_org(faults=faults)
    async with make_gateway(org, tool_timeout=3.0) as (client, _app):
        before = org.stats()["records"]["Case"]
        faults.add("delay", scope="create", times=1, delay=3.5)
        body = {"Subject": "Committed late", "Priority": "High"}
        headers = {"X-Conversation-Id": "conv-late"}
        first = await client.post(CREATE + "/Case", json=body, headers=headers)
        assert first.status_code in (503, 504)
        assert "couldn't confirm" in first.json()["error"]["message"]
        for _ in range(200):  # the org commits the delayed create a moment later
            if org.stats()["records"]["Case"] > before:
                break
            await asyncio.sleep(0.05)
        retry = await client.post(CREATE + "/Case", json=body, headers=headers)
        assert retry.status_code == 200, retry.text
        assert retry.json()["created"] is True
        assert org.stats()["records"]["Case"] == before + 1


async def test_rate_limit_answers_429_with_retry_after(make_embedded_org: Any, make_gateway: Any) -> None:
    """An org out of API calls gets a speakable 429 with Retry-After, not a timeout."""
    faults = Faults()
    org = make_embedded_org(faults=faults)
    async with make_gateway(org, tool_timeout=2.0) as (client, _app):
        faults.add("limit_exceeded", scope="query", times=None)
        r = await client.get(SEARCH, params={"q": "SELECT Id, Name FROM Account WHERE Name = 'Acme'"})
        faults.clear()
        assert r.status_code == 429
        assert r.headers["retry-after"] and "limit" in r.json()["error"]["message"]


async def test_duplicates_detected_answers_already_exists(make_embedded_org: Any, make_gateway: Any) -> None:
    """Replica A's create commits late; replica B creates the same person meanwhile; the org's
    DUPLICATES_DETECTED turns A's answer into 'already exists' with B's record."""
    faults = Faults()
    org = make_embedded_org(faults=faults)
    async with make_gateway(org) as (one, _a), make_gateway(org) as (two, _b):
        before = org.stats()["records"]["Lead"]
        body = {**LEAD, "Email": "slow.twin@dup.example"}
        faults.add("slow_commit", scope="create", times=1, delay=1.0)
        first = asyncio.create_task(one.post(CREATE + "/Lead", json=body))
        await asyncio.sleep(0.4)
        second = await two.post(CREATE + "/Lead", json=body)
        late = await first
        assert second.json()["created"] is True
        assert late.status_code == 200, late.text
        assert late.json()["created"] is False and late.json()["id"] == second.json()["id"]
        assert late.json()["name"] == "Rita Reset"
        assert org.stats()["records"]["Lead"] == before + 1


async def test_readyz_reports_an_unreachable_org(make_embedded_org: Any, make_gateway: Any) -> None:
    """/readyz is 503 with the failing check while the org answers 503; /healthz stays up."""
    faults = Faults()
    org = make_embedded_org(faults=faults)
    async with make_gateway(org) as (client, _app):
        faults.add("unavailable", scope="query", times=None)
        ready = await client.get("/readyz")
        faults.clear()
        assert ready.status_code == 503
        assert ready.json()["checks"]["org"] is False
        assert (await client.get("/healthz")).status_code == 200
