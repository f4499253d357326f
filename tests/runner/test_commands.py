"""The call / calls commands: exit codes, live transcript, reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from service.cli import main


def test_call_command_passes_and_writes_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`call --persona new-prospect` on the embedded stack exits 0 and writes JSON + HTML reports."""
    code = main(["call", "--persona", "new-prospect", "--reports-dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    assert "CALLER I'm Priya Natarajan." in out and "salesforce_create_record" in out
    reports = sorted(p.suffix for p in tmp_path.iterdir())
    assert reports == [".html", ".json"]
    doc = json.loads(next(tmp_path.glob("*.json")).read_text())
    assert doc["passed"] is True and doc["outcome"] == "created"


def test_calls_command_prints_a_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`calls` runs a batch concurrently and prints one row per call."""
    code = main(
        ["calls", "--personas", "hang-up,existing-contact", "--concurrency", "2", "--reports-dir", str(tmp_path)]
    )
    captured = capsys.readouterr()
    out = captured.out
    assert code == 0
    assert "hang-up" in out and "existing-contact" in out and "2/2 calls passed" in out
    assert out.splitlines()[0].split() == ["persona", "outcome", "result", "turns", "tools", "p50", "ms", "p95", "ms"]


def test_calls_progress_off_a_terminal_is_plain_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Captured, `calls` reports progress as one line per finished call on stderr, no carriage-return redraws."""
    main(["calls", "--personas", "hang-up,existing-contact", "--reports-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert [line.split()[:2] for line in err.splitlines()] == [["calls", "1/2"], ["calls", "2/2"]]
    assert "\r" not in err


def test_unknown_persona_is_a_usage_error() -> None:
    """An unknown persona name is refused by the parser (exit 2)."""
    with pytest.raises(SystemExit) as exc:
        main(["call", "--persona", "nobody"])
    assert exc.value.code == 2


def test_gateway_without_secret_is_refused(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """--gateway without WEBHOOK_SECRET exits 2 with a clear message."""
    from service.settings import get_settings

    monkeypatch.delenv("WEBHOOK_SECRET", raising=False)
    get_settings.cache_clear()
    try:
        assert main(["call", "--persona", "new-prospect", "--gateway", "http://127.0.0.1:9"]) == 2
    finally:
        get_settings.cache_clear()
    assert "WEBHOOK_SECRET" in capsys.readouterr().err


def test_call_with_the_llm_agent_against_a_fake_endpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`call --agent llm` drives a scripted chat-completions endpoint end to end on the embedded stack."""
    from runner_fake_llm import EMAIL, SCRIPT, _call, fake_llm

    from service.runner.stack import ServerThread
    from service.settings import get_settings

    full = {
        "FirstName": "Priya",
        "LastName": "Natarajan",
        "Email": EMAIL,
        "Company": "Brightwave Analytics",
        "Title": "Head of Operations",
        "Phone": "512 555 0142",
        "Industry": "Technology",
        "NumberOfEmployees": 120,
        "Street": "500 Congress Avenue",
        "City": "Austin",
        "State": "TX",
        "PostalCode": "78701",
    }
    script: list[dict[str, Any]] = [
        *SCRIPT[:3],
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [_call("salesforce_create_record", {"object_type": "Lead", "record_data": full}, "c2")],
        },
        SCRIPT[4],
    ]
    with ServerThread(fake_llm(script)) as llm:
        monkeypatch.setenv("AGENT_LLM_URL", llm.url + "/v1")
        monkeypatch.setenv("AGENT_LLM_MODEL", "fake-model")
        get_settings.cache_clear()
        try:
            code = main(["call", "--persona", "new-prospect", "--agent", "llm", "--reports-dir", str(tmp_path)])
        finally:
            get_settings.cache_clear()
    out = capsys.readouterr().out
    assert code == 0, out
    assert "outcome: created" in out
