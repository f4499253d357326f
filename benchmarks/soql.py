"""Time of one SOQL policy check per query, over the shared verdict corpus.

    python -m benchmarks.soql [--rounds 200] [--cases ../shared/soql/cases.jsonl]

Each round checks every corpus query once (`check_query` with the built-in schema and the default
config: parse, validate, resolve fields, repair, print). Prints p50 / p99 / max in microseconds
over all checks (overall and per verdict), the checks' CPU time, each query's median, the machine's
load average (the wall-clock tail moves with it), and which sqlglot build ran (goal: p99 ≤ 1000 µs).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path

import sqlglot
import sqlglot.parser
from sqlglot._version import __version__ as SQLGLOT_VERSION

from service.runner.terminal import print_table, right
from service.schema import builtin_schema
from service.soql.dialect import parse_soql
from service.soql.policy import PolicyConfig, check_query

DEFAULT_CASES = Path(__file__).resolve().parents[1] / ".." / "shared" / "soql" / "cases.jsonl"


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soql", description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=200, help="passes over the corpus (default 200)")
    parser.add_argument("--cases", type=Path, default=DEFAULT_CASES, help="the JSONL corpus")
    args = parser.parse_args(argv)
    if not args.cases.exists():
        print(f"no corpus at {args.cases}", file=sys.stderr)
        return 2
    cases = [json.loads(line) for line in args.cases.read_text(encoding="utf-8").splitlines() if line.strip()]
    compiled = "compiled" if not sqlglot.parser.__file__.endswith(".py") else "pure Python"
    try:
        parse_soql("SELECT Id FROM Contact")
    except Exception as exc:  # e.g. sqlglotc: "interpreted classes cannot inherit from compiled"
        print(f"sqlglot {SQLGLOT_VERSION} ({compiled}): the SOQL dialect does not load: {exc}")
        return 1
    schema, config = builtin_schema(), PolicyConfig()
    for case in cases:  # warm-up: imports, caches
        check_query(case["soql"], schema, config)
    samples: dict[str, list[float]] = {}
    cpu: list[float] = []
    per_query: list[list[float]] = [[] for _ in cases]
    gc.disable()  # collector pauses are not the policy's cost; re-enabled between rounds
    try:
        for _ in range(args.rounds):
            for index, case in enumerate(cases):
                start, start_cpu = time.perf_counter(), time.thread_time()
                verdict = check_query(case["soql"], schema, config)
                elapsed = (time.perf_counter() - start) * 1e6
                cpu.append((time.thread_time() - start_cpu) * 1e6)
                samples.setdefault(verdict.verdict, []).append(elapsed)
                per_query[index].append(elapsed)
            gc.collect()
    finally:
        gc.enable()
    everything = [s for group in samples.values() for s in group]
    typical = [statistics.median(times) for times in per_query]
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"sqlglot {SQLGLOT_VERSION} ({compiled}), {len(cases)} queries x {args.rounds} rounds, "
        f"{os.cpu_count()} CPUs, load average {load}"
    )
    rows = [
        [name, len(group), *(f"{v:.0f}" for v in (statistics.median(group), percentile(group, 0.99), max(group)))]
        for name, group in [("all", everything), *sorted(samples.items())]
    ]
    title = "every check (all samples; the tail includes scheduling noise from other processes)"
    print_table(["verdict", right("n"), right("p50 µs"), right("p99 µs"), right("max µs")], rows, title=title)
    print(
        f"CPU time of every check (immune to waiting for the CPU): p50 {statistics.median(cpu):.0f} µs, "
        f"p99 {percentile(cpu, 0.99):.0f} µs, max {max(cpu):.0f} µs"
    )
    print("per query (each query's median over the rounds):")
    print(
        f"  p50 {statistics.median(typical):.0f} µs, p99 {percentile(typical, 0.99):.0f} µs, "
        f"max {max(typical):.0f} µs ({cases[typical.index(max(typical))]['soql'][:60]}...)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
