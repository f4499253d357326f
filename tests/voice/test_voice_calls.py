"""Whole voice calls (flite caller → pocketsphinx → rules agent → real gateway → embedded org).

The new prospect's voice call (exact Lead, voice summary, WAV) is the first run of
`test_shared_gateway_voice.py`."""

import json
from functools import partial

import pytest
from voice_helpers import need, org_query

from service.runner.report import render_html
from service.runner.run import play_persona
from service.voice.call import VoiceLine

pytestmark = [pytest.mark.voice, pytest.mark.slow]


@pytest.fixture(scope="module")
def factory():
    need("flite", "pocketsphinx")
    from service.voice.speech_io import SpeechFactory

    made = SpeechFactory()
    made.warm()
    return made


async def test_email_correction_voice_call_keeps_the_corrected_email(stack, factory):
    """The caller corrects 'sophia' to 'sofia, spelled with an f' at read-back; the Lead has the corrected email."""
    record = await play_persona("email-correction", stack.executor(), partial(VoiceLine, speech_factory=factory))
    assert record.error is None and record.outcome == "created"
    rows = org_query(stack, "SELECT Email, Phone FROM Lead WHERE LastName = 'Alvarez'")
    assert [(r["Email"], r["Phone"]) for r in rows] == [("sofia.alvarez@lumenhealth.com", "+14155550123")]
    assert {c.name: c.passed for c in record.checks}["created_fields_match"]


async def test_voice_report_has_per_turn_wer_and_latencies(stack, factory, tmp_path):
    """Each caller turn reports what was said and heard, WER and the STT / agent / TTS times."""
    record = await play_persona("off-topic", stack.executor(), partial(VoiceLine, speech_factory=factory, noise_db=30))
    turns = record.voice["turns"]
    assert turns and record.voice["noise_snr_db"] == 30
    for turn in turns:
        assert turn["said"] and 0 <= turn["wer"] and turn["latency_ms"] >= turn["agent_ms"]
        assert turn["endpoint_ms"] > 400  # 500 ms of silence ends an utterance
    html = render_html(record)
    assert "<h2>Voice</h2>" in html and "noise SNR <b>30 dB</b>" in html
    assert f"{len(turns)}</b>" in html  # the summary's turn count


def test_call_command_with_voice_keeps_the_recording_beside_its_report(tmp_path, capsys):
    """`call --voice` is the text call's command over the voice line: report, voice summary and WAV side by side."""
    need("flite", "pocketsphinx")
    from service.cli import main

    code = main(["call", "--persona", "impatient", "--voice", "--quiet", "--reports-dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "voice: 5 caller turns" in out and "outcome: " in out
    doc = json.loads(next(tmp_path.glob("*.json")).read_text())
    assert doc["voice"]["wav"] == str(next(tmp_path.glob("*.json")).with_suffix(".wav"))
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".html", ".json", ".wav"]


@pytest.mark.parametrize("persona", ["misheard-split-surname", "misheard-homophone", "misheard-email"])
async def test_misheard_persona_voice_call_is_found_not_duplicated(stack, factory, persona):
    """The recogniser is fed the garbled form and hears it; the agent confirms the closest record, creates nothing."""
    record = await play_persona(persona, stack.executor(), partial(VoiceLine, speech_factory=factory))
    said = " ".join(ln.text for ln in record.lines if ln.role == "agent")
    assert "Is that who I'm speaking with?" in said and record.outcome == "existing"
    assert [c for c in record.checks if not c.passed] == []  # nothing_duplicated included
