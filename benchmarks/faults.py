"""`python -m benchmarks.faults`: the full fault × tool matrix through the real gateway and org.

Prints one row per fault with each tool's outcome (`ok`, or the speakable error code) and latency,
then every problem found. Exit status 1 when any cell lost or duplicated a record, or any cell is
not green (unspeakable error, server error, answer past the budget, a one-off fault not hidden).

    python -m benchmarks.faults [--budget 4] [--attempt 1.6] [--only 503,reset] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from dataclasses import asdict

from benchmarks.drills import SCENARIOS, TOOLS, Cell, Template, run_cell
from benchmarks.post_call_drills import POST_CALL_SCENARIOS, run_post_call_cell
from service.runner.terminal import print_table, progress


def _cell_text(cell: Cell) -> str:
    mark = "" if cell.green else " ✗"
    outcome = cell.outcome.removeprefix("error:")
    records = f" r{cell.records}" if cell.records is not None else ""
    return f"{outcome} {cell.latency:.2f}s{records}{mark}"


async def run(budget: float, attempt: float, only: set[str] | None) -> list[Cell]:
    template = Template()
    cells: list[Cell] = []
    rows: list[list[str]] = []
    print(f"fault drill: budget {budget:.1f}s per tool call, {attempt:.1f}s per org request attempt")
    scenarios = [s for s in SCENARIOS if not only or s.name in only]
    try:
        with progress(len(scenarios), "scenarios") as advance:
            for scenario in scenarios:
                row = [
                    await run_cell(scenario, tool, template, budget=budget, attempt_timeout=attempt) for tool in TOOLS
                ]
                cells.extend(row)
                rows.append([scenario.name, *(_cell_text(c) for c in row)])
                advance(scenario.name)
        post_call = [s for s in POST_CALL_SCENARIOS if not only or s.name in only]
        post_rows = []
        for post in post_call:  # a signed post-call event while delivery to the org is faulted
            cell = await run_post_call_cell(post, template, budget=budget, attempt=attempt)
            cells.append(cell)
            post_rows.append([post.name, _cell_text(cell)])
    finally:
        template.cleanup()
    print_table(["fault", *TOOLS], rows)
    if post_rows:
        print()
        print_table(["post-call fault", "Tasks (r = Tasks in the org)"], post_rows)
    return cells


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.faults", description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=4.0, help="tool time budget, seconds (TOOL_TIMEOUT)")
    parser.add_argument("--attempt", type=float, default=1.6, help="per-request timeout to the org (SF_TIMEOUT)")
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument("--json", default=None, help="also write the cells as JSON here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)  # the gateway's retry warnings would drown the table
    only = {s.strip() for s in args.only.split(",") if s.strip()} or None
    started = time.monotonic()
    cells = asyncio.run(run(args.budget, args.attempt, only))
    lost = [c for c in cells if c.lost]
    duplicated = [c for c in cells if c.duplicated]
    red = [c for c in cells if not c.green]
    print()
    print(
        f"cells: {len(cells)}  green: {len(cells) - len(red)}  lost: {len(lost)}  duplicated: {len(duplicated)}"
        f"  wall: {time.monotonic() - started:.0f}s"
    )
    for cell in red:
        print(f"  ✗ {cell.scenario} × {cell.tool}: {cell.outcome}: {'; '.join(cell.problems)}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump([asdict(c) for c in cells], handle, indent=1)
    return 1 if lost or duplicated or red else 0


if __name__ == "__main__":
    sys.exit(main())
