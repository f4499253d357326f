"""`VoiceSpeechIO`: the agent server's audio seam (`service.runner.speech.SpeechIO`) on offline backends.

Caller audio → endpointer → streaming STT (the slot grammar the agent's last question asked for) →
transcripts; agent text → TTS (a voice distinct from the caller's). Speech that starts while the agent's
audio is still playing is a barge-in. Recognisers are pooled per factory: a Decoder loads in about half a
second, so conversations reuse them.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from service.text import extract_email, written_address
from service.voice import audio, grammar
from service.voice.stt import STT, Transcript, make_stt
from service.voice.tts import TTS, make_tts
from service.voice.vad import Endpointer

if TYPE_CHECKING:
    from service.settings import Settings

# Slots whose answers teach the recogniser words for later grammars (the caller's name, company).
_LEARN_FROM = ("name", "company")


def case_map(vocabulary: Iterable[str]) -> dict[str, str]:
    """lower-case word → its written form, from capitalised vocabulary ("Priya", "Brightwave")."""
    mapping = {"i": "I", "i'm": "I'm", "i'd": "I'd", "i'll": "I'll", "i've": "I've"}
    for text in vocabulary:
        if "@" in text:
            continue
        for word in re.findall(r"[A-Za-z][A-Za-z']*", text):
            if word[0].isupper():
                mapping.setdefault(word.lower(), word)
    return mapping


def truecase(text: str, mapping: dict[str, str]) -> str:
    """Recogniser output (lower case) as written text: names capitalised, "I", a capital first letter."""
    words = [mapping.get(w, w) for w in text.split()]
    out = " ".join(words)
    return out[:1].upper() + out[1:]


# Lead-in words a name answer may start with: the name grammar's, less the title's ("title", "job"),
# plus the small words around a name ("I am", "it's a ...").
_LEADS = (frozenset(grammar.NAME_LEADS) - {"title", "job"}) | {"it", "we", "are", "and", "of", "a", "an", "i", "am"}


def _capitalised(text: str, mapping: dict[str, str]) -> dict[str, str]:
    return {w: mapping.get(w, w[:1].upper() + w[1:]) for w in text.split() if w not in _LEADS}


@dataclass
class Utterance:
    """One recognised caller utterance with its timing (stream seconds and wall clock)."""

    transcript: Transcript
    slot: str | None
    speech_end_at: float  # stream time the caller stopped speaking
    endpoint_at: float  # stream time the endpointer closed the utterance
    recognised_at: float = field(default_factory=time.perf_counter)  # wall clock when the text was ready


class VoiceSpeechIO:
    """Per-conversation speech recognition and synthesis (16 kHz mono PCM16 both ways)."""

    def __init__(
        self,
        stt: STT,
        tts: TTS,
        *,
        endpointer: Endpointer | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_close: Callable[[STT], None] | None = None,
        vocabulary: Iterable[str] = (),
        playback_speed: float = 1.0,
    ) -> None:
        self.stt, self.tts = stt, tts
        self.playback_speed = playback_speed
        self.case = case_map(vocabulary)
        self.endpointer = endpointer or Endpointer()
        self.clock = clock
        self.slot: str | None = None
        self.utterances: list[Utterance] = []
        self._speaking_until: float | None = None
        self._barged = False
        self._open = False
        self._on_close = on_close
        self._lock = threading.Lock()
        self._agent_turn: list[str] = []  # what the agent said since the caller last spoke

    # -- recognition ---------------------------------------------------------------------------
    def feed(self, pcm: bytes) -> list[str]:
        """Consume caller audio; return transcripts of utterances that ended in this chunk."""
        texts: list[str] = []
        with self._lock:
            for event in self.endpointer.feed(pcm):
                text = self._event(event.kind, event.pcm, event.at)
                if text:
                    texts.append(text)
        return texts

    def flush(self) -> list[str]:
        """End of the caller's stream: close an open utterance."""
        with self._lock:
            texts = [self._event(e.kind, e.pcm, e.at) for e in self.endpointer.flush()]
        return [t for t in texts if t]

    def _event(self, kind: str, pcm: bytes, at: float) -> str | None:
        if kind == "start":
            if self._agent_audible():
                self._barged = True
            self.stt.begin(self._grammar_slot())
            self._open = True
            self.stt.process(pcm)
        elif kind == "audio" and self._open:
            self.stt.process(pcm)
        elif kind in ("end", "drop") and self._open:
            self._open = False
            self._agent_turn = []
            transcript = self.stt.end()
            if kind == "drop" or not transcript.text:
                return None
            end_at = self.endpointer.speech_end_at if self.endpointer.speech_end_at is not None else at
            self.utterances.append(Utterance(transcript, self.slot, end_at, at))
            if self.slot in _LEARN_FROM:
                self.stt.add_vocabulary(
                    w
                    for w in transcript.text.split()
                    if len(w) > 2 and w not in _LEADS and w not in grammar.FILLERS and w not in grammar.NAME_LEADS
                )
                # A name or company answer: its words are proper nouns.
                return truecase(transcript.text, {**self.case, **_capitalised(transcript.text, self.case)})
            if self.slot == "address":
                written = written_address(transcript.text)
                if written:
                    return written
            return truecase(transcript.text, self.case)
        return None

    def _grammar_slot(self) -> str | None:
        # A yes/no right after the agent read an address back may be a correction naming the address.
        if self.slot == "yes_no" and extract_email(" ".join(self._agent_turn)):
            return "correction"
        return self.slot

    def expect_slot(self, slot: str | None) -> None:
        """The agent just asked for `slot`; the next utterance uses its grammar (if any)."""
        self.slot = slot

    # -- synthesis and playback ----------------------------------------------------------------
    def synthesize(self, text: str) -> bytes:
        """Render an agent reply as 16 kHz mono PCM16 bytes."""
        self._agent_turn.append(text)  # a reply may be synthesized in pieces (first sentence first)
        return self.tts.synthesize(text)

    def start_speaking(self, pcm_len: int) -> None:
        """Agent playback of `pcm_len` bytes began (real time from now, or faster for a simulated client)."""
        seconds = pcm_len / (audio.SAMPLE_WIDTH * audio.SAMPLE_RATE)
        self._speaking_until = self.clock() + seconds / self.playback_speed

    def stop_speaking(self) -> None:
        """Agent playback ended or was interrupted."""
        self._speaking_until = None

    def _agent_audible(self) -> bool:
        return self._speaking_until is not None and self.clock() < self._speaking_until

    def barged_in(self) -> bool:
        """True once if the caller started talking over the agent since the last check."""
        barged, self._barged = self._barged, False
        return barged

    def close(self) -> None:
        """Release the recogniser (back to its factory's pool)."""
        if self._on_close is not None:
            self._on_close(self.stt)
            self._on_close = None


class SpeechFactory:
    """Creates one `VoiceSpeechIO` per conversation; recognisers are pooled and get `vocabulary` each call."""

    def __init__(
        self,
        *,
        vocabulary: Iterable[str] = (),
        tts: str = "flite",
        agent_voice: str | None = "kal16",
        stt: str = "pocketsphinx",
        stt_model: str | None = None,
        silence_ms: int = 500,
        playback_speed: float = 1.0,
    ) -> None:
        self.vocabulary = list(vocabulary)
        self.tts_backend, self.agent_voice = tts, agent_voice if tts == "flite" else None
        self.stt_backend, self.stt_model = stt, stt_model
        self.silence_ms = silence_ms
        # Clients that play agent audio faster than real time (simulators) shrink the barge-in window.
        self.playback_speed = playback_speed
        self._pool: list[STT] = []
        self._lock = threading.Lock()
        self._tts: TTS = make_tts(self.tts_backend, voice=self.agent_voice)

    def _acquire(self) -> STT:
        with self._lock:
            stt = self._pool.pop() if self._pool else None
        if stt is None:
            stt = make_stt(self.stt_backend, vocabulary=self.vocabulary, model_path=self.stt_model)
        else:
            stt.set_vocabulary(self.vocabulary)
        return stt

    def _release(self, stt: STT) -> None:
        with self._lock:
            self._pool.append(stt)

    def warm(self, count: int = 1) -> None:
        """Load `count` recognisers ahead of the first call."""
        for stt in [self._acquire() for _ in range(count)]:
            self._release(stt)

    def __call__(self) -> VoiceSpeechIO:
        return VoiceSpeechIO(
            self._acquire(),
            self._tts,
            endpointer=Endpointer(silence_ms=self.silence_ms),
            on_close=self._release,
            vocabulary=self.vocabulary,
            playback_speed=self.playback_speed,
        )


def voice_options(settings: Settings) -> dict[str, Any]:
    """`SpeechFactory` keyword arguments from the VOICE_* settings."""
    return {"tts": settings.voice_tts, "stt": settings.voice_stt, "stt_model": settings.voice_stt_model}


def speech_factory_if_available(**options: object) -> SpeechFactory | None:
    """A `SpeechFactory` for the agent server when the default backends (flite, pocketsphinx) are installed;
    None otherwise (sessions are then text-only), with the install command logged."""
    import logging

    from service.voice.discovery import BACKENDS, missing_message

    missing = [name for name in ("flite", "pocketsphinx", "webrtcvad") if not BACKENDS[name].available()]
    if missing:
        for name in missing:
            logging.getLogger(__name__).warning("voice disabled: %s", missing_message(name))
        return None
    return SpeechFactory(**options)  # type: ignore[arg-type]
