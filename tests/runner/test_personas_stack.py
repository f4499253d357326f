"""Every persona's call passes its checks against the embedded org through the real gateway."""

from __future__ import annotations

from pathlib import Path

import pytest
from runner_org import org_query

from service.runner.callers import PERSONA_NAMES
from service.runner.report import write_report
from service.runner.run import run_persona
from service.runner.stack import Stack


@pytest.mark.parametrize("name", PERSONA_NAMES)
async def test_persona_passes_every_check(stack: Stack, name: str, tmp_path: Path) -> None:
    """The rules agent's call for this persona passes all its checks; the report is written."""
    executor = stack.executor()
    try:
        record = await run_persona(name, executor, tag="s")
    finally:
        await executor.aclose()
    json_path, html_path = write_report(record, tmp_path)
    failed = [c for c in record.checks if not c.passed]
    transcript = "\n".join(f"{ln.role}: {ln.text}" for ln in record.lines)
    assert not failed, f"{failed}\n{transcript}"
    assert json_path.exists() and "PASS" in html_path.read_text()
    assert stack.secret and stack.secret not in json_path.read_text() + html_path.read_text()


async def test_new_prospect_lead_is_in_the_org(tmp_path: Path) -> None:
    """The Lead a new prospect's call creates is stored in the org with the caller's details.

    On an org of its own: the module's other calls leave this caller (or a near match, which the
    duplicate check rightly takes for the same person) in the shared one."""
    with Stack(data_dir=tmp_path / "org") as stack:
        executor = stack.executor()
        try:
            record = await run_persona("new-prospect", executor)
        finally:
            await executor.aclose()
        rows = org_query(
            stack,
            "SELECT Id, FirstName, LastName, Company, Email, Phone FROM Lead "
            "WHERE Email = 'priya.natarajan@brightwave-analytics.com'",
        )
    assert record.passed
    assert len(rows) == 1
    assert (rows[0]["LastName"], rows[0]["Company"]) == ("Natarajan", "Brightwave Analytics")
    assert rows[0]["Phone"].replace(" ", "").endswith("5125550142")
