"""Gateway overhead: the same search sent straight to the org and through the gateway.

    python -m benchmarks.gateway [--latency-ms 20] [--concurrency 32] [--requests 640] [--rounds 3]
                                 [--stock-client] [--stock-gateway] [--compare-with CHECKOUT] [--no-mcp]
                                 [--no-floor] [--creates 100]

Starts the embedded org and the gateway (`serve`, pointed at that org) as separate processes on
loopback; both are uvicorn with uvloop + httptools (uvicorn's choice when installed), and uvicorn
sets TCP_NODELAY on every connection. The load generator (this process) sends `--requests`
searches with `--concurrency` in flight, directly to the org's query endpoint (bearer token) and
then to the gateway's salesforce_search_records, then the same search as an MCP `tools/call` to the
gateway's `/mcp` (`--no-mcp` to skip), alternating for `--rounds` rounds so that any
background load hits every side alike; each side is warmed up before every round. All sides use
the same client: aiohttp's own, so that the load generator takes as little of the shared cores as
possible (`--stock-client`: httpx2 on its default transport).
`--compare-with /path/to/other/checkout` also starts that checkout's gateway (e.g. the previous
transport) as another side (and its `/mcp` as one more), and `--stock-gateway` this checkout's
gateway on httpx2's own transport (`httpx2.AsyncHTTPTransport`), all measured in the same rounds against the same org.

The floor sides (`--no-floor` to skip) are bare pass-throughs that do nothing but forward the query
to the org with a token: `floor` on uvicorn + aiohttp, what the extra hop alone costs on these cores
(so "over the floor" is the gateway's share), and `floor-httpx2` the same through the client stack
the gateway must use (an `httpx2.AsyncClient` on the gateway's own aiohttp transport, sending a
prebuilt request as the gateway's client does): the least any gateway built on it pays.

The MCP side posts the JSON-RPC request the official client sends after its handshake (stateless
Streamable HTTP, JSON answer, `Authorization: Bearer`), with the same aiohttp client, so it measures
the gateway's MCP path and not the client SDK; an answer with `isError` counts as a failure.

Prints p50 / p99 of every side (all rounds pooled, plus the spread of per-round p50s), the p50
overhead in ms and the p50 ratio (goal: overhead <= 2 ms, ratio <= 1.10; MCP: overhead <= 3 ms),
the one-in-flight figures, and CPU per call of every process (from the OS's per-process CPU time),
which is what explains the result: the gateway's CPU per call times the calls per second is the
share of a core it needs.

Then `--creates` Lead creates, one in flight, without email or conversation id (a new person each):
straight to the org and through each gateway. The gateway's create p50 over the direct one is
what its check before create costs (the duplicate check's candidate queries, the guard);
`--compare-with` a checkout without the duplicate check to see that check's own share.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import httpx2

QUERY = "SELECT Id, Name, Email, Phone, Title, Account.Name FROM Contact WHERE Email = 'customer@example.com' LIMIT 10"
MCP_CALL = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "tools/call",
    "params": {"name": "salesforce_search_records", "arguments": {"q": QUERY}},
}
# What the official client sends on every request after a handshake-era initialize.
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-11-25"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def serve_org(port: int, latency_ms: float) -> int:
    """The embedded org in this process, bound by uvicorn itself (which sets TCP_NODELAY)."""
    import uvicorn

    from service.org.app import create_app
    from service.org.state import OrgConfig
    from service.settings import Settings

    config = OrgConfig.from_settings(Settings(), latency_ms=latency_ms)
    uvicorn.run(create_app(config), host="127.0.0.1", port=port, log_level="warning", access_log=False)
    return 0


def serve_stock_gateway(port: int) -> int:
    """This checkout's gateway with httpx2's own transport to the org instead of the default one."""
    import uvicorn

    from service.app import create_app

    limits = httpx2.Limits(max_connections=100, max_keepalive_connections=100, keepalive_expiry=30.0)
    app = create_app(transport=httpx2.AsyncHTTPTransport(limits=limits), freeze_heap=True)
    uvicorn.run(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    return 0


def serve_floor(port: int, client: str) -> int:
    """A floor: a bare pass-through with none of the gateway's work: the request's path and query go
    to the org (`ORG_URL`, bearer `ORG_TOKEN` from the environment) and the org's body comes back.
    `client` "aiohttp": uvicorn + aiohttp, what any Python gateway on these cores pays for the extra
    hop; "httpx2": through `httpx2.AsyncClient` on the gateway's transport, as its client sends."""
    import uvicorn
    from starlette.types import Receive, Scope, Send

    from service.salesforce.transport import AiohttpTransport

    org, token = os.environ["ORG_URL"], os.environ["ORG_TOKEN"]
    sessions: dict[str, aiohttp.ClientSession] = {}  # made on first use: an aiohttp session needs its loop
    http = httpx2.AsyncClient(transport=AiohttpTransport())  # the transport opens its session on first use
    urls: dict[str, httpx2.URL] = {}  # parsed once per target, as the gateway's client remembers them
    auth = {"Authorization": f"Bearer {token}"}
    timeout = {"connect": 5.0, "read": 10.0, "write": 10.0, "pool": 10.0}

    async def forward(url: str) -> tuple[int, bytes]:
        if client == "httpx2":
            target = urls.get(url) or urls.setdefault(url, httpx2.URL(url))
            request = httpx2.Request("GET", target, headers=auth, extensions={"timeout": timeout})
            response = await http.send(request)
            return response.status_code, response.content
        session = sessions.get("s") or sessions.setdefault("s", aiohttp.ClientSession())
        async with session.get(url, headers=auth) as answer:
            return answer.status, await answer.read()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        status, body = await forward(f"{org}{scope['path']}?{scope['query_string'].decode()}")
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (psutil: a dev extra)."""
    import psutil

    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def wait_http(url: str, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if httpx2.get(url, timeout=1.0).status_code < 500:
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


class Client:
    """The load generator's client for one side: aiohttp's client itself (the least CPU per call on
    the shared cores), or with `--stock-client` httpx2 on its default transport."""

    def __init__(self, url: str, headers: dict[str, str], concurrency: int, stock: bool) -> None:
        self._aiohttp: aiohttp.ClientSession | None = None
        self._httpx2: httpx2.AsyncClient | None = None
        if stock:
            limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
            self._httpx2 = httpx2.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=30.0)
        else:
            connector = aiohttp.TCPConnector(limit=concurrency)
            self._aiohttp = aiohttp.ClientSession(url, headers=headers, connector=connector)

    async def get(self, path: str, params: dict[str, str]) -> int:
        if self._httpx2 is not None:
            return (await self._httpx2.get(path, params=params)).status_code
        assert self._aiohttp is not None
        async with self._aiohttp.get(path, params=params) as answer:
            await answer.read()
            return answer.status

    async def post(self, path: str, body: dict[str, object]) -> tuple[int, bytes]:
        if self._httpx2 is not None:
            answer = await self._httpx2.post(path, json=body)
            return answer.status_code, answer.content
        assert self._aiohttp is not None
        async with self._aiohttp.post(path, json=body) as response:
            return response.status, await response.read()

    async def aclose(self) -> None:
        if self._httpx2 is not None:
            await self._httpx2.aclose()
        if self._aiohttp is not None:
            await self._aiohttp.close()


async def run_load(
    call: Callable[[Client], Awaitable[int]],
    client: Client,
    requests: int,
    concurrency: int,
    warmup: int,
) -> list[float]:
    """`warmup` unmeasured calls, then `requests` calls with `concurrency` in flight; latencies in ms."""
    await asyncio.gather(*(call(client) for _ in range(warmup)))
    samples: list[float] = []
    queue = iter(range(requests))

    async def worker() -> None:
        for _ in queue:
            started = time.perf_counter()
            status = await call(client)
            samples.append((time.perf_counter() - started) * 1000)
            if status not in (200, 201):  # 201: the org's own create
                raise RuntimeError(f"HTTP {status}")

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return samples


class Side:
    """One way of sending the search: its latencies and the CPU every process spent on it."""

    def __init__(self, name: str, url: str, headers: dict[str, str], path: str) -> None:
        self.name, self.url, self.headers, self.path = name, url, headers, path
        self.samples: list[float] = []
        self.round_p50: list[float] = []
        self.calls = 0
        self.cpu: dict[str, float] = {}
        self.created = 0

    async def call(self, client: Client) -> int:
        return await client.get(self.path, params={"q": QUERY})

    async def create(self, client: Client) -> int:
        """One Lead for a new person (unique last name), no email, no conversation id."""
        self.created += 1
        body: dict[str, object] = {
            "FirstName": "Bench",
            "LastName": f"{self.name.title()} {self.created}",
            "Company": "Bench Co",
        }
        path = (
            "/services/data/v58.0/sobjects/Lead/" if self.name == "direct" else "/tools/salesforce_create_record/Lead"
        )
        status, _ = await client.post(path, body)
        return status


class FloorSide(Side):
    """The same search through the bare pass-through (`serve_floor`): the hop's own cost."""


class McpSide(Side):
    """The same search as an MCP tools/call; a 200 that is a JSON-RPC error or has `isError` counts as a 500.

    Checked on the bytes (the answers are compact JSON, and the text content escapes its quotes), so the
    load generator doesn't parse the MCP answer when it reads the other sides' answers unparsed.
    """

    async def call(self, client: Client) -> int:
        status, body = await client.post(self.path, MCP_CALL)
        if status == 200 and (not body.startswith(b'{"jsonrpc":"2.0","id":1,"result":') or b'"isError":true' in body):
            return 500
        return status


def new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.gateway", description=__doc__.split("\n")[0])
    parser.add_argument("--latency-ms", type=float, default=20.0, help="org response delay (default 20)")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight (default 32)")
    parser.add_argument("--requests", type=int, default=640, help="measured requests per side per round (default 640)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating direct/gateway rounds (default 3)")
    parser.add_argument("--warmup", type=int, default=64, help="unmeasured requests per side before each round")
    parser.add_argument("--stock-client", action="store_true", help="load generator on httpx2's default transport")
    parser.add_argument("--compare-with", type=Path, default=None, help="also measure this checkout's gateway")
    parser.add_argument("--stock-gateway", action="store_true", help="also measure the gateway on httpx2's transport")
    parser.add_argument("--no-mcp", action="store_true", help="skip the MCP side (tools/call on /mcp)")
    parser.add_argument("--no-floor", action="store_true", help="skip the bare pass-through side (the hop's own cost)")
    parser.add_argument("--creates", type=int, default=100, help="measured creates per side, one in flight")
    parser.add_argument("--serve-org", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--serve-stock-gateway", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--serve-floor", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--floor-client", default="aiohttp", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_org is not None:
        return serve_org(args.serve_org, args.latency_ms)
    if args.serve_stock_gateway is not None:
        return serve_stock_gateway(args.serve_stock_gateway)
    if args.serve_floor is not None:
        return serve_floor(args.serve_floor, args.floor_client)

    org_port = free_port()
    secret = secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory(prefix="bench-gateway-") as tmp:
        base_env = {k: v for k, v in os.environ.items() if not k.startswith(("SF_", "WEBHOOK_", "ORG_", "GATEWAY_"))}
        base_env["ORG_DATA_DIR"] = str(Path(tmp) / "org")
        org_url = f"http://127.0.0.1:{org_port}"
        org = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "benchmarks.gateway",
                "--serve-org",
                str(org_port),
                "--latency-ms",
                str(args.latency_ms),
            ],
            env=base_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        gateways: list[subprocess.Popen[bytes]] = []
        serve = [sys.executable, "-m", "service", "serve", "--port"]
        checkouts = [("gateway", Path.cwd(), serve)]
        if args.stock_gateway:
            checkouts.append(
                ("stock", Path.cwd(), [sys.executable, "-m", "benchmarks.gateway", "--serve-stock-gateway"])
            )
        if args.compare_with is not None:
            checkouts.append(("compared", args.compare_with.resolve(), serve))
        try:
            wait_http(f"{org_url}/services/oauth2/token")
            gw_env = {
                **base_env,
                "SF_DOMAIN": org_url,
                "SF_CLIENT_ID": "embedded-org-client",
                "SF_CLIENT_SECRET": "embedded-org-secret",
                "WEBHOOK_SECRET": secret,
                "LOG_LEVEL": "WARNING",
            }
            sides = [Side("direct", org_url, {}, "/services/data/v58.0/query")]
            pids = {"org": org.pid}
            for name, checkout, command in checkouts:
                port = free_port()
                gateways.append(
                    subprocess.Popen(
                        [*command, str(port)],
                        env=gw_env,
                        cwd=checkout,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )
                wait_http(f"http://127.0.0.1:{port}/healthz")
                url = f"http://127.0.0.1:{port}"
                sides.append(Side(name, url, {"X-Webhook-Secret": secret}, "/tools/salesforce_search_records"))
                pids[name] = gateways[-1].pid
                if name in ("gateway", "compared") and not args.no_mcp:
                    mcp_name = "mcp" if name == "gateway" else "mcp-cmp"  # the compared checkout's /mcp too
                    sides.append(McpSide(mcp_name, url, {"Authorization": f"Bearer {secret}", **MCP_HEADERS}, "/mcp"))
            token = httpx2.post(
                f"{org_url}/services/oauth2/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": "embedded-org-client",
                    "client_secret": "embedded-org-secret",
                },
            ).json()["access_token"]
            sides[0].headers = {"Authorization": f"Bearer {token}"}
            for at, via in enumerate(() if args.no_floor else ("aiohttp", "httpx2"), start=1):
                port = free_port()
                floor_env = {**base_env, "ORG_URL": org_url, "ORG_TOKEN": token}
                gateways.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "benchmarks.gateway", "--serve-floor", str(port), "--floor-client", via],
                        env=floor_env,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )
                wait_http(f"http://127.0.0.1:{port}/services/data/v58.0/limits")
                name = "floor" if via == "aiohttp" else f"floor-{via}"
                sides.insert(at, FloorSide(name, f"http://127.0.0.1:{port}", {}, "/services/data/v58.0/query"))
                pids[name] = gateways[-1].pid

            async def measure() -> tuple[list[list[float]], list[list[float]]]:
                clients = {
                    side.name: Client(side.url, side.headers, args.concurrency, args.stock_client) for side in sides
                }
                try:
                    for _ in range(args.rounds):
                        for side in sides:
                            before = {name: cpu_seconds(pid) for name, pid in pids.items()}
                            before["load generator"] = time.process_time()
                            samples = await run_load(
                                side.call, clients[side.name], args.requests, args.concurrency, args.warmup
                            )
                            after = {name: cpu_seconds(pid) for name, pid in pids.items()}
                            after["load generator"] = time.process_time()
                            for name in after:
                                side.cpu[name] = side.cpu.get(name, 0.0) + after[name] - before[name]
                            side.calls += args.requests + args.warmup
                            side.samples += samples
                            side.round_p50.append(percentile(samples, 0.5))
                    single = max(8, args.requests // 4)
                    ones = [await run_load(side.call, clients[side.name], single, 1, 8) for side in sides]
                    creates = []
                    for side in sides if args.creates else []:
                        if isinstance(side, McpSide | FloorSide):
                            continue
                        # A fresh connection: the pooled ones may have idled past the server's keep-alive,
                        # and a POST is not re-sent on a closed one.
                        fresh = Client(side.url, side.headers, 1, args.stock_client)
                        try:
                            creates.append(await run_load(side.create, fresh, args.creates, 1, 4))
                        finally:
                            await fresh.aclose()
                    return ones, creates
                finally:
                    for client in clients.values():
                        await client.aclose()

            with asyncio.Runner(loop_factory=new_loop) as runner:
                ones, creates = runner.run(measure())
        finally:
            for proc in (*gateways, org):
                proc.terminate()
                proc.wait(timeout=10)

    direct = sides[0]
    d50 = percentile(direct.samples, 0.50)
    floors = [(side, one) for side, one in zip(sides, ones, strict=True) if isinstance(side, FloorSide)]
    print(
        f"search, {args.rounds} x {args.requests} requests per side, {args.concurrency} concurrent, "
        f"org latency {args.latency_ms:g} ms, load generator on "
        f"{'httpx2 default transport' if args.stock_client else 'aiohttp'}"
    )
    for side in sides:
        p50, p99 = percentile(side.samples, 0.50), percentile(side.samples, 0.99)
        spread = f"{min(side.round_p50):.2f}-{max(side.round_p50):.2f}"
        labels = {"direct": "direct to org", "mcp": "MCP /mcp", "mcp-cmp": "MCP /mcp, compared"}
        floor_labels = {"floor": "bare pass-through", "floor-httpx2": "bare, via httpx2"}
        label = floor_labels.get(side.name) or labels.get(side.name, f"through {side.name}")
        print(f"  {label:18} p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   (per-round p50 {spread} ms)")
    for side, one in zip(sides[1:], ones[1:], strict=True):
        g50 = percentile(side.samples, 0.50)
        where = f" ({args.compare_with})" if side.name in ("compared", "mcp-cmp") else ""
        goal = "3 ms" if isinstance(side, McpSide) else "2 ms"
        s50, t50 = percentile(ones[0], 0.50), percentile(one, 0.50)
        if isinstance(side, FloorSide):
            what = "the hop alone" if side.name == "floor" else "the hop through httpx2"
            print(f"  {side.name} ({what}, no gateway work): p50 overhead {g50 - d50:.2f} ms, ratio {g50 / d50:.3f}")
            print(f"    one in flight: {t50 - s50:+.2f} ms, ratio {t50 / s50:.3f}")
            continue
        print(
            f"  {side.name}{where}: p50 overhead {g50 - d50:.2f} ms (goal <= {goal}), ratio {g50 / d50:.3f} (<= 1.10)"
        )
        print(f"    one in flight: direct p50 {s50:.2f} ms, {side.name} p50 {t50:.2f} ms, ratio {t50 / s50:.3f}")
        for floor, floor_one in floors:
            f50, o50 = percentile(floor.samples, 0.50), percentile(floor_one, 0.50)
            print(f"    over {floor.name}: {g50 - f50:+.2f} ms; one in flight {t50 - o50:+.2f} ms")
    if not args.creates:
        print_cpu(sides)
        return 0
    c50 = percentile(creates[0], 0.50)
    print(f"create (Lead, no email, no conversation id), {args.creates} one in flight: direct p50 {c50:.2f} ms")
    webhook_sides = [side for side in sides[1:] if not isinstance(side, McpSide | FloorSide)]
    for side, samples in zip(webhook_sides, creates[1:], strict=True):
        g50 = percentile(samples, 0.50)
        print(f"  through {side.name}: p50 {g50:.2f} ms, {g50 - c50:.2f} ms over direct (check before create + guard)")
    print_cpu(sides)
    return 0


def print_cpu(sides: list[Side]) -> None:
    """CPU per call of every process, for each side."""
    for side in sides:
        rate = ", ".join(f"{name} {1e6 * seconds / side.calls:.0f}" for name, seconds in side.cpu.items())
        print(f"  CPU us per call, {side.name:8}: {rate}")
    by_name = {side.name: side for side in sides}
    for mcp, hook in (("mcp", "gateway"), ("mcp-cmp", "compared")):  # MCP's own share, same process, same run
        if mcp in by_name and hook in by_name:
            own = [1e6 * s.cpu[hook] / s.calls for s in (by_name[mcp], by_name[hook])]
            print(f"  MCP's own CPU per call ({mcp} - {hook}): {own[0] - own[1]:.0f} us")
    print(
        f"  ({os.cpu_count()} cores shared by org, gateway and load generator; gateway CPU per call "
        f"x calls/s = share of one core its event loop needs)"
    )


if __name__ == "__main__":
    raise SystemExit(main())
