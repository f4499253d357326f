"""`call --voice --gateway URL` against a gateway the test starts: what the caller speaks is only the
persona's own details, so recognition gets them right, and a second run doesn't collide with the first."""

import json

import pytest
from voice_helpers import need, org_query

from service.cli import main
from service.settings import get_settings

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
    heard = [t["heard"] for t in json.loads(next((tmp_path / "one").glob("*.json")).read_text())["voice"]["turns"]]
    assert any("Brightwave Analytics" in h for h in heard)  # the company as spoken, no suffix to mangle
    rows = org_query(stack, "SELECT Email, Company FROM Lead WHERE LastName = 'Natarajan'")
    assert [(r["Email"], r["Company"]) for r in rows] == [
        ("priya.natarajan@brightwave-analytics.com", "Brightwave Analytics")
    ]
