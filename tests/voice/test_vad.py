"""Endpointing: 500 ms of silence ends an utterance."""

from service.voice import audio, vad

LINES = ["Hi, this is Priya from Brightwave Analytics.", "My email is priya at brightwave dot com.", "Sixty thousand."]


def conversation(say, gap: float = 0.9) -> bytes:
    return b"".join(audio.silence(gap) + say(line) for line in LINES) + audio.silence(1.0)


def test_each_line_is_one_utterance(say):
    """Three lines separated by 0.9 s pauses are three utterances."""
    assert len(vad.segments(conversation(say))) == 3


def test_faint_line_noise_does_not_merge_utterances(say):
    """With -40 dBFS white noise webrtcvad still finds the three utterances."""
    assert len(vad.segments(audio.add_noise(conversation(say), -40.0))) == 3


def test_pauses_shorter_than_the_silence_window_do_not_split(say):
    """A 0.15 s pause (plus flite's own ~0.25 s of edge silence) is inside one utterance."""
    assert len(vad.segments(conversation(say, gap=0.15))) == 1


def test_short_clicks_are_dropped():
    """A 60 ms burst is too short to be speech."""
    import numpy as np

    click = audio.to_pcm(0.5 * np.sin(np.arange(960) / 3.0))
    endpointer = vad.Endpointer(classifier=vad.energy_classifier())
    kinds = [e.kind for e in endpointer.feed(audio.silence(0.5) + click + audio.silence(1.0))]
    assert "end" not in kinds


def test_end_is_reported_about_500_ms_after_speech(say):
    """The endpoint comes ~0.5 s after the last voiced frame, in stream time."""
    endpointer = vad.Endpointer()
    events = endpointer.feed(audio.silence(0.5) + say("Hello there.") + audio.silence(1.0))
    end = next(e for e in events if e.kind == "end")
    assert endpointer.speech_end_at is not None
    assert 0.45 <= end.at - endpointer.speech_end_at <= 0.55


def test_energy_gate_works_without_webrtcvad(say):
    """The energy classifier also separates clean synthetic lines."""
    assert len(vad.segments(conversation(say), vad.Endpointer(classifier=vad.energy_classifier()))) == 3


def test_pocketsphinx_vad_also_endpoints(say):
    """pocketsphinx's own VAD is a drop-in classifier."""
    assert len(vad.segments(conversation(say), vad.Endpointer(classifier=vad.pocketsphinx_classifier()))) == 3
