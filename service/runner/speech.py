"""The audio seam of the agent server: what a voice session needs from speech recognition and TTS.

The agent server is text-first. When it is built with a `speech_factory` and a session is not
text-only, it creates one `SpeechIO` per conversation and:

* passes every `user_audio_chunk` (base64 PCM16LE mono 16 kHz, decoded) to `feed`, which does
  endpointing + STT and returns the transcripts of utterances that finished in that chunk; each
  becomes a `user_transcript` event and a user turn;
* calls `expect_slot` before each user turn with the slot the agent just asked for ("email",
  "phone", "name", "number", "yes_no", ... or None) so STT can switch grammars;
* turns each agent reply into `audio` events with `synthesize` (16 kHz mono PCM16 bytes) alongside
  the `agent_response` text, marking playback with `start_speaking`/`stop_speaking`;
* sends `interruption` when `feed` reports barge-in (`barged_in()` true while the agent speaks).

The implementation lives in `service/voice/` (engineer G); this module only fixes the interface.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

SAMPLE_RATE = 16_000
AUDIO_FORMAT = "pcm_16000"

# Slots the rules agent can ask for (see `service.runner.agent.QualificationAgent.expected_slot`).
SLOTS = ("name", "title", "email", "phone", "company", "address", "number", "money", "date", "yes_no", "free")


@runtime_checkable
class SpeechIO(Protocol):
    """Per-conversation speech recognition and synthesis (16 kHz mono PCM16 both ways)."""

    def feed(self, pcm: bytes) -> list[str]:
        """Consume caller audio; return transcripts of utterances that ended in this chunk."""
        ...

    def synthesize(self, text: str) -> bytes:
        """Render an agent reply as 16 kHz mono PCM16 bytes."""
        ...

    def expect_slot(self, slot: str | None) -> None:
        """The agent just asked for `slot` (one of `SLOTS`, or None for free speech)."""
        ...

    def start_speaking(self, pcm_len: int) -> None:
        """The server began sending `pcm_len` bytes of agent audio (playback window opens)."""
        ...

    def stop_speaking(self) -> None:
        """Agent playback ended or was interrupted."""
        ...

    def barged_in(self) -> bool:
        """True once if the caller started talking over the agent since the last check."""
        ...

    def close(self) -> None:
        """Release recogniser resources at the end of the conversation."""
        ...


SpeechFactory = Callable[[], SpeechIO]
