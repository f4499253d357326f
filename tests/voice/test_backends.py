"""TTS backends and discovery."""

import pytest
from voice_helpers import need, optional

from service.errors import ConfigError
from service.voice import audio, discovery
from service.voice.tts import EspeakTTS, FliteTTS, make_tts


def test_flite_writes_16k_mono_deterministically(caller_tts):
    """flite slt: 16 kHz PCM of a plausible length, identical on every run."""
    a = caller_tts.synthesize("Our budget is $50,000.")
    assert 1.0 < audio.duration(a) < 5.0
    assert a == caller_tts.synthesize("Our budget is $50,000.")


def test_flite_agent_voice_differs_from_the_caller(caller_tts):
    """kal16 (the agent) and slt (the caller) sound different."""
    need("flite")
    assert FliteTTS("kal16").synthesize("Hello there.") != caller_tts.synthesize("Hello there.")


def test_empty_text_is_no_audio(caller_tts):
    """Nothing to say, no audio."""
    assert caller_tts.synthesize("  ") == b""


def test_espeak_is_resampled_to_16k():
    """espeak-ng's 22.05 kHz output arrives as 16 kHz PCM."""
    need("espeak-ng")
    pcm = EspeakTTS().synthesize("Hello there, this is a test.")
    assert 1.0 < audio.duration(pcm) < 4.0


def test_missing_backend_names_the_install_command(monkeypatch):
    """A backend that is not installed raises ConfigError with the command that installs it."""
    monkeypatch.setitem(
        discovery.BACKENDS,
        "nothing",
        discovery.Backend("nothing", "tts", binary="no-such-binary-here", install="apt-get install -y nothing"),
    )
    with pytest.raises(ConfigError, match="apt-get install -y nothing"):
        discovery.require("nothing")


def test_unknown_backend_lists_the_known_ones():
    """make_tts with an unknown name says which backends exist."""
    with pytest.raises(ConfigError, match="flite"):
        make_tts("festival-deluxe")


def test_report_covers_every_backend():
    """The diagnostics report has every backend with its install command."""
    report = discovery.report()
    assert set(report) == set(discovery.BACKENDS) and all(r["install"] for r in report.values())


def test_piper_is_deterministic_and_recognisable():
    """Piper (joe voice, noise scales 0) is deterministic, 16 kHz, and pocketsphinx reads its email exactly."""
    optional("piper")
    need("pocketsphinx")
    from service.text import extract_email
    from service.voice.stt import PocketsphinxSTT, transcribe
    from service.voice.tts import PiperTTS

    tts = PiperTTS()
    pcm = tts.synthesize("My email is jane.doe@acme.com.")
    assert pcm == tts.synthesize("My email is jane.doe@acme.com.") and 1.0 < audio.duration(pcm) < 6.0
    stt = PocketsphinxSTT(["Jane", "Doe", "Acme", "jane.doe@acme.com"])
    assert extract_email(transcribe(stt, pcm, "email").text) == "jane.doe@acme.com"
