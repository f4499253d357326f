"""`python -m service call --persona NAME [--agent rules|llm] [--gateway URL] [--voice] [--noise-db N]`."""

from __future__ import annotations

import argparse
import secrets
import sys
from typing import Any

from service.runner.callers import PERSONA_NAMES as PERSONAS  # light: names only, no I/O at import


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


def _printer(quiet: bool) -> Any:
    def on_event(kind: str, payload: Any) -> None:
        if quiet:
            return
        if kind == "line":
            who = {"agent": "AGENT ", "user": "CALLER", "system": "  --  "}.get(payload.role, payload.role)
            latency = f"  [{payload.latency_ms:.0f} ms]" if payload.role == "agent" and payload.latency_ms else ""
            print(f"{who} {payload.text}{latency}", flush=True)
        elif kind == "tool":
            state = "ok" if payload.ok else "ERROR"
            shown = {k: v for k, v in payload.params.items()}
            print(f"   ↳ {payload.name} {shown} → {payload.status} {state} ({payload.latency_ms:.1f} ms)", flush=True)

    return on_event


def run(args: argparse.Namespace) -> int:
    import asyncio
    from pathlib import Path

    from service.settings import get_settings

    settings = get_settings()
    reports = Path(args.reports_dir) if args.reports_dir else settings.reports_dir
    if args.voice:
        import importlib

        try:
            run_voice_call = importlib.import_module("service.voice.call").run_voice_call
        except (ImportError, AttributeError) as exc:
            print(f"voice calls need the voice extras (service.voice): {exc}", file=sys.stderr)
            return 2
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        return int(
            run_voice_call(
                persona=args.persona,
                agent=args.agent,
                gateway=args.gateway,
                noise_db=args.noise_db,
                reports_dir=reports,
                on_event=_printer(args.quiet),
                secret=secret,
            )
        )
    from service.runner.report import write_report
    from service.runner.run import run_persona
    from service.runner.stack import Stack

    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    if args.gateway and not secret:
        print("--gateway needs WEBHOOK_SECRET set to the gateway's webhook secret", file=sys.stderr)
        return 2
    tag = secrets.token_hex(2) if args.gateway else ""  # a shared org: make this call's caller unique
    with Stack(gateway_url=args.gateway, secret=secret) as stack:
        if not args.gateway:
            print(f"embedded org + gateway on {stack.gateway_url}", flush=True)

        async def main() -> Any:
            executor = stack.executor()
            try:
                return await run_persona(
                    args.persona, executor, agent_kind=args.agent, tag=tag, on_event=_printer(args.quiet)
                )
            finally:
                await executor.aclose()

        record = asyncio.run(main())
    json_path, html_path = write_report(record, reports)
    print()
    for check in record.checks:
        print(f"  {'PASS' if check.passed else 'FAIL'}  {check.name}: {check.detail}")
    verdict = "PASSED" if record.passed else "FAILED"
    print(f"\noutcome: {record.outcome} · {verdict} · report: {html_path} ({json_path.name})")
    return 0 if record.passed else 1
