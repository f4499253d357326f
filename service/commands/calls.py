"""`python -m service calls --personas all --concurrency 8`: a batch with a progress bar and a summary table
(rich on a terminal, plain lines otherwise: `service.runner.terminal`)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from service.runner.callers import PERSONA_NAMES as PERSONAS


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("calls", help="run many qualification calls concurrently and summarise")
    parser.add_argument("--personas", default="all", help="'all' or a comma-separated list of persona names")
    parser.add_argument("--concurrency", type=int, default=8, help="calls in flight at once")
    parser.add_argument("--repeat", type=int, default=1, help="run each persona this many times")
    parser.add_argument("--agent", choices=("rules", "llm"), default="rules")
    parser.add_argument("--gateway", help="gateway base URL (default: start the embedded org and gateway here)")
    parser.add_argument("--reports-dir", default=None)
    parser.set_defaults(handler=run)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(args: argparse.Namespace) -> int:
    import asyncio
    from pathlib import Path

    from service.runner.call_record import CallRecord
    from service.runner.report import write_report
    from service.runner.run import run_persona
    from service.runner.stack import Stack
    from service.runner.terminal import print_table, progress, right
    from service.settings import get_settings

    names = list(PERSONAS) if args.personas == "all" else [p.strip() for p in args.personas.split(",") if p.strip()]
    unknown = [n for n in names if n not in PERSONAS]
    if unknown or args.concurrency < 1 or args.repeat < 1:
        print(f"unknown persona(s): {unknown}" if unknown else "concurrency and repeat must be ≥ 1", file=sys.stderr)
        return 2
    settings = get_settings()
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    if args.gateway and not secret:
        print("--gateway needs WEBHOOK_SECRET", file=sys.stderr)
        return 2
    reports = Path(args.reports_dir) if args.reports_dir else settings.reports_dir
    jobs = [(name, f"{i}" if args.repeat > 1 or args.gateway else "") for i in range(args.repeat) for name in names]
    if args.gateway:
        import secrets as _secrets

        run_id = _secrets.token_hex(2)
        jobs = [(name, f"{run_id}{tag}") for name, tag in jobs]

    with Stack(gateway_url=args.gateway, secret=secret) as stack, progress(len(jobs), "calls") as advance:

        async def main() -> list[CallRecord]:
            executor = stack.executor()
            gate = asyncio.Semaphore(args.concurrency)

            async def one(name: str, tag: str) -> CallRecord:
                async with gate:
                    record = await run_persona(
                        name, executor, agent_kind=args.agent, tag=tag, after_call=stack.post_call_logger()
                    )
                advance(f"{name} {'pass' if record.passed else 'FAIL'}")
                return record

            try:
                return list(await asyncio.gather(*(one(n, t) for n, t in jobs)))
            finally:
                await executor.aclose()

        records = asyncio.run(main())
    rows = []
    for record in records:
        lat = record.turn_latencies()
        turns = sum(1 for ln in record.lines if ln.role == "user")
        result = "pass" if record.passed else "FAIL"
        rows.append(
            [
                record.persona,
                record.outcome,
                result,
                turns,
                len(record.tools),
                *(f"{_pct(lat, q):.1f}" for q in (0.5, 0.95)),
            ]
        )
        write_report(record, reports)
    print_table(
        ["persona", "outcome", "result", right("turns"), right("tools"), right("p50 ms"), right("p95 ms")], rows
    )
    failed = [r for r in records if not r.passed]
    print(f"\n{len(records) - len(failed)}/{len(records)} calls passed; reports in {reports}/")
    for record in failed:
        bad = ", ".join(f"{c.name} ({c.detail})" for c in record.checks if not c.passed)
        print(f"  FAIL {record.persona}: {bad}")
    return 0 if not failed else 1
