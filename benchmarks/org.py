"""Embedded org benchmark: p50 latency of typical queries on 100k leads + 100k contacts,
and the same query set against simple-mockforce on 10k records (in its own venv).

    python -m benchmarks.org [--records 100000] [--runs 200] [--mock-records 10000] [--no-mockforce]

Measured end to end over HTTP on loopback (httpx2, keep-alive) and, separately, in process
(translate + SQLite, no HTTP). simple-mockforce runs in `/tmp/mockforce-venv` (created on first use
with `pip install simple-mockforce simple-salesforce`); it is not a project dependency.
Prints figures; asserts nothing about timing.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

from service.runner.terminal import print_table, right

MOCK_VENV = Path("/tmp/mockforce-venv")


def queries(emails: list[str], account_names: list[str]) -> dict[str, list[str]]:
    """The benchmark's query set: several concrete variants of each kind."""
    return {
        "email lookup": [f"SELECT Id, Name, Email FROM Lead WHERE Email = '{e}'" for e in emails],
        "LIKE '%x%' on Name": [
            f"SELECT Id, Name FROM Contact WHERE Name LIKE '%{s}%' LIMIT 50" for s in ("son", "ria", "lee", "ez")
        ],
        "through Account.Name": [
            f"SELECT Id, Name, Account.Name FROM Contact WHERE Account.Name = '{n}' LIMIT 50" for n in account_names
        ],
        "COUNT()": ["SELECT COUNT() FROM Lead"],
    }


def p50_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def bench_http(url: str, token: str, qs: dict[str, list[str]], runs: int) -> tuple[dict[str, float], dict[str, int]]:
    import httpx2

    out, rows = {}, {}
    with httpx2.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as client:
        for name, variants in qs.items():
            for q in variants[:3]:  # warm-up
                client.get("/services/data/v58.0/query", params={"q": q}).raise_for_status()
            samples = []
            for i in range(runs):
                q = variants[i % len(variants)]
                t = time.perf_counter()
                r = client.get("/services/data/v58.0/query", params={"q": q})
                samples.append(time.perf_counter() - t)
                r.raise_for_status()
            out[name] = p50_ms(samples)
            rows[name] = r.json()["totalSize"]
    return out, rows


def bench_sosl(url: str, token: str, searches: list[str], runs: int) -> tuple[float, int]:
    """p50 ms of SOSL name searches over HTTP (GET /search), and the last answer's record count."""
    import httpx2

    with httpx2.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as client:
        for q in searches[:3]:
            client.get("/services/data/v58.0/search", params={"q": q}).raise_for_status()
        samples = []
        for i in range(runs):
            t = time.perf_counter()
            r = client.get("/services/data/v58.0/search", params={"q": searches[i % len(searches)]})
            samples.append(time.perf_counter() - t)
            r.raise_for_status()
    return p50_ms(samples), len(r.json()["searchRecords"])


def bench_in_process(state: Any, qs: dict[str, list[str]], runs: int) -> dict[str, float]:
    from service.org.dates import local_today
    from service.org.query import translate
    from service.org.results import Cursors, answer

    out = {}
    cursors = Cursors()
    for name, variants in qs.items():
        samples = []
        for i in range(runs):
            q = variants[i % len(variants)]
            t = time.perf_counter()
            plan = translate(state.schema, q, tz="UTC", today=local_today("UTC"))
            answer(state.store, cursors, plan, "v58.0", 2000, False)
            samples.append(time.perf_counter() - t)
        out[name] = p50_ms(samples)
    return out


MOCK_SCRIPT = textwrap.dedent(
    """
    import json, statistics, sys, time
    from simple_mockforce import mock_salesforce
    from simple_salesforce import Salesforce

    n, runs = int(sys.argv[1]), int(sys.argv[2])
    qs = json.loads(sys.stdin.read())

    @mock_salesforce
    def main():
        sf = Salesforce(username="u@example.com", password="p", security_token="t", domain="login")
        acct = [sf.Account.create({"Name": f"Account {i}"})["id"] for i in range(max(1, n // 10))]
        for i in range(n):
            sf.Lead.create({"LastName": f"Lead{i}", "Company": "C", "Email": f"lead{i}@example.net"})
            sf.Contact.create({"LastName": f"Contact{i}", "Name": f"Con {i} son", "AccountId": acct[i % len(acct)]})
        out = {}
        for name, variants in qs.items():
            samples = []
            try:
                for i in range(runs):
                    q = variants[i % len(variants)]
                    t = time.perf_counter()
                    result = sf.query(q)
                    samples.append(time.perf_counter() - t)
                out[name] = {"p50_ms": statistics.median(samples) * 1000, "rows": result["totalSize"]}
            except Exception as exc:
                out[name] = {"error": f"{type(exc).__name__}: {str(exc)[:120]}"}
        print(json.dumps(out))

    main()
    """
)


def ensure_mock_venv() -> Path:
    """Create the throw-away venv with simple-mockforce (first run only)."""
    python = MOCK_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(MOCK_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "simple-mockforce", "simple-salesforce"], check=True)
    return python


def bench_mockforce(records: int, runs: int, mock_queries: dict[str, list[str]]) -> dict[str, Any]:
    python = ensure_mock_venv()
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(MOCK_SCRIPT)
    try:
        proc = subprocess.run(
            [str(python), f.name, str(records), str(runs)],
            input=json.dumps(mock_queries),
            capture_output=True,
            text=True,
            timeout=1800,
        )
    finally:
        Path(f.name).unlink(missing_ok=True)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _run_embedded(data_dir: Path, runs: int) -> tuple[dict[str, float], dict[str, int], dict[str, float], Any]:
    from service.org.server import OrgServer

    with OrgServer(data_dir=data_dir, seed_if_empty=False) as org:
        rng = random.Random(1)
        lead_emails = [r[0] for r in org.state.store.execute('SELECT Email FROM "Lead" WHERE Email IS NOT NULL')]
        emails = rng.sample(lead_emails, 50)
        names = [r[0] for r in org.state.store.execute('SELECT Name FROM "Account" ORDER BY rowid LIMIT 500')]
        qs = queries(emails, rng.sample(names, 20))
        http, rows = bench_http(org.url, org.get_token(), qs, runs)
        local = bench_in_process(org.state, qs, runs)
        last_names = [r[0] for r in org.state.store.execute('SELECT LastName FROM "Contact" ORDER BY rowid LIMIT 2000')]
        first_names = [r[0] for r in org.state.store.execute('SELECT FirstName FROM "Lead" ORDER BY rowid LIMIT 2000')]
        searches = [
            f"FIND {{{f} {n}}} IN NAME FIELDS RETURNING Lead(Id, Name LIMIT 20), Contact(Id, Name LIMIT 20)"
            for f, n in zip(rng.sample(first_names, 25), rng.sample(last_names, 25), strict=True)
        ] + [f"FIND {{{n}}} IN NAME FIELDS RETURNING Contact(Id, Name LIMIT 20)" for n in rng.sample(last_names, 25)]
        sosl_ms, sosl_rows = bench_sosl(org.url, org.get_token(), searches, runs)
        http["SOSL name search"], rows["SOSL name search"], local["SOSL name search"] = sosl_ms, sosl_rows, float("nan")
        qs = {**qs, "SOSL name search": searches}

    return http, rows, local, qs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000, help="leads and contacts each (default 100000)")
    parser.add_argument("--runs", type=int, default=200, help="timed runs per query kind")
    parser.add_argument("--mock-records", type=int, default=10_000, help="records for simple-mockforce")
    parser.add_argument("--no-mockforce", action="store_true", help="skip the simple-mockforce comparison")
    args = parser.parse_args(argv)

    from service.org.seed import seed_store
    from service.org.store import Store
    from service.schema import builtin_schema

    data_dir = Path(tempfile.mkdtemp(prefix="org-bench-"))
    t = time.perf_counter()
    store = Store(data_dir, builtin_schema())
    counts = seed_store(store, seed=7, records=args.records)
    store.close()
    print(f"seeded {counts} in {time.perf_counter() - t:.1f} s")

    try:
        http, rows, local, qs = _run_embedded(data_dir, args.runs)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    rng = random.Random(2)

    print()
    print_table(
        ["query", right("HTTP p50 ms"), right("in-process p50 ms"), right("rows (last run)")],
        [[name, f"{http[name]:.2f}", f"{local[name]:.2f}", rows[name]] for name in qs],
        title=f"embedded org, {args.records:,} leads + {args.records:,} contacts, p50 over {args.runs} runs",
    )

    if args.no_mockforce:
        return 0
    mock_emails = [f"lead{i}@example.net" for i in rng.sample(range(args.mock_records), 50)]
    mock_qs = queries(mock_emails, [f"Account {i}" for i in range(20)])
    print(f"\nsimple-mockforce ({MOCK_VENV}), {args.mock_records:,} leads + contacts ...", flush=True)
    mock = bench_mockforce(args.mock_records, max(20, args.runs // 10), mock_qs)
    if "error" in mock and len(mock) == 1:
        print(f"simple-mockforce failed: {mock['error']}")
        return 0
    compared = []
    for name in qs:
        m = mock.get(name, {})
        if "p50_ms" in m:
            compared.append(
                [name, f"{m['p50_ms']:.2f}", f"{http[name]:.2f}", f"{m['p50_ms'] / http[name]:.1f}x", m["rows"]]
            )
        else:
            compared.append([name, "unsupported", f"{http[name]:.2f}", "", f"({m.get('error', 'n/a')})"])
    print_table(
        ["query", right("mockforce p50 ms"), right("embedded HTTP ms"), right("ratio"), "mockforce rows"], compared
    )
    print(
        "(simple-mockforce ignores what its parser does not understand, e.g. LIKE and parent fields in WHERE,\n"
        " so its row counts show whether it answered the query at all)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
