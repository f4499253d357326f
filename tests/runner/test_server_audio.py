"""The audio seam: a non-text-only session with a SpeechIO gets transcripts from audio and replies as audio."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any

from runner_fake_gateway import executor_for, fake_gateway
from websockets.asyncio.client import connect

from service.runner.server import create_agent_server
from service.runner.speech import SpeechIO
from service.runner.stack import ServerThread


class TextAsAudio:
    """A SpeechIO double: "audio" chunks are UTF-8 text (b"SAY:..." ends an utterance, b"BARGE" talks over)."""

    def __init__(self) -> None:
        self.slots: list[str | None] = []
        self.speaking = False
        self._barged = False
        self.closed = False

    def feed(self, pcm: bytes) -> list[str]:
        if pcm == b"BARGE" and self.speaking:
            self._barged = True
        return [pcm[4:].decode()] if pcm.startswith(b"SAY:") else []

    def synthesize(self, text: str) -> bytes:
        return b"\x01\x00" * 12_000  # 0.75 s: audio events of 16000 and 8000 bytes

    def expect_slot(self, slot: str | None) -> None:
        self.slots.append(slot)

    def start_speaking(self, pcm_len: int) -> None:
        self.speaking = True

    def stop_speaking(self) -> None:
        self.speaking = False

    def barged_in(self) -> bool:
        barged, self._barged = self._barged, False
        return barged

    def close(self) -> None:
        self.closed = True


async def test_audio_in_transcripts_and_audio_out_with_slots_and_interruption(tools_dir: Path) -> None:
    """user_audio_chunk → user_transcript; replies as audio events with the reply's event id; slots; barge-in."""
    made: list[TextAsAudio] = []

    def factory() -> SpeechIO:
        made.append(TextAsAudio())
        return made[-1]

    gateway = fake_gateway("test-secret")
    executor = executor_for(gateway, tools_dir)
    app = create_agent_server(executor, speech_factory=factory, ping_interval=5)
    with ServerThread(app) as server:
        url = server.url.replace("http://", "ws://") + "/v1/convai/conversation"
        async with connect(url) as ws:
            await ws.send(json.dumps({"type": "conversation_initiation_client_data"}))
            frames: list[dict[str, Any]] = []

            async def until(kind: str) -> dict[str, Any]:
                while True:
                    msg: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 10))
                    frames.append(msg)
                    if msg["type"] == kind:
                        return msg

            greeting = await until("agent_response")
            first_audio = await until("audio")
            assert first_audio["audio_event"]["event_id"] == greeting["agent_response_event"]["event_id"]
            await ws.send(json.dumps({"user_audio_chunk": base64.b64encode(b"BARGE").decode()}))
            interrupted = await until("interruption")
            assert interrupted["interruption_event"]["event_id"] == greeting["agent_response_event"]["event_id"]
            chunk = base64.b64encode(b"SAY:We need help tracking our sales calls.").decode()
            await ws.send(json.dumps({"user_audio_chunk": chunk}))
            heard = await until("user_transcript")
            assert heard["user_transcription_event"]["user_transcript"] == "We need help tracking our sales calls."
            reply = await until("agent_response")
            assert "full name" in reply["agent_response_event"]["agent_response"]
            audio = await until("audio")
            assert audio["audio_event"]["event_id"] == reply["agent_response_event"]["event_id"]
            assert len(base64.b64decode(audio["audio_event"]["audio_base_64"])) == 16_000
    for _ in range(100):
        if made and made[0].closed:
            break
        await asyncio.sleep(0.02)
    assert made[0].slots[:2] == ["free", "name"] and made[0].closed
