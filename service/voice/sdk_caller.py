"""A synthesized caller behind the official Python SDK's `AudioInterface`.

`SynthesizedCaller` plays a persona: when an agent reply arrives (and its audio has stopped coming) it
answers with TTS audio pushed through `input_callback` as 16 kHz PCM chunks (250 ms, as the SDK
recommends), followed by enough silence for the server's endpointer. `sdk_voice_call` drives a whole
conversation through `elevenlabs.conversational_ai.conversation.Conversation` against a server URL.
Audio is sent faster than real time; pair it with a server whose `SpeechFactory(playback_speed=...)`
is raised accordingly, or the caller's answers count as barge-ins.
"""

from __future__ import annotations

import queue
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from service.runner.callers import Caller, Persona
from service.voice import audio
from service.voice.tts import TTS, make_tts

with warnings.catch_warnings():
    # elevenlabs 2.78 annotates with the deprecated websockets.WebSocketClientProtocol at import time.
    warnings.filterwarnings("ignore", "websockets.WebSocketClientProtocol is deprecated", DeprecationWarning)
    from elevenlabs.conversational_ai.conversation import AudioInterface

CHUNK_BYTES = 4000 * audio.SAMPLE_WIDTH  # 250 ms
QUIET_S = 0.3  # no agent audio for this long: the agent has finished speaking


@dataclass
class TurnTiming:
    """Client-side timing of one caller turn."""

    said: str
    sent_at: float  # wall clock when the caller's last speech chunk was sent
    first_audio_at: float | None = None  # wall clock when the agent's next audio arrived


@dataclass
class SynthesizedCaller(AudioInterface):
    """An `AudioInterface` whose microphone is a TTS-voiced persona and whose speaker is a buffer."""

    persona: Persona
    tts: TTS = field(default_factory=lambda: make_tts("flite", voice="slt"))
    end_phrase: str = "Thank you for calling"
    received: bytearray = field(default_factory=bytearray)
    interruptions: int = 0
    turns: list[TurnTiming] = field(default_factory=list)
    lines: list[tuple[str, str]] = field(default_factory=list)
    realtime: bool = False  # pace the caller's chunks at 250 ms each, as a live microphone does

    def __post_init__(self) -> None:
        self.caller = Caller(self.persona)
        self._replies: queue.Queue[str | None] = queue.Queue()
        self._send: Callable[[bytes], None] | None = None
        self._last_audio = time.monotonic()
        self._audio_count = 0
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None
        self.finished = threading.Event()  # the agent said goodbye or the caller hung up
        self.interrupted = threading.Event()

    # -- AudioInterface ------------------------------------------------------------------------
    def start(self, input_callback: Callable[[bytes], None]) -> None:
        self._send = input_callback
        self._worker = threading.Thread(target=self._run, daemon=True, name="synth-caller")
        self._worker.start()

    def stop(self) -> None:
        self._stop.set()
        self._replies.put(None)

    def output(self, audio: bytes) -> None:
        self.received.extend(audio)
        self._last_audio = time.monotonic()
        self._audio_count += 1
        if self.turns and self.turns[-1].first_audio_at is None:
            self.turns[-1].first_audio_at = time.perf_counter()

    def interrupt(self) -> None:
        self.interruptions += 1
        self.interrupted.set()

    # -- conversation callbacks ----------------------------------------------------------------
    def on_agent_response(self, text: str) -> None:
        """Pass as the Conversation's `callback_agent_response`."""
        self.lines.append(("agent", text))
        self._replies.put(text)

    def on_user_transcript(self, text: str) -> None:
        """Pass as the Conversation's `callback_user_transcript`."""
        self.lines.append(("heard", text))

    # -- the caller ----------------------------------------------------------------------------
    def _wait_until_agent_quiet(self, count_before: int) -> None:
        deadline = time.monotonic() + 30
        while not self._stop.is_set() and time.monotonic() < deadline:
            if self._audio_count > count_before and time.monotonic() - self._last_audio >= QUIET_S:
                return
            time.sleep(0.02)

    def _run(self) -> None:
        count = 0
        while not self._stop.is_set():
            text = self._replies.get()
            if text is None:
                return
            self._wait_until_agent_quiet(count)
            count = self._audio_count
            if self.end_phrase in text:
                self.finished.set()
                return
            said = self.caller.respond(text)
            if said is None:
                self.finished.set()
                return
            self.lines.append(("caller", said))
            pcm = audio.silence(0.2) + self.tts.synthesize(said)
            for i in range(0, len(pcm), CHUNK_BYTES):
                self._push(pcm[i : i + CHUNK_BYTES])
            self.turns.append(TurnTiming(said, time.perf_counter()))
            for chunk in audio.chunks(audio.silence(0.8), 0.25):
                self._push(chunk)

    def _push(self, pcm: bytes) -> None:
        if self._send is not None and not self._stop.is_set():
            if self.realtime:  # a microphone hands over a chunk once it has been recorded
                time.sleep(audio.duration(pcm))
            self._send(pcm)


def sdk_voice_call(
    base_url: str,
    persona: Persona,
    *,
    tts: TTS | None = None,
    timeout: float = 120.0,
    agent_id: str = "embedded-agent",
    stop_on_interruption: bool = False,
    realtime: bool = False,
) -> dict[str, Any]:
    """A whole voice conversation through the official SDK; returns lines, timings and disconnect details.

    `stop_on_interruption` ends the session at the first `interruption` from the server; `realtime` paces the
    caller's audio like a live microphone (then `turn_ms` is the latency a caller would hear)."""
    from elevenlabs.client import ElevenLabs

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "websockets.WebSocketClientProtocol is deprecated", DeprecationWarning)
        from elevenlabs.conversational_ai.conversation import Conversation

    caller = SynthesizedCaller(persona, tts=tts or make_tts("flite", voice="slt"), realtime=realtime)
    ended: list[Any] = []
    disconnected = threading.Event()

    def on_disconnect(details: Any) -> None:
        ended.append(details)
        disconnected.set()

    client = ElevenLabs(api_key="dummy", base_url=base_url)
    conv = Conversation(
        client,
        agent_id,
        user_id="sdk-voice-user",
        requires_auth=False,
        audio_interface=caller,
        callback_agent_response=caller.on_agent_response,
        callback_user_transcript=caller.on_user_transcript,
        callback_disconnect=on_disconnect,
    )
    conv.start_session()  # type: ignore[no-untyped-call]
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not caller.finished.is_set() and not disconnected.is_set():
            if stop_on_interruption and caller.interrupted.is_set():
                break
            time.sleep(0.05)
        if caller.finished.is_set():
            disconnected.wait(10)  # the server sends end_call, then closes
    finally:
        conv.end_session()  # type: ignore[no-untyped-call]
        conv_id = conv.wait_for_session_end()
    details = ended[0] if ended else None
    latencies = [(t.first_audio_at - t.sent_at) * 1000 for t in caller.turns if t.first_audio_at is not None]
    return {
        "lines": caller.lines,
        "disconnect": details,
        "conversation_id": conv_id,
        "turn_ms": latencies,
        "interruptions": caller.interruptions,
        "agent_audio_s": audio.duration(bytes(caller.received)),
    }
