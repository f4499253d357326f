"""A voice call through the console's agent server (the official Python SDK with a synthesised caller as its
audio interface): the console records it, lists it with its recording, and serves the stereo WAV.

The console mounts the agent server's router, so this is also the suite's SDK audio call of the new prospect
(what `tests/voice/test_sdk_audio.py` asserted of it is asserted here): every answer heard, the agent's audio
received, no interruption, the exact Lead in the org."""

from __future__ import annotations

import asyncio
import os

import httpx2
import pytest
from console_browser import Console

from service.console.app import create_console_app
from service.runner.callers import load_persona
from service.runner.stack import ServerThread
from service.voice.discovery import BACKENDS, missing_message

pytestmark = [pytest.mark.voice, pytest.mark.slow]


async def test_a_voice_call_is_listed_with_its_recording(
    console: Console, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The SDK's audio call creates the exact Lead; /api/calls lists it as voice with a recording; the WAV is stereo."""
    for name in ("flite", "pocketsphinx", "webrtcvad"):
        if not BACKENDS[name].available():
            if os.environ.get("CI"):
                pytest.fail(missing_message(name))
            pytest.skip(missing_message(name))
    from service.voice.call import persona_vocabulary
    from service.voice.sdk_caller import sdk_voice_call
    from service.voice.speech_io import SpeechFactory

    persona = load_persona("new-prospect")
    factory = SpeechFactory(vocabulary=persona_vocabulary(persona), playback_speed=1000)  # the caller doesn't wait
    app = create_console_app(
        console.stack.executor(), reports_dir=tmp_path_factory.mktemp("reports"), speech_factory=factory
    )
    with ServerThread(app) as server:
        result = await asyncio.to_thread(sdk_voice_call, server.url, persona, timeout=120)
        async with httpx2.AsyncClient(base_url=server.url) as client:
            for _ in range(100):  # the call is judged and written once the socket closes
                listed = (await client.get("/api/calls")).json()
                if listed and listed[0]["ended"]:
                    break
                await asyncio.sleep(0.1)
            wav = await client.get(f"/api/reports/{listed[0]['recording']}")
            report = await client.get(f"/api/reports/{listed[0]['report']}")
    assert result["disconnect"] is not None and result["disconnect"].reason == "agent"
    call = listed[0]
    assert (call["conversation_id"], call["mode"], call["outcome"]) == (result["conversation_id"], "voice", "created")
    assert wav.headers["content-type"] == "audio/wav" and wav.content[:4] == b"RIFF"
    assert int.from_bytes(wav.content[22:24], "little") == 2 and len(wav.content) > 32_000 * 2 * 10
    assert "<audio controls" in report.text and call["recording"] in report.text
    heard = [text for role, text in result["lines"] if role == "heard"]
    assert len(heard) >= 10 and result["agent_audio_s"] > 30 and result["interruptions"] == 0
    org = console.stack.org
    found = httpx2.get(
        f"{org.url}/services/data/v58.0/query",
        params={
            "q": "SELECT FirstName, LastName, Phone FROM Lead WHERE Email = 'priya.natarajan@brightwave-analytics.com'"
        },
        headers={"Authorization": f"Bearer {org.get_token()}"},
    ).json()["records"]
    assert [(r["FirstName"], r["LastName"], r["Phone"]) for r in found] == [("Priya", "Natarajan", "+15125550142")]
