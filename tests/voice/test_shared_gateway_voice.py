"""`call --voice --gateway URL` against a gateway the test starts: what the caller speaks is only the
persona's own details, so recognition gets them right, and a second run doesn't collide with the first.

The first run is also the suite's in-process voice call of the new prospect (flite caller → pocketsphinx →
rules agent → real gateway → embedded org): its report holds the voice summary and the WAV, and the Lead has
exactly the email, phone and company heard."""

import json

import pytest
from voice_helpers import need, org_query

from service.cli import main
from service.settings import get_settings
from service.voice.audio import read_wav

pytestmark = [pytest.mark.voice, pytest.mark.slow]


def _voice_call(stack, persona, reports, monkeypatch):
    monkeypatch.setenv("WEBHOOK_SECRET", str(stack.secret))
    get_settings.cache_clear()
    try:
        args = ["call", "--persona", persona, "--voice", "--quiet", "--gateway", stack.gateway_url]
        return main([*args, "--reports-dir", str(reports)])
    finally:
        get_settings.cache_clear()


def test_new_prospect_voice_call_on_a_shared_gateway_passes_twice(stack, tmp_path, monkeypatch, capsys):
    """Run 1 creates the Lead from what was heard; run 2 finds it; both pass every check; one Lead in the org."""
    need("flite", "pocketsphinx")
    first = _voice_call(stack, "new-prospect", tmp_path / "one", monkeypatch)
    out_first = capsys.readouterr().out
    second = _voice_call(stack, "new-prospect", tmp_path / "two", monkeypatch)
    out_second = capsys.readouterr().out
    assert (first, second) == (0, 0), out_first + out_second
    assert "outcome: created" in out_first and "outcome: existing" in out_second
    doc = json.loads(next((tmp_path / "one").glob("*.json")).read_text())
    assert doc["error"] is None and doc["outcome"] == "created"
    assert doc["passed"] and [c for c in doc["checks"] if not c["passed"]] == []  # title, address and all
    heard = [t["heard"] for t in doc["voice"]["turns"]]
    assert any("Brightwave Analytics" in h for h in heard)  # the company as spoken, no suffix to mangle
    summary = doc["voice"]["summary"]
    assert summary["turns"] >= 10 and summary["wer"] < 0.3 and 0 < summary["stt_rtf"] < 1
    assert len(read_wav(doc["voice"]["wav"])) > 0
    rows = org_query(stack, "SELECT FirstName, LastName, Email, Phone, Company FROM Lead WHERE LastName = 'Natarajan'")
    assert [(r["FirstName"], r["LastName"], r["Email"], r["Phone"], r["Company"]) for r in rows] == [
        ("Priya", "Natarajan", "priya.natarajan@brightwave-analytics.com", "+15125550142", "Brightwave Analytics")
    ]
