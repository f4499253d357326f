"""16 kHz mono 16-bit PCM helpers: conversion, WAV I/O, resampling, noise, stereo mixing.

Raw PCM bytes (little-endian int16, mono, 16 kHz) are the currency between every voice part.
numpy is needed; soxr only when a backend writes another sample rate (espeak-ng and Piper: 22.05 kHz).
"""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 16_000
SAMPLE_WIDTH = 2
Samples = npt.NDArray[np.int16]


def to_samples(pcm: bytes) -> Samples:
    """PCM16LE bytes → int16 array (a copy, writeable)."""
    return np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2").astype(np.int16)


def to_pcm(samples: npt.NDArray[np.generic]) -> bytes:
    """int16 (or float in -1..1) samples → PCM16LE bytes, clipped."""
    arr = np.asarray(samples)
    if arr.dtype.kind == "f":
        arr = np.clip(arr * 32767.0, -32768, 32767)
    return np.asarray(arr, dtype="<i2").tobytes()


def duration(pcm: bytes, rate: int = SAMPLE_RATE) -> float:
    """Seconds of mono PCM16 audio."""
    return len(pcm) / (SAMPLE_WIDTH * rate)


def silence(seconds: float, rate: int = SAMPLE_RATE) -> bytes:
    """Digital silence of the given length."""
    return b"\x00\x00" * int(round(seconds * rate))


def resample(pcm: bytes, from_rate: int, to_rate: int = SAMPLE_RATE) -> bytes:
    """Resample mono PCM16 (soxr, high quality); a no-op when the rates match."""
    if from_rate == to_rate or not pcm:
        return pcm
    import soxr

    out = soxr.resample(to_samples(pcm).astype(np.float32) / 32768.0, from_rate, to_rate)
    return to_pcm(out)


def to_mono(samples: npt.NDArray[np.int16], channels: int) -> Samples:
    """Average interleaved channels to mono."""
    if channels == 1:
        return samples
    mono: Samples = samples.reshape(-1, channels).mean(axis=1).astype(np.int16)
    return mono


def read_wav(source: str | Path | bytes) -> bytes:
    """A WAV file (path or bytes) as 16 kHz mono PCM16, converting channels and rate as needed."""
    handle = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")
    with handle, wave.open(handle, "rb") as wav:
        if wav.getsampwidth() != SAMPLE_WIDTH:
            raise ValueError(f"expected 16-bit PCM WAV, got {8 * wav.getsampwidth()}-bit")
        channels, rate = wav.getnchannels(), wav.getframerate()
        frames = wav.readframes(wav.getnframes())
    mono = to_pcm(to_mono(to_samples(frames), channels)) if channels > 1 else frames
    return resample(mono, rate)


def write_wav(path: str | Path, pcm: bytes, *, channels: int = 1, rate: int = SAMPLE_RATE) -> Path:
    """Write PCM16 (interleaved when `channels` > 1) as a WAV file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(SAMPLE_WIDTH)
        wav.setframerate(rate)
        wav.writeframes(pcm)
    return path


def wav_bytes(pcm: bytes, rate: int = SAMPLE_RATE) -> bytes:
    """Mono PCM16 wrapped as an in-memory WAV file."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(SAMPLE_WIDTH)
        wav.setframerate(rate)
        wav.writeframes(pcm)
    return buf.getvalue()


def rms_dbfs(pcm: bytes) -> float:
    """Loudness as RMS in dB relative to full scale (−inf for silence)."""
    samples = to_samples(pcm).astype(np.float64) / 32768.0
    if samples.size == 0:
        return float("-inf")
    rms = float(np.sqrt(np.mean(samples**2)))
    return 20 * float(np.log10(rms)) if rms > 0 else float("-inf")


def add_noise(pcm: bytes, level_dbfs: float, *, seed: int = 0) -> bytes:
    """Mix in white noise whose RMS is `level_dbfs` (e.g. −40 is faint line hiss, −25 is loud); deterministic."""
    samples = to_samples(pcm).astype(np.float64)
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal(samples.size) * (32768.0 * 10 ** (level_dbfs / 20))
    return to_pcm(np.clip(samples + noise, -32768, 32767).astype(np.int16))


def stereo(left: bytes, right: bytes) -> bytes:
    """Interleave two mono tracks into one stereo PCM16 stream (the shorter is padded with silence)."""
    a, b = to_samples(left), to_samples(right)
    n = max(a.size, b.size)
    out = np.zeros((n, 2), dtype=np.int16)
    out[: a.size, 0] = a
    out[: b.size, 1] = b
    return out.tobytes()


def chunks(pcm: bytes, seconds: float = 0.1, rate: int = SAMPLE_RATE) -> list[bytes]:
    """Split PCM into fixed-length chunks (the last may be shorter), as a streaming client sends them."""
    size = max(2, int(seconds * rate) * SAMPLE_WIDTH)
    return [pcm[i : i + size] for i in range(0, len(pcm), size)]


class Tracks:
    """Caller (left) and agent (right) audio placed on one timeline."""

    def __init__(self) -> None:
        self.left: list[tuple[float, bytes]] = []
        self.right: list[tuple[float, bytes]] = []

    @staticmethod
    def _render(parts: list[tuple[float, bytes]]) -> bytes:
        out = bytearray()
        for start, pcm in parts:
            offset = int(start * SAMPLE_RATE) * SAMPLE_WIDTH
            if len(out) < offset:
                out.extend(b"\x00" * (offset - len(out)))
            out[offset : offset + len(pcm)] = pcm
        return bytes(out)

    def write(self, path: Path) -> Path:
        return write_wav(path, stereo(self._render(self.left), self._render(self.right)), channels=2)
