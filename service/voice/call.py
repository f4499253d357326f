"""The voice line: a whole qualification call through the offline voice loop.

caller line → caller TTS (flite `slt`) → optional line noise → endpointing + STT (slot grammar) → agent →
tools → agent TTS (flite `kal16`). `VoiceLine` is the runner's `CallIO` for this, so the call loop, the
persona run, the checks and the reports are the text call's (`play_persona(name, executor,
partial(VoiceLine, noise_db=20))`); its record is a `CallRecord` with a `voice`
section: per-turn WER of the caller's speech, STT / agent+tools / TTS times, latency from the caller's
end of speech to the first agent audio, and the stereo WAV's path (caller left, agent right).

Latency of a turn = endpointing wait (audio time from the last voiced frame to the endpoint, ~500 ms)
+ the recogniser's tail (wall time of the feed that closed the utterance; decoding runs while the caller
speaks) + agent and tools + TTS of the reply's first sentence.
"""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from service.runner.call_record import CallRecord
from service.runner.callers import Persona
from service.text.address import address_words
from service.voice import audio
from service.voice.figures import VoiceTurn, summarize, word_error_rate
from service.voice.speech_io import SpeechFactory, Utterance, VoiceSpeechIO
from service.voice.tts import TTS, make_tts

GAP_S = 0.3  # pause between one speaker stopping and the other starting
CHUNK_S = 0.1  # caller audio is fed in 100 ms chunks, as a streaming client sends it


@dataclass
class VoiceCallRecord(CallRecord):
    """A call record with the voice section."""

    voice: dict[str, Any] = field(default_factory=dict)


def persona_vocabulary(persona: Persona) -> list[str]:
    """What the simulated caller will name: their name, company, email(s) - the slot grammars' words."""
    facts, script = persona.spoken, persona.script  # what the caller says (a misheard persona: as garbled)
    items = [str(facts.get(k, "")) for k in ("first_name", "last_name", "company", "email", "title")]
    items += address_words(str(facts.get("address", "")))
    for value in script.values():
        if isinstance(value, str):
            items += re.findall(r"[\w.+-]+@[\w.-]+\.\w+", value)
    return [i for i in items if i]


def first_sentence(text: str) -> str:
    """The reply's first sentence: what TTS must render before audio can start."""
    parts = re.split(r"(?<=[.!?])\s+", text.strip(), maxsplit=1)
    return parts[0]


@dataclass
class _Heard:
    """A caller turn between `hear` and `deliver`: what was said and heard, and the STT's share of the wait."""

    said: str
    text: str
    utterance: Utterance | None
    line_s: float
    tail_ms: float
    endpoint_ms: float
    endpoint_at: float  # on the call's timeline


class VoiceLine:
    """The voice call's `CallIO`: caller lines are spoken, noised, endpointed and recognised; replies are
    spoken onto the agent's track. `noise_db` adds white line noise at that signal-to-noise ratio in dB
    (30 faint, 10 loud), relative to each caller line's own level; `wav_path` receives the stereo recording."""

    def __init__(
        self,
        persona: Persona,
        *,
        noise_db: float | None = None,
        wav_path: str | Path | None = None,
        speech_factory: SpeechFactory | None = None,
        caller_tts: TTS | None = None,
    ) -> None:
        self.factory = speech_factory or SpeechFactory()
        self.factory.vocabulary = persona_vocabulary(persona)
        self.caller = caller_tts or make_tts("flite", voice="slt")
        self.noise_db, self.wav_path = noise_db, wav_path
        self.tracks, self.turns = audio.Tracks(), list[VoiceTurn]()
        self.clock = 0.0
        self.speech: VoiceSpeechIO | None = None
        self.record: VoiceCallRecord | None = None
        self._heard: _Heard | None = None

    def new_record(self, persona: str, agent_kind: str, conversation_id: str) -> VoiceCallRecord:
        self.record = VoiceCallRecord(persona=persona, agent=agent_kind, conversation_id=conversation_id)
        return self.record

    def start(self, greeting: str) -> None:
        self.speech = self.factory()
        _first, _total, self.clock = self._speak(self.speech, greeting, self.clock)

    def _speak(self, speech: VoiceSpeechIO, text: str, at: float) -> tuple[float, float, float]:
        """Synthesize an agent reply placed at `at`; returns (first-sentence ms, total ms, end time)."""
        head = first_sentence(text)
        rest = text.strip()[len(head) :].strip()
        started = time.perf_counter()
        pcm = speech.synthesize(head)
        first_ms = (time.perf_counter() - started) * 1000
        if rest:
            pcm += speech.synthesize(rest)
        total_ms = (time.perf_counter() - started) * 1000
        self.tracks.right.append((at, pcm))
        return first_ms, total_ms, at + audio.duration(pcm)

    def hear(self, said: str, slot: str | None) -> str:
        speech = self.speech
        assert speech is not None, "start() opens the line"
        speech.expect_slot(slot)
        line_pcm = self.caller.synthesize(said)
        fed = audio.silence(0.2) + line_pcm + audio.silence(speech.endpointer.silence_frames * 0.03 + 0.4)
        if self.noise_db is not None:
            fed = audio.add_noise(fed, audio.rms_dbfs(line_pcm) - self.noise_db, seed=len(self.turns))
        caller_start = self.clock + GAP_S
        self.tracks.left.append((caller_start, fed))
        stream_base = speech.endpointer.time
        heard: list[str] = []
        tail_ms = 0.0
        # The whole line is one caller turn: if the endpointer splits it (a long pause, line noise),
        # the pieces are joined and the turn ends with the last piece.
        for chunk in audio.chunks(fed, CHUNK_S):
            started = time.perf_counter()
            got = speech.feed(chunk)
            if got:
                tail_ms = (time.perf_counter() - started) * 1000
                heard += got
        if speech.endpointer.in_speech:  # noise kept the endpointer open: the line is over
            started = time.perf_counter()
            heard += speech.flush()
            tail_ms = (time.perf_counter() - started) * 1000
        utt = speech.utterances[-1] if heard and speech.utterances else None
        endpoint_ms = (utt.endpoint_at - utt.speech_end_at) * 1000 if utt else 0.0
        local_endpoint = (utt.endpoint_at - stream_base) if utt else audio.duration(fed)
        text = " ".join(heard)
        line_s = audio.duration(line_pcm)
        self._heard = _Heard(said, text, utt, line_s, tail_ms, endpoint_ms, caller_start + local_endpoint)
        return text

    def deliver(self, reply: str, agent_ms: float) -> float:
        speech, heard = self.speech, self._heard
        assert speech is not None and heard is not None, "deliver() answers a hear()"
        compute_s = (heard.tail_ms + agent_ms) / 1000
        first_ms, tts_ms, self.clock = self._speak(speech, reply, heard.endpoint_at + compute_s)
        latency = heard.endpoint_ms + heard.tail_ms + agent_ms + first_ms
        wer, words = word_error_rate(heard.said, heard.text)
        utt = heard.utterance
        self.turns.append(
            VoiceTurn(
                said=heard.said,
                heard=heard.text,
                slot=utt.slot if utt else None,
                search=utt.transcript.search if utt else "",
                wer=round(wer, 4),
                words=words,
                audio_s=round(heard.line_s, 3),
                stt_decode_ms=round(utt.transcript.decode_seconds * 1000 if utt else 0.0, 1),
                stt_tail_ms=round(heard.tail_ms, 1),
                endpoint_ms=round(heard.endpoint_ms, 1),
                agent_ms=round(agent_ms, 1),
                tts_first_ms=round(first_ms, 1),
                tts_ms=round(tts_ms, 1),
                latency_ms=round(latency, 1),
            )
        )
        return latency

    def finish(self) -> None:
        if self.speech is not None:
            self.speech.close()
            self.speech = None
        wav = self.tracks.write(Path(self.wav_path)) if self.wav_path else None
        factory = self.factory
        if self.record is not None:
            self.record.voice = {
                "caller_tts": self.caller.name,
                "agent_tts": factory.tts_backend + (f"-{factory.agent_voice}" if factory.agent_voice else ""),
                "stt": factory.stt_backend,
                "noise_snr_db": self.noise_db,
                "wav": str(wav) if wav else None,
                "summary": summarize(self.turns),
                "turns": [asdict(t) for t in self.turns],
            }


def describe(record: CallRecord) -> str:
    """A line for the terminal: the voice summary of a call (empty for a text call)."""
    voice: dict[str, Any] = getattr(record, "voice", {})
    if not voice:
        return ""
    s = voice.get("summary", {})
    return (
        f"voice: {s.get('turns', 0)} caller turns, WER {s.get('wer', 0):.3f}, STT RTF {s.get('stt_rtf', 0):.3f}, "
        f"latency p50 {s.get('latency_p50_ms', 0):.0f} ms / p95 {s.get('latency_p95_ms', 0):.0f} ms"
        + (f"; recording {voice['wav']}" if voice.get("wav") else "")
    )
