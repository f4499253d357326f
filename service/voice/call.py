"""A whole qualification call through the offline voice loop.

caller line → caller TTS (flite `slt`) → optional line noise → endpointing + STT (slot grammar) → agent →
tools → agent TTS (flite `kal16`). The record is the runner's `CallRecord` (so the same checks and
reports apply) with a `voice` section: per-turn WER of the caller's speech, STT / agent+tools / TTS
times, latency from the caller's end of speech to the first agent audio, and the stereo WAV's path
(caller left, agent right).

Latency of a turn = endpointing wait (audio time from the last voiced frame to the endpoint, ~500 ms)
+ the recogniser's tail (wall time of the feed that closed the utterance; decoding runs while the caller
speaks) + agent and tools + TTS of the reply's first sentence.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from service.runner.agent import Agent
from service.runner.callers import Caller, Persona
from service.runner.session import CallRecord, CallRecorder, EventHook
from service.runner.webhooks import WebhookExecutor
from service.text import wer_form
from service.text.address import address_words
from service.voice import audio
from service.voice.speech_io import SpeechFactory, VoiceSpeechIO
from service.voice.tts import TTS, make_tts

MAX_TURNS = 40
GAP_S = 0.3  # pause between one speaker stopping and the other starting
CHUNK_S = 0.1  # caller audio is fed in 100 ms chunks, as a streaming client sends it


@dataclass
class VoiceTurn:
    """One caller turn through the voice loop."""

    said: str
    heard: str
    slot: str | None
    search: str
    wer: float
    words: int
    audio_s: float
    stt_decode_ms: float
    stt_tail_ms: float
    endpoint_ms: float
    agent_ms: float
    tts_first_ms: float
    tts_ms: float
    latency_ms: float


@dataclass
class VoiceCallRecord(CallRecord):
    """A call record with the voice section."""

    voice: dict[str, Any] = field(default_factory=dict)


def persona_vocabulary(persona: Persona) -> list[str]:
    """What the simulated caller will name: their name, company, email(s) - the slot grammars' words."""
    facts, script = persona.facts, persona.script
    items = [str(facts.get(k, "")) for k in ("first_name", "last_name", "company", "email", "title")]
    items += address_words(str(facts.get("address", "")))
    for value in script.values():
        if isinstance(value, str):
            items += re.findall(r"[\w.+-]+@[\w.-]+\.\w+", value)
    return [i for i in items if i]


def word_error_rate(reference: str, hypothesis: str) -> tuple[float, int]:
    """(WER, reference word count) after both sides are put in spoken form (jiwer's definition)."""
    ref, hyp = wer_form(reference).split(), wer_form(hypothesis).split()
    if not ref:
        return (0.0 if not hyp else 1.0), 0
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1] / len(ref), len(ref)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summarize(turns: list[VoiceTurn]) -> dict[str, float]:
    """Latency p50/p95, corpus WER and STT real-time factor over turns."""
    latencies = [t.latency_ms for t in turns]
    words = sum(t.words for t in turns)
    audio_s = sum(t.audio_s for t in turns)
    return {
        "turns": len(turns),
        "latency_p50_ms": round(percentile(latencies, 50), 1),
        "latency_p95_ms": round(percentile(latencies, 95), 1),
        "wer": round(sum(t.wer * t.words for t in turns) / words, 4) if words else 0.0,
        "stt_rtf": round(sum(t.stt_decode_ms for t in turns) / 1000 / audio_s, 4) if audio_s else 0.0,
        "stt_tail_p50_ms": round(percentile([t.stt_tail_ms for t in turns], 50), 1),
        "agent_p50_ms": round(percentile([t.agent_ms for t in turns], 50), 1),
        "agent_max_ms": round(max((t.agent_ms for t in turns), default=0.0), 1),  # turns with tool calls
        "tts_first_p50_ms": round(percentile([t.tts_first_ms for t in turns], 50), 1),
    }


def first_sentence(text: str) -> str:
    """The reply's first sentence: what TTS must render before audio can start."""
    parts = re.split(r"(?<=[.!?])\s+", text.strip(), maxsplit=1)
    return parts[0]


class _Tracks:
    """Caller (left) and agent (right) audio placed on one timeline."""

    def __init__(self) -> None:
        self.left: list[tuple[float, bytes]] = []
        self.right: list[tuple[float, bytes]] = []

    @staticmethod
    def _render(parts: list[tuple[float, bytes]]) -> bytes:
        out = bytearray()
        for start, pcm in parts:
            offset = int(start * audio.SAMPLE_RATE) * audio.SAMPLE_WIDTH
            if len(out) < offset:
                out.extend(b"\x00" * (offset - len(out)))
            out[offset : offset + len(pcm)] = pcm
        return bytes(out)

    def write(self, path: Path) -> Path:
        return audio.write_wav(path, audio.stereo(self._render(self.left), self._render(self.right)), channels=2)


async def play_voice_call(
    persona: Persona,
    agent: Agent,
    executor: WebhookExecutor,
    *,
    agent_kind: str = "rules",
    conversation_id: str | None = None,
    on_event: EventHook | None = None,
    fixtures: dict[str, str] | None = None,
    noise_db: float | None = None,
    wav_path: str | Path | None = None,
    speech_factory: SpeechFactory | None = None,
    caller_tts: TTS | None = None,
) -> VoiceCallRecord:
    """Play `persona` against `agent` through TTS and STT; checks are added by `checks.judge` afterwards.

    `noise_db` adds white line noise at that signal-to-noise ratio in dB (30 faint, 10 loud), relative
    to each caller line's own level. `wav_path` receives the stereo recording.
    """
    conv_id = conversation_id or f"conv_{uuid.uuid4().hex[:20]}"
    record = VoiceCallRecord(persona=persona.name, agent=agent_kind, conversation_id=conv_id, fixtures=fixtures or {})
    recorder = CallRecorder(record, executor, on_event)
    tools, say = recorder.tool, recorder.say
    factory = speech_factory or SpeechFactory(vocabulary=persona_vocabulary(persona))
    if speech_factory is not None:
        factory.vocabulary = persona_vocabulary(persona)
    voice_caller = caller_tts or make_tts("flite", voice="slt")
    speech: VoiceSpeechIO = factory()
    tracks, turns = _Tracks(), []

    def speak(text: str, at: float) -> tuple[float, float, float]:
        """Synthesize an agent reply placed at `at`; returns (first-sentence ms, total ms, end time)."""
        head = first_sentence(text)
        rest = text.strip()[len(head) :].strip()
        started = time.perf_counter()
        pcm = speech.synthesize(head)
        first_ms = (time.perf_counter() - started) * 1000
        if rest:
            pcm += speech.synthesize(rest)
        total_ms = (time.perf_counter() - started) * 1000
        tracks.right.append((at, pcm))
        return first_ms, total_ms, at + audio.duration(pcm)

    caller = Caller(persona)
    clock = 0.0
    try:
        reply = await agent.greet()
        say("agent", reply.text, 0.0)
        _first, _total, clock = speak(reply.text, clock)
        for turn_no in range(MAX_TURNS):
            speech.expect_slot(reply.slot if reply.slot is not None else agent.expected_slot)
            if reply.end_call:
                record.ended_by_agent = True
                break
            said = caller.respond(reply.text)
            if said is None:
                record.hung_up = True
                say("system", "caller hung up")
                break
            line_pcm = voice_caller.synthesize(said)
            fed = audio.silence(0.2) + line_pcm + audio.silence(speech.endpointer.silence_frames * 0.03 + 0.4)
            if noise_db is not None:
                fed = audio.add_noise(fed, audio.rms_dbfs(line_pcm) - noise_db, seed=turn_no)
            caller_start = clock + GAP_S
            tracks.left.append((caller_start, fed))
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
            text = " ".join(heard)
            utt = speech.utterances[-1] if heard and speech.utterances else None
            endpoint_ms = (utt.endpoint_at - utt.speech_end_at) * 1000 if utt else 0.0
            local_endpoint = (utt.endpoint_at - stream_base) if utt else audio.duration(fed)
            say("user", text)
            started = time.perf_counter()
            reply = await agent.reply(text, tools)
            agent_ms = (time.perf_counter() - started) * 1000
            compute_s = (tail_ms + agent_ms) / 1000
            first_ms, tts_ms, _end = speak(reply.text, caller_start + local_endpoint + compute_s)
            latency = endpoint_ms + tail_ms + agent_ms + first_ms
            say("agent", reply.text, latency)
            clock = _end
            wer, words = word_error_rate(said, text)
            turns.append(
                VoiceTurn(
                    said=said,
                    heard=text,
                    slot=utt.slot if utt else None,
                    search=utt.transcript.search if utt else "",
                    wer=round(wer, 4),
                    words=words,
                    audio_s=round(audio.duration(line_pcm), 3),
                    stt_decode_ms=round(utt.transcript.decode_seconds * 1000 if utt else 0.0, 1),
                    stt_tail_ms=round(tail_ms, 1),
                    endpoint_ms=round(endpoint_ms, 1),
                    agent_ms=round(agent_ms, 1),
                    tts_first_ms=round(first_ms, 1),
                    tts_ms=round(tts_ms, 1),
                    latency_ms=round(latency, 1),
                )
            )
        else:
            record.error = "the call did not finish within the turn limit"
    except Exception as exc:  # a broken agent or backend is a failed call, reported, not a crash of the batch
        record.error = f"{type(exc).__name__}: {exc}"
    finally:
        speech.close()
    recorder.finish()
    wav = tracks.write(Path(wav_path)) if wav_path else None
    record.voice = {
        "caller_tts": voice_caller.name,
        "agent_tts": factory.tts_backend + (f"-{factory.agent_voice}" if factory.agent_voice else ""),
        "stt": factory.stt_backend,
        "noise_snr_db": noise_db,
        "wav": str(wav) if wav else None,
        "summary": summarize(turns),
        "turns": [asdict(t) for t in turns],
    }
    return record


async def run_voice_persona(
    name: str,
    executor: WebhookExecutor,
    *,
    agent_kind: str = "rules",
    tag: str = "",
    on_event: EventHook | None = None,
    noise_db: float | None = None,
    wav_path: str | Path | None = None,
    speech_factory: SpeechFactory | None = None,
    caller_tts: TTS | None = None,
) -> VoiceCallRecord:
    """Like the runner's `run_persona` (fixtures → call → checks), through the voice loop."""
    from service.runner.callers import load_persona
    from service.runner.checks import judge
    from service.runner.run import make_agent
    from service.runner.session import prepare_fixtures, setup_failed

    persona = load_persona(name, tag=tag)
    try:
        fixtures = await prepare_fixtures(persona, executor)
    except Exception as exc:  # a gateway that can't set up is a failed call, reported
        return setup_failed(VoiceCallRecord, name, agent_kind, exc)
    agent = make_agent(agent_kind, executor)
    record = await play_voice_call(
        persona,
        agent,
        executor,
        agent_kind=agent_kind,
        on_event=on_event,
        fixtures=fixtures,
        noise_db=noise_db,
        wav_path=wav_path,
        speech_factory=speech_factory,
        caller_tts=caller_tts,
    )
    await judge(record, persona, executor)
    return record


def run_voice_call(
    *,
    persona: str,
    agent: str = "rules",
    gateway: str | None = None,
    noise_db: float | None = None,
    reports_dir: str | Path = "reports",
    on_event: EventHook | None = None,
    secret: str | None = None,
) -> int:
    """`python -m service call --voice`: one persona's voice call; report + stereo WAV; exit code 0 if it passed.

    Starts the embedded org and gateway unless `gateway` is given (then `secret` or WEBHOOK_SECRET).
    Backends from the settings VOICE_TTS (flite | espeak-ng | piper, the agent's voice), VOICE_STT
    (pocketsphinx | faster-whisper) and VOICE_STT_MODEL (a local CTranslate2 model directory).
    """
    import asyncio
    import secrets as random_tokens
    import shutil

    from service.runner.report import write_report
    from service.runner.stack import Stack
    from service.settings import get_settings
    from service.voice.speech_io import voice_options

    if gateway and secret is None:
        configured = get_settings().webhook_secret
        secret = configured.get_secret_value() if configured else None
    if gateway and not secret:
        print("--gateway needs WEBHOOK_SECRET set to the gateway's webhook secret")
        return 2
    tag = random_tokens.token_hex(2) if gateway else ""  # a shared org: make this call's caller unique
    printer = on_event or _print_event
    with Stack(gateway_url=gateway, secret=secret) as stack:
        if not gateway:
            print(f"embedded org + gateway on {stack.gateway_url}", flush=True)

        async def main() -> VoiceCallRecord:
            executor = stack.executor()
            try:
                factory = SpeechFactory(**voice_options(get_settings()))
                return await run_voice_persona(
                    persona,
                    executor,
                    agent_kind=agent,
                    tag=tag,
                    on_event=printer,
                    noise_db=noise_db,
                    wav_path=Path(reports_dir) / ".voice-call.wav",
                    speech_factory=factory,
                )
            finally:
                await executor.aclose()

        record = asyncio.run(main())
    json_path, html_path = write_report(record, Path(reports_dir))
    if record.voice.get("wav"):
        wav = json_path.with_suffix(".wav")
        shutil.move(record.voice["wav"], wav)
        record.voice["wav"] = str(wav)
        json_path, html_path = write_report(record, Path(reports_dir))
    print()
    for check in record.checks:
        print(f"  {'PASS' if check.passed else 'FAIL'}  {check.name}: {check.detail}")
    print(describe(record))
    print(
        f"\noutcome: {record.outcome} · {'PASSED' if record.passed else 'FAILED'} · report: {html_path} "
        f"({json_path.name})"
    )
    return 0 if record.passed else 1


def _print_event(kind: str, payload: Any) -> None:
    if kind == "line":
        who = {"agent": "AGENT ", "user": "CALLER", "system": "  --  "}.get(payload.role, payload.role)
        latency = f"  [{payload.latency_ms:.0f} ms]" if payload.role == "agent" and payload.latency_ms else ""
        print(f"{who} {payload.text}{latency}", flush=True)
    elif kind == "tool":
        print(
            f"   ↳ {payload.name} {payload.params} → {payload.status} {'ok' if payload.ok else 'ERROR'} "
            f"({payload.latency_ms:.1f} ms)",
            flush=True,
        )


def describe(record: VoiceCallRecord) -> str:
    """A few lines for the terminal: the voice summary of a call."""
    s = record.voice.get("summary", {})
    return (
        f"voice: {s.get('turns', 0)} caller turns, WER {s.get('wer', 0):.3f}, STT RTF {s.get('stt_rtf', 0):.3f}, "
        f"latency p50 {s.get('latency_p50_ms', 0):.0f} ms / p95 {s.get('latency_p95_ms', 0):.0f} ms"
        + (f"; recording {record.voice['wav']}" if record.voice.get("wav") else "")
    )
