"""A voice call's recording: the caller's audio on the left, the agent's on the right, as it went over the wire.

Agent audio is placed where the caller's stream stood when the reply was sent (the caller's microphone is a
continuous 16 kHz stream, the agent's replies come in bursts). Needs the voice extra (numpy), which any
console that serves audio sessions has.
"""

from __future__ import annotations

from pathlib import Path

BYTES_PER_SECOND = 32_000  # 16 kHz mono PCM16


class Recording:
    """Caller and agent PCM of one conversation."""

    def __init__(self) -> None:
        self.caller = bytearray()
        self.agent = bytearray()

    def heard(self, pcm: bytes) -> None:
        """Caller audio, as received."""
        self.caller += pcm

    def spoke(self, pcm: bytes) -> None:
        """An agent reply, starting now (after what it is still saying, if it is)."""
        if len(self.agent) < len(self.caller):
            self.agent += bytes(len(self.caller) - len(self.agent))
        self.agent += pcm

    @property
    def seconds(self) -> float:
        return max(len(self.caller), len(self.agent)) / BYTES_PER_SECOND

    def write(self, path: Path) -> Path:
        """A stereo WAV at `path`."""
        from service.voice import audio

        return audio.write_wav(path, audio.stereo(bytes(self.caller), bytes(self.agent)), channels=2)
