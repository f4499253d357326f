"""Gateway overhead: the same search sent straight to the org and through the gateway.

    python -m benchmarks.gateway [--latency-ms 20] [--concurrency 32] [--requests 640]

Starts the embedded org (`org serve --latency-ms N`) and the gateway (`serve`, pointed at that org)
as separate processes on loopback, then sends `--requests` searches with `--concurrency` in flight,
first directly to the org's query endpoint (with a bearer token), then to the gateway's
salesforce_search_records. Prints p50 / p99 of both, the p50 overhead in ms and the p50 ratio
(goal: overhead ≤ 2 ms, ratio ≤ 1.10).
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

import httpx2

QUERY = "SELECT Id, Name, Email, Phone, Title, Account.Name FROM Contact WHERE Email = 'customer@example.com' LIMIT 10"


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


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
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


async def run_load(call: Callable[[httpx2.AsyncClient], Awaitable[int]], url: str, headers: dict[str, str],
                   requests: int, concurrency: int, warmup: int) -> list[float]:
    limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx2.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=30.0) as client:
        for _ in range(warmup):
            await call(client)
        samples: list[float] = []
        queue = iter(range(requests))

        async def worker() -> None:
            for _ in queue:
                started = time.perf_counter()
                status = await call(client)
                samples.append((time.perf_counter() - started) * 1000)
                if status != 200:
                    raise RuntimeError(f"HTTP {status}")

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.gateway", description=__doc__.split("\n")[0])
    parser.add_argument("--latency-ms", type=float, default=20.0, help="org response delay (default 20)")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight (default 32)")
    parser.add_argument("--requests", type=int, default=640, help="measured requests per side (default 640)")
    parser.add_argument("--warmup", type=int, default=32, help="unmeasured requests per side first")
    parser.add_argument("--serve-org", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_org is not None:
        return serve_org(args.serve_org, args.latency_ms)

    org_port, gw_port = free_port(), free_port()
    secret = secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory(prefix="bench-gateway-") as tmp:
        base_env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("SF_", "WEBHOOK_", "ORG_", "GATEWAY_"))}
        base_env["ORG_DATA_DIR"] = str(Path(tmp) / "org")
        org_url = f"http://127.0.0.1:{org_port}"
        gw_url = f"http://127.0.0.1:{gw_port}"
        org = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.gateway", "--serve-org", str(org_port),
             "--latency-ms", str(args.latency_ms)],
            env=base_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        gateway = None
        try:
            wait_http(f"{org_url}/services/oauth2/token")
            gw_env = {**base_env, "SF_DOMAIN": org_url, "SF_CLIENT_ID": "embedded-org-client",
                      "SF_CLIENT_SECRET": "embedded-org-secret", "WEBHOOK_SECRET": secret, "LOG_LEVEL": "WARNING"}
            gateway = subprocess.Popen(
                [sys.executable, "-m", "service", "serve", "--port", str(gw_port)],
                env=gw_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            wait_http(f"{gw_url}/healthz")
            token = httpx2.post(f"{org_url}/services/oauth2/token", data={
                "grant_type": "client_credentials", "client_id": "embedded-org-client",
                "client_secret": "embedded-org-secret"}).json()["access_token"]

            async def direct(client: httpx2.AsyncClient) -> int:
                r = await client.get("/services/data/v58.0/query", params={"q": QUERY})
                return r.status_code

            async def through(client: httpx2.AsyncClient) -> int:
                r = await client.get("/tools/salesforce_search_records", params={"q": QUERY})
                return r.status_code

            cpu_before = {name: cpu_seconds(p.pid) for name, p in (("org", org), ("gateway", gateway))}
            direct_ms = asyncio.run(run_load(direct, org_url, {"Authorization": f"Bearer {token}"},
                                             args.requests, args.concurrency, args.warmup))
            cpu_mid = {name: cpu_seconds(p.pid) for name, p in (("org", org), ("gateway", gateway))}
            gateway_ms = asyncio.run(run_load(through, gw_url, {"X-Webhook-Secret": secret},
                                              args.requests, args.concurrency, args.warmup))
            cpu_after = {name: cpu_seconds(p.pid) for name, p in (("org", org), ("gateway", gateway))}
            single = args.requests // 4
            direct_1 = asyncio.run(run_load(direct, org_url, {"Authorization": f"Bearer {token}"}, single, 1, 8))
            gateway_1 = asyncio.run(run_load(through, gw_url, {"X-Webhook-Secret": secret}, single, 1, 8))
        finally:
            for proc in (gateway, org):
                if proc is not None:
                    proc.terminate()
                    proc.wait(timeout=10)

    d50, d99 = percentile(direct_ms, 0.50), percentile(direct_ms, 0.99)
    g50, g99 = percentile(gateway_ms, 0.50), percentile(gateway_ms, 0.99)
    print(f"search, {args.requests} requests, {args.concurrency} concurrent, org latency {args.latency_ms:g} ms")
    print(f"  direct to org   p50 {d50:7.2f} ms   p99 {d99:7.2f} ms")
    print(f"  through gateway p50 {g50:7.2f} ms   p99 {g99:7.2f} ms")
    print(f"  p50 overhead    {g50 - d50:7.2f} ms   (goal ≤ 2 ms)")
    print(f"  p50 ratio       {g50 / d50:7.3f}      (goal ≤ 1.10)")
    s50, t50 = percentile(direct_1, 0.50), percentile(gateway_1, 0.50)
    print(f"  one in flight:  direct p50 {s50:.2f} ms, through gateway p50 {t50:.2f} ms, "
          f"overhead {t50 - s50:.2f} ms, ratio {t50 / s50:.3f}")
    n = args.requests + args.warmup
    print(f"  CPU per request: org {1000 * (cpu_mid['org'] - cpu_before['org']) / n:.2f} ms direct, "
          f"{1000 * (cpu_after['org'] - cpu_mid['org']) / n:.2f} ms via gateway; "
          f"gateway {1000 * (cpu_after['gateway'] - cpu_mid['gateway']) / n:.2f} ms "
          f"({os.cpu_count()} cores shared by org, gateway and this load generator)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
