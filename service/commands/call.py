"""`python -m service call --persona NAME [--agent rules|llm] [--gateway URL] [--voice] [--noise-db N]`.

One command for text and voice calls: `--voice` only changes the line the persona run plays over
(`service.voice.call.VoiceLine` instead of the runner's `TextLine`).
"""

from __future__ import annotations

import argparse
import secrets
import sys
from typing import TYPE_CHECKING, Any

from service.runner.callers import PERSONA_NAMES as PERSONAS  # light: names only, no I/O at import

if TYPE_CHECKING:
    from service.runner.call_record import CallRecord
    from service.runner.run import LineFactory
    from service.settings import Settings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("call", help="run one qualification call with a scripted caller persona")
    parser.add_argument("--persona", required=True, choices=PERSONAS, help="the caller to play")
    parser.add_argument("--agent", choices=("rules", "llm"), default="rules", help="which agent answers")
    parser.add_argument("--gateway", help="gateway base URL (default: start the embedded org and gateway here)")
    parser.add_argument("--voice", action="store_true", help="speak the call through TTS/STT (voice loop)")
    parser.add_argument("--noise-db", type=float, default=None, help="voice only: add noise at this SNR in dB")
    parser.add_argument("--reports-dir", default=None, help="where to write the report (default: REPORTS_DIR)")
    parser.add_argument("--quiet", action="store_true", help="don't print the transcript live")
    parser.set_defaults(handler=run)


def print_event(kind: str, payload: Any) -> None:
    """The live transcript: a line per utterance, a line per tool call."""
    if kind == "line":
        who = {"agent": "AGENT ", "user": "CALLER", "system": "  --  "}.get(payload.role, payload.role)
        latency = f"  [{payload.latency_ms:.0f} ms]" if payload.role == "agent" and payload.latency_ms else ""
        print(f"{who} {payload.text}{latency}", flush=True)
    elif kind == "tool":
        state = "ok" if payload.ok else "ERROR"
        print(
            f"   ↳ {payload.name} {payload.params} → {payload.status} {state} ({payload.latency_ms:.1f} ms)", flush=True
        )


def _line(args: argparse.Namespace, settings: Settings, wav: str) -> LineFactory[CallRecord]:
    """The caller/agent line: text, or (`--voice`) the offline voice loop with the VOICE_* backends."""
    if not args.voice:
        from service.runner.run import text_line

        return text_line
    from functools import partial

    from service.voice.call import VoiceLine
    from service.voice.speech_io import SpeechFactory, voice_options

    factory = SpeechFactory(**voice_options(settings))
    return partial(VoiceLine, noise_db=args.noise_db, wav_path=wav, speech_factory=factory)


def run(args: argparse.Namespace) -> int:
    import asyncio
    from pathlib import Path

    from service.runner.report import write_report
    from service.runner.run import play_persona
    from service.runner.stack import Stack
    from service.settings import get_settings

    settings = get_settings()
    reports = Path(args.reports_dir) if args.reports_dir else settings.reports_dir
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    if args.gateway and not secret:
        print("--gateway needs WEBHOOK_SECRET set to the gateway's webhook secret", file=sys.stderr)
        return 2
    try:
        line = _line(args, settings, str(reports / ".voice-call.wav"))
    except ImportError as exc:
        print(f"voice calls need the voice extras (pip install '.[voice]'): {exc}", file=sys.stderr)
        return 2
    tag = secrets.token_hex(2) if args.gateway else ""  # a shared org: make this call's caller unique
    on_event = None if args.quiet else print_event
    with Stack(gateway_url=args.gateway, secret=secret) as stack:
        if not args.gateway:
            print(f"embedded org + gateway on {stack.gateway_url}", flush=True)

        async def main() -> CallRecord:
            executor = stack.executor()
            try:
                return await play_persona(
                    args.persona,
                    executor,
                    line,
                    agent_kind=args.agent,
                    tag=tag,
                    on_event=on_event,
                    after_call=stack.post_call_logger(),
                )
            finally:
                await executor.aclose()

        record = asyncio.run(main())
    json_path, html_path = write_report(record, reports)
    print()
    for check in record.checks:
        print(f"  {'PASS' if check.passed else 'FAIL'}  {check.name}: {check.detail}")
    if args.voice:
        from service.voice.call import describe

        print(describe(record))
    verdict = "PASSED" if record.passed else "FAILED"
    print(f"\noutcome: {record.outcome} · {verdict} · report: {html_path} ({json_path.name})")
    return 0 if record.passed else 1
