"""Replicas on Redis: what shared state costs, and what a second worker buys.

    python -m benchmarks.scale [--samples 100] [--rounds 5] [--compare-with CHECKOUT]
                               [--concurrency 200] [--seconds 10] [--workers 1,2]

Starts a real `redis-server` (free loopback port, temp dir, no persistence), the embedded org
(`org serve`) and gateways (`serve`), each its own process on loopback, and prints:

* Redis round trips per search and per create (from the gateway's `/metrics`; goals: 0 in steady
  state, <= 3 per create), with post-call on (creates and one-record finds note the call ledger);
* the p50 of a create with Redis stores against the same create on in-process stores, sent
  in turn to the gateways, in `--rounds` rounds (goal: Redis adds <= 1 ms on loopback; the
  median of the rounds' differences, each printed; `--compare-with /path/to/checkout` adds that
  checkout's gateway on the same Redis to the rotation: a before and after in one run), and the
  create section alone (the store's whole share of a create), timed in this process against the
  same Redis, with one Redis round trip back to back and after 10 ms idle (what a round trip costs
  inside a create, where Redis sleeps while the org works: why the gateway keeps both of a create's
  round trips off its critical path);
* calls/s, p50 and p99 with `serve --workers N` at `--concurrency` in flight (95% searches, 5%
  creates, each with its own email and conversation id), with errors and duplicates counted from
  the org itself (goal: 0 and 0).

The org, Redis, the gateway workers and this load generator share the machine's cores: on 2 cores a
second worker competes with the org and the load generator for CPU, so the figures say what this
machine allows, not what two machines would.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp
import httpx2

from benchmarks.gateway import free_port, percentile, wait_http

if TYPE_CHECKING:
    from service.state.shared import SharedRedis

SECRET = "scale-benchmark-secret-scale-benchmark"  # noqa: S105 - a loopback benchmark's own gateways
HEADERS = {"X-Webhook-Secret": SECRET}
SEARCH = "/tools/salesforce_search_records"
CREATE = "/tools/salesforce_create_record/Lead"
QUERY = {"q": "SELECT Id, Name, Email FROM Contact WHERE LastName LIKE 'S%' LIMIT 5"}
_TRIPS = re.compile(r'^gateway_redis_round_trips_total\{op="(\w+)"\} ([0-9.e+]+)$', re.M)


class Processes:
    """Everything started here, stopped in reverse order."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(
        self, args: list[str], env: dict[str, str] | None = None, cwd: Path | None = None
    ) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            args, env={**os.environ, **(env or {})}, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.procs.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen[bytes]) -> None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        self.procs.remove(proc)

    def stop_all(self) -> None:
        for proc in reversed(list(self.procs)):
            self.stop(proc)


class RedisProcess:
    """A `redis-server` on a free loopback port with a temp dir and no persistence; stop and start
    again on the same port (an outage, a restart). Also used by `benchmarks.faults`."""

    def __init__(self, workdir: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit("redis-server is not installed (scripts/install-test-deps installs it)")
        self.binary, self.workdir, self.port = binary, workdir, free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisProcess:
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.workdir)]
        self.proc = subprocess.Popen(
            [*args, "--save", "", "--appendonly", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        end = time.monotonic() + 10
        while time.monotonic() < end:
            if self.cli("ping") == "PONG":
                return self
            time.sleep(0.05)
        raise SystemExit("redis-server did not start")

    def cli(self, *command: str) -> str:
        probe = subprocess.run(
            ["redis-cli", "-p", str(self.port), *command], capture_output=True, text=True, check=False
        )
        return probe.stdout.strip()

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


def start_org(procs: Processes) -> str:
    port = free_port()
    data = procs.workdir / "org"
    procs.start([sys.executable, "-m", "service", "org", "serve", "--port", str(port), "--data-dir", str(data)])
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/_org/stats", timeout=120)
    return url


def gateway_env(org: str, redis_url: str | None) -> dict[str, str]:
    env = {
        "SF_DOMAIN": org,
        "SF_CLIENT_ID": "embedded-org-client",
        "SF_CLIENT_SECRET": "embedded-org-secret",
        "WEBHOOK_SECRET": SECRET,
        # post-call on, as a deployment with post-call Tasks runs: creates and finds note the call ledger
        "ELEVENLABS_WEBHOOK_SECRET": SECRET,
        "LOG_LEVEL": "WARNING",
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def start_gateway(
    procs: Processes, org: str, redis_url: str | None, workers: int = 1, checkout: Path | None = None
) -> tuple[str, subprocess.Popen[bytes]]:
    """A `serve` process; `checkout`: run that checkout's code instead (`python -m service` there)."""
    port = free_port()
    args = [sys.executable, "-m", "service", "serve", "--port", str(port), "--workers", str(workers)]
    outbox = {"POST_CALL_OUTBOX": str(procs.workdir / f"outbox-{port}.sqlite3")}  # without Redis: its own file
    proc = procs.start(args, {**gateway_env(org, redis_url), **outbox}, cwd=checkout)
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/healthz", timeout=120)
    return url, proc


def _lead(run: str, n: int) -> dict[str, str]:
    # a last name of its own per run and gateway: the matching rule (same first and last name and company)
    # must not turn a measured create into "already exists" because of another run's lead
    last = "Scale" + re.sub(r"\W", "", run) + str(n)
    return {"FirstName": "Sam", "LastName": last, "Company": "Scale Works", "Email": f"s{n}@{run}.example"}


async def round_trips(http: aiohttp.ClientSession, url: str, *, outbox: bool = False) -> int:
    """Redis commands the gateway sent so far: the tools' (token, idempotency, locks, ledger), or with
    `outbox` the post-call delivery loop's (it polls the stream in the background, calls or not)."""
    async with http.get(url + "/metrics") as answer:
        text = await answer.text()
    return int(sum(float(v) for op, v in _TRIPS.findall(text) if op != "ping" and op.startswith("outbox") == outbox))


async def timed(http: aiohttp.ClientSession, method: str, url: str, **kwargs: object) -> tuple[int | str, float]:
    """(200, seconds), or ("<status> <error code>", seconds)."""
    start = time.perf_counter()
    async with http.request(method, url, **kwargs) as answer:  # type: ignore[arg-type]
        body = await answer.read()
        spent = time.perf_counter() - start
        if answer.status == 200:
            return 200, spent
        code = re.search(rb'"code":\s*"(\w+)"', body)
        return f"{answer.status} {code.group(1).decode() if code else '?'}", spent


async def costs(redis_gw: str, local_gw: str, samples: int, rounds: int, other_gw: str | None = None) -> None:
    run = uuid.uuid4().hex[:8]
    async with aiohttp.ClientSession(headers=HEADERS) as http:
        for _ in range(20):  # warm: token, schema, connections
            for url in (redis_gw, local_gw, *([other_gw] if other_gw else [])):
                await timed(http, "GET", url + SEARCH, params=QUERY)
        before = await round_trips(http, redis_gw)
        polls, started = await round_trips(http, redis_gw, outbox=True), time.monotonic()
        for _ in range(samples):
            await timed(http, "GET", redis_gw + SEARCH, params=QUERY)
        per_search = (await round_trips(http, redis_gw) - before) / samples
        before = await round_trips(http, redis_gw)
        for n in range(10):  # round trips per create, counted apart from the timing below
            body = _lead(f"{run}-count", n)
            await timed(http, "POST", redis_gw + CREATE, json=body, headers={"X-Conversation-Id": f"c-{run}-{n}"})
        trips = (await round_trips(http, redis_gw) - before) / 10
        before = await round_trips(http, redis_gw)
        for n in range(10):  # a search in a call that finds the caller: its record goes into the call ledger
            one = {"q": f"SELECT Id, Name FROM Lead WHERE Email = 's{n}@{run}-count.example'"}
            await timed(http, "GET", redis_gw + SEARCH, params=one, headers={"X-Conversation-Id": f"c-{run}-{n}"})
        per_noted_search = (await round_trips(http, redis_gw) - before) / 10
        sides = {"redis": redis_gw, "local": local_gw, **({"other": other_gw} if other_gw else {})}
        gains: dict[str, list[float]] = {name: [] for name in sides if name != "local"}
        p50s: dict[str, list[float]] = {name: [] for name in sides}
        for r in range(rounds):  # rounds: the machine's other load drifts; one round's p50s can be off by a ms
            spent: dict[str, list[float]] = {name: [] for name in sides}
            names = list(sides)
            for n in range(samples):
                for name in names[n % len(names) :] + names[: n % len(names)]:  # each goes first in turn
                    body = _lead(f"{run}-{r}-{name}", n)
                    headers = {"X-Conversation-Id": f"conv-{run}-{r}-{n}-{name}"}
                    status, seconds = await timed(http, "POST", sides[name] + CREATE, json=body, headers=headers)
                    if status == 200:
                        spent[name].append(seconds)
            for name in sides:
                p50s[name].append(percentile(spent[name], 0.5) * 1000)
            for name in gains:
                gains[name].append(p50s[name][-1] - p50s["local"][-1])
        # over the whole run: the loop polls once a second, a window of a few hundred ms may hold no pass
        poll_rate = (await round_trips(http, redis_gw, outbox=True) - polls) / (time.monotonic() - started)
    print(f"Redis round trips per search (steady state): {per_search:.2f}   (goal 0)", flush=True)
    print(f"  (apart from calls: the post-call outbox loop polls the stream, {poll_rate:.1f} round trips/s)")
    print(f"  (a search in a call that finds one record notes it in the call ledger: {per_noted_search:.2f})")
    print(f"Redis round trips per create:                {trips:.2f}   (goal <= 3)")
    print(
        f"create p50: {statistics.median(p50s['redis']):.2f} ms with Redis, "
        f"{statistics.median(p50s['local']):.2f} ms in-process: Redis adds {_gain(gains['redis'])}   (goal <= 1 ms)"
    )
    if other_gw:
        print(f"  the same create on --compare-with's gateway (its code, with Redis): {_gain(gains['other'])}")


def _gain(gains: list[float]) -> str:
    rounds = ", ".join(f"{g:+.2f}" for g in gains)
    return f"{statistics.median(gains):+.2f} ms (median of {len(gains)} rounds: {rounds})"


async def section_cost(redis_url: str, samples: int) -> None:
    """The store's share of a create alone (enter and leave one create section with a ledger note), in
    this process against the same Redis: what the end-to-end p50 above measures among the org's noise."""
    from service.state.idempotency import RedisIdempotencyStore
    from service.state.shared import SharedRedis
    from service.tools.idempotency import IdempotencyStore, InMemoryIdempotencyStore
    from service.tools.sections import RecordNote

    async def no_duplicate() -> None:
        return None

    async def p50(store: IdempotencyStore, settle: Callable[[], Awaitable[None]] | None = None) -> float:
        """Enter, check (nothing found), leave; with `settle`, until the leave written behind is done too."""
        spent = []
        run = uuid.uuid4().hex[:8]  # new keys each time: a second pass must not replay the first's answers
        for n in range(samples * 5):
            key, dups = f"conv:{run}{n}:h", [f"dup:person:email:{run}{n}", f"dup:person:last:{run}{n}"]
            start = time.perf_counter()
            section_of = store.create_section(
                key, dups, "pending:" + key, pending_ttl=60, answer_ttl=60, check=no_duplicate
            )
            async with section_of as section:
                await section.checked()
                section.finish({"id": "00Q000000000001", "speech": "I've created a lead."}, None)
            if settle is not None:
                await settle()
            spent.append(time.perf_counter() - start)
        return percentile(spent, 0.5) * 1000

    shared = SharedRedis(redis_url)
    try:
        redis_store = RedisIdempotencyStore(shared, space="bench")
        await p50(redis_store, shared.settle)  # warm: connection, scripts loaded
        redis_ms, local_ms = await p50(redis_store, shared.settle), await p50(InMemoryIdempotencyStore())
        note = RecordNote("ledger:bench", "Lead", ("00Q000000000001",), False, 60)
        spent = []
        for _ in range(samples * 5):
            start = time.perf_counter()
            await redis_store.note_records(note)
            spent.append(time.perf_counter() - start)
        hot, idle = await _round_trip(shared, samples * 2, 0.0), await _round_trip(shared, samples * 2, 0.01)
    finally:
        await shared.aclose()
    print(
        f"the create section alone (both round trips, back to back): p50 {redis_ms:.2f} ms on Redis, "
        f"{local_ms:.2f} ms in-process "
        f"(+{redis_ms - local_ms:.2f} ms); a ledger note: p50 {percentile(spent, 0.5) * 1000:.2f} ms"
    )
    print(f"one Redis round trip (PING): p50 {hot:.2f} ms back to back, {idle:.2f} ms after 10 ms idle")


async def _round_trip(shared: SharedRedis, samples: int, idle: float) -> float:
    """p50 ms of one PING, sent back to back or after `idle` seconds of nothing (Redis asleep)."""
    spent = []
    for _ in range(samples):
        if idle:
            await asyncio.sleep(idle)
        start = time.perf_counter()
        await shared.client.ping()
        spent.append(time.perf_counter() - start)
    return percentile(spent, 0.5) * 1000


async def load(
    url: str, org: str, concurrency: int, seconds: float
) -> tuple[int, float, float, float, dict[str, int], int]:
    """(calls, calls/s, p50 s, p99 s, errors by status, duplicates) for a mixed load at `concurrency`."""
    run = "load" + uuid.uuid4().hex[:8]
    latencies: list[float] = []
    errors: dict[str, int] = {}
    counter = 0
    end = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(headers=HEADERS, connector=connector) as http:

        async def worker() -> None:
            nonlocal errors, counter
            while time.monotonic() < end:
                counter += 1
                n = counter
                if n % 20 == 0:
                    args = {"json": _lead(run, n), "headers": {"X-Conversation-Id": f"{run}-{n}"}}
                    status, spent = await timed(http, "POST", url + CREATE, **args)
                else:
                    status, spent = await timed(http, "GET", url + SEARCH, params=QUERY)
                latencies.append(spent)
                if status != 200:
                    errors[str(status)] = errors.get(str(status), 0) + 1

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.monotonic() - started
    emails = _created_emails(org, run)
    duplicates = len(emails) - len(set(emails))
    return (
        len(latencies),
        len(latencies) / elapsed,
        percentile(latencies, 0.5),
        percentile(latencies, 0.99),
        errors,
        duplicates,
    )


def _created_emails(org: str, run: str) -> list[str]:
    token = httpx2.post(
        org + "/services/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "embedded-org-client",
            "client_secret": "embedded-org-secret",
        },
    ).json()["access_token"]
    rows = httpx2.get(
        org + "/services/data/v58.0/query",
        params={"q": f"SELECT Email FROM Lead WHERE Email LIKE '%@{run}.example'"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    ).json()["records"]
    return [str(r["Email"]) for r in rows]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=100, help="sequential searches and creates for the costs")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of --samples creates on each gateway")
    parser.add_argument(
        "--compare-with", default=None, help="another checkout: its gateway (on the same Redis) joins the create timing"
    )
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each load run")
    parser.add_argument("--workers", default="1,2", help="worker counts to load, comma-separated")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="scale-") as tmp:
        procs = Processes(Path(tmp))
        redis = RedisProcess(Path(tmp)).start()
        try:
            redis_url = redis.url
            org = start_org(procs)
            print(f"cores: {os.cpu_count()}; org, Redis, gateways and this load generator share them")
            redis_gw, redis_proc = start_gateway(procs, org, redis_url)
            local_gw, local_proc = start_gateway(procs, org, None)
            other = (
                start_gateway(procs, org, redis_url, checkout=Path(args.compare_with)) if args.compare_with else None
            )
            asyncio.run(costs(redis_gw, local_gw, args.samples, args.rounds, other[0] if other else None))
            if other:
                procs.stop(other[1])
            asyncio.run(section_cost(redis_url, args.samples))
            procs.stop(redis_proc)
            procs.stop(local_proc)
            for workers in (int(w) for w in args.workers.split(",") if w):
                url, proc = start_gateway(procs, org, redis_url, workers)
                asyncio.run(load(url, org, min(20, args.concurrency), 2.0))  # warm every worker
                calls, rate, p50, p99, errors, dups = asyncio.run(load(url, org, args.concurrency, args.seconds))
                print(
                    f"--workers {workers} at {args.concurrency} concurrent: {calls} calls, {rate:.0f} calls/s, "
                    f"p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
                    f"errors {sum(errors.values())} {errors or ''}, duplicates {dups}",
                    flush=True,
                )
                procs.stop(proc)
        finally:
            procs.stop_all()
            redis.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
