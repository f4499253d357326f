"""Voice activity detection and endpointing on 16 kHz mono PCM16.

Frames of 30 ms are classified (webrtcvad-wheels, else pocketsphinx's VAD, else an energy gate); an utterance
starts after `start_ms` of mostly-voiced frames (with `pad_ms` of audio before it kept) and ends after
`silence_ms` (500 ms) of silence; utterances with less than `min_speech_ms` of speech are dropped.
Events are reported per frame so a recogniser can decode while the caller is still talking.
"""

from __future__ import annotations

import collections
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass

from service.voice import audio

FRAME_MS = 30
FRAME_BYTES = audio.SAMPLE_RATE * FRAME_MS // 1000 * audio.SAMPLE_WIDTH


def energy_classifier(threshold_dbfs: float = -45.0) -> Callable[[bytes], bool]:
    """A frame is speech when its RMS is above `threshold_dbfs` (fine for clean synthetic audio)."""
    return lambda frame: audio.rms_dbfs(frame) > threshold_dbfs


def webrtc_classifier(mode: int = 2) -> Callable[[bytes], bool]:
    """webrtcvad's GMM classifier at aggressiveness `mode` (0-3)."""
    import webrtcvad

    vad = webrtcvad.Vad(mode)
    return lambda frame: bool(vad.is_speech(frame, audio.SAMPLE_RATE))


def pocketsphinx_classifier(mode: int = 2) -> Callable[[bytes], bool]:
    """pocketsphinx's built-in WebRTC-style VAD (no extra package beyond the recogniser)."""
    from pocketsphinx import Vad

    vad = Vad(mode, audio.SAMPLE_RATE, FRAME_MS / 1000)
    return lambda frame: bool(vad.is_speech(frame))


def default_classifier() -> Callable[[bytes], bool]:
    """webrtcvad when installed, else pocketsphinx's VAD, else the energy gate."""
    if importlib.util.find_spec("webrtcvad"):
        return webrtc_classifier()
    if importlib.util.find_spec("pocketsphinx"):
        return pocketsphinx_classifier()
    return energy_classifier()


@dataclass
class Event:
    """What one feed produced: `start` (speech began; `pcm` is the pre-roll + onset), `audio` (more speech),
    `end` (the utterance ended; `pcm` is the trailing silence kept), `drop` (it was too short)."""

    kind: str
    pcm: bytes = b""
    at: float = 0.0  # stream time in seconds at the end of the frame that caused the event


class Endpointer:
    """Streaming endpointer: `feed(pcm)` → events; `in_speech` tells whether an utterance is open."""

    def __init__(
        self,
        *,
        silence_ms: int = 500,
        min_speech_ms: int = 120,
        start_ms: int = 90,
        pad_ms: int = 210,
        classifier: Callable[[bytes], bool] | None = None,
    ) -> None:
        self.is_speech = classifier or default_classifier()
        self.silence_frames = max(1, silence_ms // FRAME_MS)
        self.min_speech_frames = max(1, min_speech_ms // FRAME_MS)
        self.start_frames = max(1, start_ms // FRAME_MS)
        self._pre: collections.deque[tuple[bytes, bool]] = collections.deque(
            maxlen=max(self.start_frames, pad_ms // FRAME_MS)
        )
        self._pending = b""
        self.in_speech = False
        self._silent_run = 0
        self._voiced = 0
        self.frames = 0
        self.speech_end_at: float | None = None  # stream time the last utterance's speech ended

    @property
    def time(self) -> float:
        """Seconds of audio consumed."""
        return self.frames * FRAME_MS / 1000

    def feed(self, pcm: bytes) -> list[Event]:
        """Consume audio; return the events it caused, in order."""
        data = self._pending + pcm
        cut = len(data) - len(data) % FRAME_BYTES
        self._pending = data[cut:]
        events: list[Event] = []
        for i in range(0, cut, FRAME_BYTES):
            self._frame(data[i : i + FRAME_BYTES], events)
        return events

    def _frame(self, frame: bytes, events: list[Event]) -> None:
        voiced = self.is_speech(frame)
        self.frames += 1
        if not self.in_speech:
            self._pre.append((frame, voiced))
            recent = list(self._pre)[-self.start_frames :]
            if len(recent) == self.start_frames and sum(v for _f, v in recent) >= max(1, self.start_frames - 1):
                self.in_speech = True
                self._silent_run, self._voiced = 0, sum(v for _f, v in self._pre)
                events.append(Event("start", b"".join(f for f, _v in self._pre), self.time))
                self._pre.clear()
            return
        if voiced:
            self._voiced += 1
            self._silent_run = 0
        else:
            self._silent_run += 1
        events.append(Event("audio", frame, self.time))
        if self._silent_run >= self.silence_frames:
            self.in_speech = False
            self.speech_end_at = self.time - self._silent_run * FRAME_MS / 1000
            kind = "end" if self._voiced >= self.min_speech_frames else "drop"
            events.append(Event(kind, b"", self.time))

    def flush(self) -> list[Event]:
        """End of stream: close an open utterance."""
        if not self.in_speech:
            return []
        self.in_speech = False
        self.speech_end_at = self.time - self._silent_run * FRAME_MS / 1000
        return [Event("end" if self._voiced >= self.min_speech_frames else "drop", b"", self.time)]


def segments(pcm: bytes, endpointer: Endpointer | None = None) -> list[bytes]:
    """Split a recording into utterances (whole-buffer convenience over `Endpointer`)."""
    ep = endpointer or Endpointer()
    out: list[bytes] = []
    current: list[bytes] = []
    for event in [*ep.feed(pcm), *ep.feed(audio.silence(ep.silence_frames * FRAME_MS / 1000 + 0.06)), *ep.flush()]:
        if event.kind in ("start", "audio"):
            current.append(event.pcm)
        elif event.kind == "end":
            out.append(b"".join(current))
            current = []
        else:
            current = []
    return out
