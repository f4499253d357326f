"""Voice fixtures: backends (a missing one skips locally with the install command, and fails in CI),
one shared recogniser per module (a Decoder takes ~0.5 s to load), synthetic caller audio."""

from __future__ import annotations

import pytest
from voice_helpers import need


@pytest.fixture(scope="session")
def caller_tts():
    """The caller's voice: flite slt."""
    need("flite")
    from service.voice.tts import FliteTTS

    return FliteTTS("slt")


@pytest.fixture(scope="session")
def say(caller_tts):
    """Synthesise caller text (cached: flite is deterministic)."""
    cache: dict[str, bytes] = {}

    def render(text: str) -> bytes:
        if text not in cache:
            cache[text] = caller_tts.synthesize(text)
        return cache[text]

    return render


@pytest.fixture(scope="module")
def stt():
    """One pocketsphinx recogniser for the module, with a persona's vocabulary."""
    need("pocketsphinx")
    from service.voice.stt import PocketsphinxSTT

    return PocketsphinxSTT(["Priya", "Natarajan", "Brightwave Analytics", "priya.natarajan@brightwave-analytics.com"])


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """The embedded org + the real gateway on loopback."""
    from service.runner.stack import Stack

    with Stack(data_dir=tmp_path_factory.mktemp("org")) as running:
        yield running
