"""Voice fixtures: backends (a missing one skips locally with the install command, and fails in CI),
one shared recogniser per module (a Decoder takes ~0.5 s to load), synthetic caller audio."""

from __future__ import annotations

import os

import httpx2
import pytest

from service.voice.discovery import BACKENDS, missing_message


def need(*names: str) -> None:
    """Skip (locally) or fail (in CI, which installs every default backend) when a backend is missing."""
    for name in names:
        if not BACKENDS[name].available():
            if os.environ.get("CI"):
                pytest.fail(missing_message(name))
            pytest.skip(missing_message(name))


def optional(name: str) -> None:
    """Skip when an optional-extra backend (voice-neural: piper, faster-whisper) is absent, in CI too."""
    if not BACKENDS[name].available():
        pytest.skip(missing_message(name) + " (optional extra voice-neural)")


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


def org_query(stack, soql: str) -> list[dict]:
    """Records straight from the embedded org's REST API."""
    org = stack.org
    response = httpx2.get(f"{org.url}/services/data/v58.0/query", params={"q": soql},
                          headers={"Authorization": f"Bearer {org.get_token()}"})
    response.raise_for_status()
    return response.json()["records"]
