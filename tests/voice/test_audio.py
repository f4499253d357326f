"""16 kHz mono PCM16 helpers."""

import numpy as np
import pytest

from service.voice import audio


def tone(seconds: float, rate: int = 16_000, freq: float = 440.0, amp: float = 0.5) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    return audio.to_pcm(amp * np.sin(2 * np.pi * freq * t))


def test_wav_round_trip(tmp_path):
    """PCM written as WAV reads back identical."""
    pcm = tone(0.5)
    path = audio.write_wav(tmp_path / "x.wav", pcm)
    assert audio.read_wav(path) == pcm


def test_read_wav_resamples_and_downmixes():
    """A 22.05 kHz stereo WAV becomes 16 kHz mono of the same duration."""
    mono = tone(1.0, rate=22_050)
    stereo = audio.stereo(mono, mono)
    import io
    import wave

    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(22_050)
        w.writeframes(stereo)
    pcm = audio.read_wav(buf.getvalue())
    assert audio.duration(pcm) == pytest.approx(1.0, abs=0.01)
    assert audio.rms_dbfs(pcm) == pytest.approx(audio.rms_dbfs(mono), abs=0.5)


def test_add_noise_hits_the_requested_level():
    """White noise mixed into silence has the requested RMS level and is deterministic."""
    noisy = audio.add_noise(audio.silence(2.0), -40.0, seed=3)
    assert audio.rms_dbfs(noisy) == pytest.approx(-40.0, abs=0.5)
    assert noisy == audio.add_noise(audio.silence(2.0), -40.0, seed=3)


def test_stereo_pads_the_shorter_track():
    """Caller left, agent right; the shorter side is padded with silence."""
    out = audio.to_samples(audio.stereo(b"\x01\x00" * 3, b"\x02\x00"))
    assert out.tolist() == [1, 2, 1, 0, 1, 0]


def test_chunks_cover_the_whole_stream():
    """Chunks join back to the original audio."""
    pcm = tone(1.03)
    parts = audio.chunks(pcm, 0.1)
    assert b"".join(parts) == pcm and len(parts[0]) == 3200


def test_silence_is_silent():
    """Silence has no energy."""
    assert audio.rms_dbfs(audio.silence(0.1)) == float("-inf")
