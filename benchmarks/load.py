"""`python -m benchmarks.load`: N concurrent tool calls for D seconds through the real gateway.

The embedded org and the gateway each run under uvicorn in their own process on loopback (so the
load generator's memory and CPU are not counted as theirs). Workers loop over a mix of searches,
gets and creates: unique Leads (new email each) and repeated ones (a small pool of people created
again and again, sometimes in the same conversation — replayed — and sometimes in another —
already exists). Afterwards the org's SQLite file is read to check that every create is
accounted for: each answered id exists with the right email, no email has two records, every pool
person has exactly one record that every answer named, and no record exists whose call failed.

    python -m benchmarks.load [--concurrency 200] [--duration 30] [--warmup 5]

Prints throughput, p50/p99 latency, error counts, duplicates and the gateway's RSS at the start,
at the end of the warm-up and at the end (goal: 0 errors, 0 duplicates, growth < 20%).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2

try:
    import psutil
except ImportError as exc:  # a dev extra, not a runtime dependency
    raise SystemExit("python -m benchmarks.load needs psutil: pip install -e '.[dev]'") from exc

POOL = 25  # people created again and again
MIX = (("search", 0.45), ("get", 0.25), ("create_unique", 0.15), ("create_repeat", 0.15))


# --- the two server processes -------------------------------------------------------------------


def serve_org(data_dir: Path, url_file: Path) -> None:
    """Child process: the embedded org (seeded) until terminated."""
    from service.org.server import OrgServer

    org = OrgServer(data_dir=data_dir, daily_api_limit=100_000_000).start()
    info = {"url": org.url, "client_id": org.client_id, "client_secret": org.client_secret}
    url_file.write_text(json.dumps(info))
    _wait_for_term()
    org.stop()


def serve_gateway(org_info: dict[str, str], secret: str, url_file: Path) -> None:
    """Child process: the gateway on the org until terminated."""
    import socket

    import uvicorn
    from pydantic import SecretStr

    from service.app import create_app
    from service.settings import Settings

    settings = Settings(
        _env_file=None,
        sf_domain=org_info["url"],
        sf_client_id=org_info["client_id"],
        sf_client_secret=SecretStr(org_info["client_secret"]),
        webhook_secret=SecretStr(secret),
        log_level="WARNING",
    )
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        create_app(settings), log_level="warning", access_log=False, backlog=2048, timeout_keep_alive=30
    )
    server = uvicorn.Server(config)
    url_file.write_text(json.dumps({"url": f"http://127.0.0.1:{sock.getsockname()[1]}"}))
    server.run(sockets=[sock])


def _wait_for_term() -> None:
    stop = {"now": False}

    def handler(signum: int, frame: Any) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    while not stop["now"]:
        time.sleep(0.2)


def _spawn(args: list[str], workdir: Path, name: str, env: dict[str, str] | None = None) -> tuple[Any, dict[str, Any]]:
    url_file = workdir / f"{name}.json"
    log = open(workdir / f"{name}.log", "wb")  # kept open for the child's lifetime
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.load", "--role", name, "--url-file", str(url_file), *args],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
    )
    deadline = time.monotonic() + 60
    while not url_file.exists() or not url_file.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not start; see {workdir / f'{name}.log'}")
        time.sleep(0.05)
    time.sleep(0.3)  # the URL is written just before the server starts listening
    return process, json.loads(url_file.read_text())


# --- the load -----------------------------------------------------------------------------------


@dataclass
class Results:
    """Everything the workers saw."""

    latencies: list[float] = field(default_factory=list)  # measured window only
    calls: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    unique: dict[str, tuple[int, str | None]] = field(default_factory=dict)  # email -> (status, id)
    repeat_ids: dict[str, set[str]] = field(default_factory=dict)  # email -> answered ids
    warm_calls: int = 0


def known_data(data_dir: Path) -> dict[str, list[Any]]:
    """Seeded names and ids the read tools ask for."""
    with sqlite3.connect(f"file:{_db_path(data_dir)}?mode=ro", uri=True) as conn:
        accounts = conn.execute('SELECT Id, Name FROM "Account" WHERE Name IS NOT NULL').fetchall()
        contacts = conn.execute('SELECT Id, Email FROM "Contact" WHERE Email IS NOT NULL').fetchall()
    return {"accounts": accounts, "contacts": contacts}


def _db_path(data_dir: Path) -> Path:
    from service.org.store import DB_NAME

    return data_dir / DB_NAME


def _request(kind: str, data: dict[str, list[Any]], run: str, counter: list[int], rng: random.Random) -> Any:
    if kind == "search":
        account_id, name = rng.choice(data["accounts"])
        queries = [
            f"SELECT Id, Name, Industry FROM Account WHERE Name = '{name.replace(chr(39), chr(92) + chr(39))}'",
            f"SELECT Id, Name, Email FROM Contact WHERE Email = '{rng.choice(data['contacts'])[1]}'",
            "SELECT Id, Name, StageName, Amount FROM Opportunity ORDER BY CreatedDate DESC LIMIT 5",
            "SELECT Id, Name, Company FROM Lead WHERE Company LIKE 'A%' LIMIT 10",
        ]
        return "GET", "/tools/salesforce_search_records", None, {"q": rng.choice(queries)}, {}, None
    if kind == "get":
        record_id = rng.choice(data["accounts"])[0] if rng.random() < 0.5 else rng.choice(data["contacts"])[0]
        obj = "Account" if record_id.startswith("001") else "Contact"
        return "GET", f"/tools/salesforce_get_record/{obj}/{record_id}", None, {}, {}, None
    if kind == "create_unique":
        counter[0] += 1
        email = f"load.u{counter[0]}.{run}@example.com"
        body = {"FirstName": "Load", "LastName": f"Unique {counter[0]}", "Company": "Load Test Co", "Email": email}
        headers = {"X-Conversation-Id": f"load-{run}-u{counter[0]}"}
        return "POST", "/tools/salesforce_create_record/Lead", body, {}, headers, ("unique", email)
    person = rng.randrange(POOL)
    email = f"load.r{person}.{run}@example.com"
    body = {"FirstName": "Repeat", "LastName": f"Person {person}", "Company": "Load Test Co", "Email": email}
    # Same conversation (a replay of the same call) or another one (the same person again).
    conversation = f"load-{run}-r{person}" if rng.random() < 0.5 else f"load-{run}-{uuid.uuid4().hex[:8]}"
    return (
        "POST",
        "/tools/salesforce_create_record/Lead",
        body,
        {},
        {"X-Conversation-Id": conversation},
        ("repeat", email),
    )


async def worker(
    client: httpx2.AsyncClient,
    data: dict[str, list[Any]],
    run: str,
    counter: list[int],
    results: Results,
    measure_from: float,
    end: float,
    seed: int,
) -> None:
    rng = random.Random(seed)
    kinds = [kind for kind, _ in MIX]
    weights = [weight for _, weight in MIX]
    while time.monotonic() < end:
        kind = rng.choices(kinds, weights)[0]
        method, path, body, params, headers, create = _request(kind, data, run, counter, rng)
        started = time.monotonic()
        try:
            response = await client.request(method, path, json=body, params=params, headers=headers)
            status, payload = response.status_code, (response.json() if response.content else {})
        except (httpx2.HTTPError, ValueError) as exc:
            status, payload = 0, {}
            results.errors.append(f"{kind}: {type(exc).__name__}: {exc}")
        elapsed = time.monotonic() - started
        if started >= measure_from:
            results.latencies.append(elapsed)
            results.calls[kind] += 1
        else:
            results.warm_calls += 1
        results.statuses[f"{status}" if status < 400 else f"{status} {payload.get('error', {}).get('code')}"] += 1
        if status >= 400 or status == 0:
            results.errors.append(f"{kind}: HTTP {status} {json.dumps(payload)[:200]}")
        if create is not None:
            what, email = create
            answered = payload.get("id") if status == 200 else None
            if what == "unique":
                results.unique[email] = (status, answered)
            elif answered:
                results.repeat_ids.setdefault(email, set()).add(answered)


def account_for_creates(data_dir: Path, run: str, results: Results) -> dict[str, int]:
    """Compare what the workers were told with what the org holds."""
    with sqlite3.connect(f"file:{_db_path(data_dir)}?mode=ro", uri=True) as conn:
        sql = 'SELECT Id, Email FROM "Lead" WHERE Email LIKE ?'
        rows = conn.execute(sql, (f"load.%.{run}@example.com",)).fetchall()
    by_email: dict[str, list[str]] = {}
    for record_id, email in rows:
        by_email.setdefault(email.lower(), []).append(record_id)
    duplicates = sum(len(ids) - 1 for ids in by_email.values() if len(ids) > 1)
    lost = unconfirmed = 0
    for email, (_status, answered) in results.unique.items():
        held = by_email.get(email, [])
        if answered and answered not in held:
            lost += 1
        if not answered and held:
            unconfirmed += 1  # committed, but the caller was told it failed
    mismatched = 0
    for email, ids in results.repeat_ids.items():
        held = by_email.get(email, [])
        if len(ids) != 1 or not ids <= set(held):
            mismatched += 1
    created_unique = sum(1 for _status, answered in results.unique.values() if answered)
    return {
        "org_records": len(rows),
        "unique_creates": len(results.unique),
        "unique_created": created_unique,
        "repeat_people": len(results.repeat_ids),
        "duplicates": duplicates,
        "lost": lost,
        "unconfirmed": unconfirmed,
        "repeat_mismatched": mismatched,
    }


def rss_mb(process: psutil.Process) -> float:
    return float(process.memory_info().rss) / 2**20


async def drive(
    gateway_url: str,
    secret: str,
    data_dir: Path,
    gateway: psutil.Process,
    org: psutil.Process,
    args: argparse.Namespace,
) -> int:
    data = known_data(data_dir)
    run = uuid.uuid4().hex[:8]
    results = Results()
    counter = [0]
    limits = httpx2.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
    rss = {"start": (rss_mb(gateway), rss_mb(org))}
    async with httpx2.AsyncClient(
        base_url=gateway_url, headers={"X-Webhook-Secret": secret}, limits=limits, timeout=60.0
    ) as client:
        begin = time.monotonic()
        measure_from = begin + args.warmup
        end = measure_from + args.duration
        tasks = [
            asyncio.create_task(worker(client, data, run, counter, results, measure_from, end, seed))
            for seed in range(args.concurrency)
        ]
        await asyncio.sleep(args.warmup)
        rss["warm"] = (rss_mb(gateway), rss_mb(org))
        await asyncio.gather(*tasks)
        finished = time.monotonic()
    rss["end"] = (rss_mb(gateway), rss_mb(org))
    books = account_for_creates(data_dir, run, results)
    report(results, books, rss, finished - measure_from, args)
    failed = (
        results.errors or books["duplicates"] or books["lost"] or books["unconfirmed"] or books["repeat_mismatched"]
    )
    return 1 if failed else 0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def report(
    results: Results,
    books: dict[str, int],
    rss: dict[str, tuple[float, float]],
    window: float,
    args: argparse.Namespace,
) -> None:
    total = len(results.latencies)
    server_errors = sum(n for s, n in results.statuses.items() if s.startswith("5"))
    growth = (rss["end"][0] - rss["warm"][0]) / rss["warm"][0] * 100
    print(f"load: {args.concurrency} concurrent tool calls, {args.warmup:.0f}s warm-up + {args.duration:.0f}s measured")
    print(
        f"calls measured: {total} ({', '.join(f'{k} {v}' for k, v in sorted(results.calls.items()))}); "
        f"warm-up calls: {results.warm_calls}"
    )
    print(f"throughput: {total / window:.1f} calls/s")
    p50, p99 = _percentile(results.latencies, 0.50), _percentile(results.latencies, 0.99)
    print(
        f"latency: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
        f"max {max(results.latencies, default=0) * 1000:.0f} ms"
    )
    print(f"statuses: {dict(sorted(results.statuses.items()))}")
    print(f"errors: {len(results.errors)} (server errors 5xx: {server_errors})")
    for line in results.errors[:10]:
        print(f"  {line}")
    print(
        f"creates: {books['unique_creates']} unique ({books['unique_created']} created), "
        f"{books['repeat_people']} repeated people; org holds {books['org_records']} load records"
    )
    print(
        f"duplicates: {books['duplicates']}  lost: {books['lost']}  committed-but-reported-failed: "
        f"{books['unconfirmed']}  repeat answers naming another id: {books['repeat_mismatched']}"
    )
    print(
        f"gateway RSS: start {rss['start'][0]:.1f} MB, end of warm-up {rss['warm'][0]:.1f} MB, "
        f"end {rss['end'][0]:.1f} MB (growth after warm-up {growth:+.1f}%)"
    )
    print(
        f"org RSS:     start {rss['start'][1]:.1f} MB, end of warm-up {rss['warm'][1]:.1f} MB, "
        f"end {rss['end'][1]:.1f} MB"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--duration", type=float, default=30.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of load before measuring")
    parser.add_argument("--role", choices=("org", "gateway"), help=argparse.SUPPRESS)
    parser.add_argument("--url-file", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.role == "org":
        serve_org(Path(args.data_dir), Path(args.url_file))
        return 0
    if args.role == "gateway":
        serve_gateway(json.loads(os.environ["LOAD_ORG"]), os.environ["LOAD_WEBHOOK_SECRET"], Path(args.url_file))
        return 0
    workdir = Path(tempfile.mkdtemp(prefix="load-"))
    data_dir = workdir / "org"
    secret = secrets.token_urlsafe(24)
    children: list[Any] = []
    try:
        org_process, org_info = _spawn(["--data-dir", str(data_dir)], workdir, "org")
        children.append(org_process)
        gateway_process, gateway_info = _spawn(
            [], workdir, "gateway", env={"LOAD_WEBHOOK_SECRET": secret, "LOAD_ORG": json.dumps(org_info)}
        )
        children.append(gateway_process)
        return asyncio.run(
            drive(
                gateway_info["url"],
                secret,
                data_dir,
                psutil.Process(gateway_process.pid),
                psutil.Process(org_process.pid),
                args,
            )
        )
    finally:
        for child in reversed(children):
            child.terminate()
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()


if __name__ == "__main__":
    sys.exit(main())
