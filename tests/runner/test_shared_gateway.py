"""`call --gateway URL`: calls on a shared gateway say nothing extra and don't collide with earlier runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from runner_org import org_query

from service.cli import main
from service.runner.stack import Stack
from service.settings import get_settings


def _call(stack: Stack, persona: str, reports: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("WEBHOOK_SECRET", str(stack.secret))
    get_settings.cache_clear()
    try:
        return main(["call", "--persona", persona, "--gateway", str(stack.gateway_url), "--reports-dir", str(reports)])
    finally:
        get_settings.cache_clear()


def test_two_runs_on_one_gateway_both_pass_and_store_one_lead(
    stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The first new-prospect call creates the Lead with the persona's own email and company; the second
    finds it; both pass and the org holds one Lead."""
    first = _call(stack, "new-prospect", tmp_path, monkeypatch)
    out_first = capsys.readouterr().out
    second = _call(stack, "new-prospect", tmp_path, monkeypatch)
    out_second = capsys.readouterr().out
    assert (first, second) == (0, 0), out_first + out_second
    assert "CALLER I'm with Brightwave Analytics." in out_first and "outcome: created" in out_first
    assert "PASS  returning_caller_found" in out_second and "outcome: existing" in out_second
    rows = org_query(stack, "SELECT Company FROM Lead WHERE Email = 'priya.natarajan@brightwave-analytics.com'")
    assert [r["Company"] for r in rows] == ["Brightwave Analytics"]
