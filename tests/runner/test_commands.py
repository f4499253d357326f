"""The call / calls commands: exit codes, live transcript, reports."""

from __future__ import annotations

import json

import pytest

from service.cli import main


def test_call_command_passes_and_writes_reports(tmp_path, capsys):
    """`call --persona new-prospect` on the embedded stack exits 0 and writes JSON + HTML reports."""
    code = main(["call", "--persona", "new-prospect", "--reports-dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    assert "CALLER I'm Priya Natarajan." in out and "salesforce_create_record" in out
    reports = sorted(p.suffix for p in tmp_path.iterdir())
    assert reports == [".html", ".json"]
    doc = json.loads(next(tmp_path.glob("*.json")).read_text())
    assert doc["passed"] is True and doc["outcome"] == "created"


def test_calls_command_prints_a_summary(tmp_path, capsys):
    """`calls` runs a batch concurrently and prints one row per call."""
    code = main(["calls", "--personas", "hang-up,existing-contact", "--concurrency", "2",
                 "--reports-dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    assert "hang-up" in out and "existing-contact" in out and "2/2 calls passed" in out


def test_unknown_persona_is_a_usage_error():
    """An unknown persona name is refused by the parser (exit 2)."""
    with pytest.raises(SystemExit) as exc:
        main(["call", "--persona", "nobody"])
    assert exc.value.code == 2


def test_gateway_without_secret_is_refused(monkeypatch, capsys):
    """--gateway without WEBHOOK_SECRET exits 2 with a clear message."""
    from service.settings import get_settings

    monkeypatch.delenv("WEBHOOK_SECRET", raising=False)
    get_settings.cache_clear()
    try:
        assert main(["call", "--persona", "new-prospect", "--gateway", "http://127.0.0.1:9"]) == 2
    finally:
        get_settings.cache_clear()
    assert "WEBHOOK_SECRET" in capsys.readouterr().err
