"""Concurrent creates of one person while the org resets and refuses: still exactly one record."""

from __future__ import annotations

import asyncio
import uuid

import httpx2

from benchmarks.drills import SECRET, Template, org_records, running_stack
from service.org.faults import Faults


async def test_concurrent_creates_under_faults_make_one_record(template: Template) -> None:
    """Twenty simultaneous creates of one Lead (five conversations), with resets after commit and 503s."""
    faults = Faults()
    marker = uuid.uuid4().hex[:12]
    body = {
        "FirstName": "Drill",
        "LastName": f"Lead {marker}",
        "Company": "Drill Co",
        "Email": f"drill.{marker}@example.com",
    }
    async with running_stack(template, faults, budget=4.0, attempt=1.5) as (org, url):
        faults.add("reset_after_commit", times=2)
        faults.add("unavailable", scope="create", times=2)
        async with httpx2.AsyncClient(base_url=url, headers={"X-Webhook-Secret": SECRET}, timeout=15) as client:
            answers = await asyncio.gather(
                *(
                    client.post(
                        "/tools/salesforce_create_record/Lead",
                        json=body,
                        headers={"X-Conversation-Id": f"conv-{marker}-{i % 5}"},
                    )
                    for i in range(20)
                )
            )
        ids = org_records(org, "create_lead", marker)
    assert faults.fired("reset_after_commit") >= 1
    assert len(ids) == 1
    assert [a.json()["id"] for a in answers if a.status_code == 200] == [ids[0]] * sum(
        a.status_code == 200 for a in answers
    )
    assert all(a.json()["error"]["message"] for a in answers if a.status_code != 200)
    assert any(a.status_code == 200 for a in answers)
