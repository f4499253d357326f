"""`python -m benchmarks.faults`: the full fault × tool matrix through the real gateway and org.

Prints one row per fault with each tool's outcome (`ok`, or the speakable error code) and latency,
then every problem found. Exit status 1 when any cell lost or duplicated a record, or any cell is
not green (unspeakable error, server error, answer past the budget, a one-off fault not hidden).

    python -m benchmarks.faults [--budget 4] [--attempt 1.6] [--only 503,reset] [--json out.json]
                                [--redis | --only-redis]

`--redis` adds the Redis cells (`run_redis_cells`: the shared store down, slow, restarted, with
`REDIS_URL` set): reads must answer, creates answer a speakable 503 or go through, then exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from dataclasses import asdict
from typing import Any

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
    parser.add_argument("--redis", action="store_true", help="also run the Redis cells (needs redis-server)")
    parser.add_argument("--only-redis", action="store_true", help="run only the Redis cells")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)  # the gateway's retry warnings would drown the table
    only = {s.strip() for s in args.only.split(",") if s.strip()} or None
    started = time.monotonic()
    cells = [] if args.only_redis else asyncio.run(run(args.budget, args.attempt, only))
    if args.redis or args.only_redis:
        cells += asyncio.run(run_redis_cells(args.budget, args.attempt))
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


# --- Redis cells: the shared store down, slow, restarted (gateway with REDIS_URL) -----------------
REDIS_SCENARIOS = ("redis_down", "redis_slow", "redis_restart")


async def run_redis_cells(budget: float, attempt: float) -> list[Cell]:
    """Each tool with Redis stopped, paused (slow) or restarted just before the call: reads answer from the
    local token, creates answer a speakable 503 (nothing written) or go through; once Redis is back the same
    create goes through, exactly one record."""
    import tempfile
    from pathlib import Path

    from pydantic import SecretStr

    from benchmarks.drills import gateway_settings, start_gateway
    from benchmarks.scale import RedisProcess
    from service.org.server import OrgServer

    template = Template()
    cells: list[Cell] = []
    rows: list[list[str]] = []
    with tempfile.TemporaryDirectory(prefix="redis-cells-") as tmp:
        redis = RedisProcess(Path(tmp)).start()
        org = await asyncio.to_thread(OrgServer(data_dir=template.copy(), seed_if_empty=False).start)
        settings = gateway_settings(org, budget, attempt).model_copy(update={"redis_url": SecretStr(redis.url)})
        gateway = await asyncio.to_thread(start_gateway, settings)
        try:
            for scenario in REDIS_SCENARIOS:
                row = [await _redis_cell(scenario, tool, template, org, gateway.url, redis, budget) for tool in TOOLS]
                cells.extend(row)
                rows.append([scenario, *(_cell_text(c) for c in row)])
        finally:
            await asyncio.to_thread(gateway.stop)
            await asyncio.to_thread(org.stop)
            redis.stop()
            template.cleanup()
    print_table(["redis fault", *TOOLS], rows)
    return cells


async def _redis_cell(
    scenario: str, tool: str, template: Template, org: Any, url: str, redis: Any, budget: float
) -> Cell:
    import uuid

    import httpx2

    from benchmarks.drills import SECRET, _request, check_answer, org_records

    cell = Cell(scenario, tool, budget=budget)
    marker = uuid.uuid4().hex[:12]
    method, path, body, params = _request(tool, template.known, marker)
    headers = {"X-Webhook-Secret": SECRET, "X-Conversation-Id": f"redis-{marker}"}
    async with httpx2.AsyncClient(base_url=url, headers=headers, timeout=budget * 3) as client:
        await client.get("/tools/salesforce_search_records", params={"q": "SELECT Id FROM Account LIMIT 1"})
        pause = None
        if scenario == "redis_down":
            redis.stop()
        elif scenario == "redis_restart":
            redis.stop()
            redis.start()
        else:  # slow: every command waits 3 s, past REDIS_TIMEOUT (2 s)
            pause = asyncio.create_task(asyncio.to_thread(redis.cli, "CLIENT", "PAUSE", "3000", "ALL"))
            await asyncio.sleep(0.1)
        started = time.monotonic()
        try:
            response = await client.request(method, path, json=body, params=params)
            cell.latency = time.monotonic() - started  # the answer's, not the pause command's return
        finally:
            if pause is not None:
                await pause
            if redis.proc is None:
                redis.start()
        first = check_answer(cell, tool, response, template.known)
        if cell.latency > budget + 1.0:
            cell.problems.append(f"answered after {cell.latency:.2f}s, budget {budget:.2f}s")
        if not tool.startswith("create"):
            if response.status_code != 200:
                cell.problems.append(f"a read failed without Redis: {response.text[:160]}")
            return cell
        if response.status_code != 200:
            if cell.outcome != "error:store_unavailable" or not response.headers.get("Retry-After"):
                cell.problems.append(f"not a speakable store_unavailable with Retry-After: {response.text[:160]}")
            if org_records(org, tool, marker):
                cell.problems.append("a record was written without the idempotency guarantee")
        await asyncio.sleep(3.1 if scenario == "redis_slow" else 0.0)
        again = None
        for _ in range(10):  # the platform's retry, until Redis answers
            again = await client.request(method, path, json=body, params=params)
            if again.status_code == 200:
                break
            await asyncio.sleep(0.3)
        records = org_records(org, tool, marker)
        cell.records = len(records)
        cell.duplicated = len(records) > 1
        cell.lost = (first is not None and first.get("id") not in records) or not records
        if again is None or again.status_code != 200:
            cell.problems.append("the create did not go through once Redis was back")
        if cell.duplicated or cell.lost:
            cell.problems.append(f"{len(records)} records after the create and its retry")
    return cell


if __name__ == "__main__":
    sys.exit(main())
