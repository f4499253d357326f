"""`python -m benchmarks.voice [--personas all] [--noise-db N] [--sdk]`: the offline voice loop.

Every persona's whole call runs through flite (caller `slt`, agent `kal16`) → webrtcvad endpointing →
pocketsphinx (slot grammars) → the rules agent → webhook tools → the real gateway → the embedded org. Prints,
per persona (a table: rich on a terminal, plain columns otherwise) and overall: per-turn latency from the
caller's end of speech to the first agent audio (endpointing wait + STT tail + agent and tools + TTS of the
first sentence) p50/p95, the STT real-time factor, WER of the caller's speech (both sides in spoken form), and
whether the call's checks passed; for the misheard personas, what was heard and whether the customer was
found (a suggestion confirmed) without a duplicate. `--sdk` also runs one call through the official Python
SDK's audio path and prints the client-side latency (caller audio paced like a live microphone; last speech
chunk sent → first agent audio received). Goal: p50 ≤ 800 ms on 2 cores. No assertions: the figures are for reading.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from functools import partial
from pathlib import Path

from service.runner.callers import PERSONA_NAMES, load_persona
from service.runner.run import play_persona
from service.runner.stack import ServerThread, Stack
from service.runner.terminal import print_table, progress, right
from service.voice.call import VoiceCallRecord, VoiceLine, persona_vocabulary
from service.voice.figures import VoiceTurn, percentile, summarize
from service.voice.speech_io import SpeechFactory
from service.voice.tts import TTS, make_tts


async def run_all(
    stack: Stack, names: list[str], noise_db: float | None, out: Path, factory: SpeechFactory, caller: TTS
) -> list[VoiceCallRecord]:
    started = time.perf_counter()
    factory.warm()
    print(f"recogniser load: {time.perf_counter() - started:.2f} s")
    records = []
    with progress(len(names), "voice calls") as advance:
        for name in names:
            executor = stack.executor()
            try:
                line = partial(
                    VoiceLine,
                    noise_db=noise_db,
                    speech_factory=factory,
                    wav_path=out / f"{name}.wav",
                    caller_tts=caller,
                )
                record = await play_persona(name, executor, line)
            finally:
                await executor.aclose()
            records.append(record)
            advance(name)
    rows = []
    for record in records:
        s = record.voice["summary"]
        checks = ("pass" if record.passed else "FAIL") + (f" ({record.error})" if record.error else "")
        rows.append(
            [record.persona, s["turns"], f"{s['latency_p50_ms']:.0f}", f"{s['latency_p95_ms']:.0f}"]
            + [f"{s['stt_rtf']:.3f}", f"{s['wer']:.3f}", checks]
        )
    print_table(
        ["persona", right("turns"), right("p50 ms"), right("p95 ms"), right("RTF"), right("WER"), "checks"], rows
    )
    return records


def misheard(records: list[VoiceCallRecord]) -> None:
    """The personas a recogniser mishears: what was heard for their name/email, whether the agent confirmed
    the closest record, and whether they were found without a duplicate."""
    rows = [r for r in records if r.persona.startswith("misheard-")]
    if not rows:
        return
    found = 0
    print("\nmisheard personas (an existing customer heard wrong must be found, not duplicated):")
    for record in rows:
        heard = [t["heard"] for t in record.voice.get("turns", []) if t.get("slot") in ("name", "email")]
        confirmed = any("Is that who I'm speaking with?" in ln.text for ln in record.lines if ln.role == "agent")
        checks = {c.name: c.passed for c in record.checks}
        ok = record.passed and record.outcome == "existing"
        found += ok
        print(
            f"  {record.persona}: heard {' / '.join(heard)!r}; confirmed a suggestion: {'yes' if confirmed else 'no'}; "
            f"nothing duplicated: {'yes' if checks.get('nothing_duplicated') else 'NO'}; "
            f"{'pass' if record.passed else 'FAIL'}"
        )
    print(f"  found, not duplicated: {found}/{len(rows)}")


def sdk_latency(stack: Stack) -> None:
    from service.voice.sdk_caller import sdk_voice_call

    persona = load_persona("new-prospect", tag="sdk")
    factory = SpeechFactory(vocabulary=persona_vocabulary(persona), playback_speed=1000)
    factory.warm()
    from service.runner.server import create_agent_server

    with ServerThread(create_agent_server(stack.executor(), speech_factory=factory, ping_interval=5.0)) as server:
        result = sdk_voice_call(server.url, persona, realtime=True, timeout=300)
    turn_ms = result["turn_ms"]
    print(
        f"SDK audio path (new-prospect, caller audio paced in real time): {len(turn_ms)} turns, latency "
        f"p50 {percentile(turn_ms, 50):.0f} ms, p95 {percentile(turn_ms, 95):.0f} ms (client side: last speech "
        "chunk sent → first agent audio received, endpointing included)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--personas", default="all", help="comma-separated persona names, or all")
    parser.add_argument("--noise-db", type=float, default=None, help="line noise at this SNR in dB (e.g. 20)")
    parser.add_argument("--sdk", action="store_true", help="also time one call through the Python SDK audio path")
    parser.add_argument("--stt", default="pocketsphinx", help="pocketsphinx | faster-whisper")
    parser.add_argument("--caller-tts", default="flite", help="the caller's voice: flite (slt) | piper | espeak-ng")
    parser.add_argument("--stt-model", default=None, help="faster-whisper: a local CTranslate2 model directory")
    args = parser.parse_args()
    names = list(PERSONA_NAMES) if args.personas == "all" else args.personas.split(",")
    with tempfile.TemporaryDirectory(prefix="voice-bench-") as tmp, Stack(data_dir=Path(tmp) / "org") as stack:
        started = time.perf_counter()
        factory = SpeechFactory(stt=args.stt, stt_model=args.stt_model)
        caller = make_tts(args.caller_tts, voice="slt" if args.caller_tts == "flite" else None)
        print(
            f"TTS caller {caller.name}, agent flite-kal16; STT {args.stt}; 2 cores; noise "
            f"{'none' if args.noise_db is None else f'SNR {args.noise_db:g} dB'}"
        )
        records = asyncio.run(run_all(stack, names, args.noise_db, Path(tmp), factory, caller))
        wall = time.perf_counter() - started
        turns = [VoiceTurn(**t) for r in records for t in r.voice.get("turns", [])]
        total = summarize(turns)
        audio_s = sum(t.audio_s for t in turns)
        print(f"\nall personas: {total['turns']} caller turns, {audio_s:.0f} s of caller speech, wall {wall:.1f} s")
        print(
            f"  latency caller end of speech → first agent audio: p50 {total['latency_p50_ms']:.0f} ms, "
            f"p95 {total['latency_p95_ms']:.0f} ms (goal p50 ≤ 800 ms)"
        )
        print(
            f"  of which: endpointing 480–510 ms, STT tail p50 {total['stt_tail_p50_ms']:.0f} ms, agent+tools "
            f"p50 {total['agent_p50_ms']:.0f} ms (max {total['agent_max_ms']:.0f} ms, a turn with tool calls), "
            f"TTS first sentence p50 {total['tts_first_p50_ms']:.0f} ms"
        )
        print(
            f"  STT real-time factor {total['stt_rtf']:.3f}; WER {total['wer']:.3f}; "
            f"calls passing every check {sum(r.passed for r in records)}/{len(records)}"
        )
        misheard(records)
        if args.sdk:
            sdk_latency(stack)


if __name__ == "__main__":
    main()
