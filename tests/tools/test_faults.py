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
        answers = await asyncio.gather(*(
            (one if i % 2 else two).post(CREATE + "/Lead", json=body, headers={"X-Conversation-Id": f"r{i}"})
            for i in range(8)
        ))
        assert {a.status_code for a in answers} == {200}
        assert len({a.json()["id"] for a in answers}) == 1
        assert org.stats()["records"]["Lead"] == before + 1
