"""Per-call latency with the cached token vs a per-call-login client, on the embedded org.

    python -m benchmarks.token [--latency-ms 20] [--calls 200] [--call query|limits] [--transport tcp|asgi]

"cached": one `TokenManager` + `SalesforceClient`, token fetched once, connections reused.
"per-call login": what several popular tools do — a new client and a fresh token request before
every call (`Salesforce(consumer_key=..., consumer_secret=..., domain=...)` per tool call).
"refetch only": the same pooled client, but a fresh token before every call (isolates the token
round trip from connection setup). Prints the p50 / p95 of each and the ratio (goal ≥ 2×).
`--transport asgi` serves the org in-process (httpx2 ASGITransport) instead of uvicorn on loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx2

from service.deadline import Deadline
from service.org.server import start_org
from service.salesforce import SalesforceClient, TokenManager
from service.settings import Settings

QUERY = "SELECT Id, Name FROM Account ORDER BY Name LIMIT 5"


def settings_for(url: str, client_id: str, client_secret: str) -> Settings:
    return Settings(_env_file=None, sf_domain=url, sf_client_id=client_id, sf_client_secret=client_secret)


async def one_call(client: SalesforceClient, kind: str) -> None:
    deadline = Deadline.after(30)
    if kind == "query":
        await client.query(QUERY, deadline=deadline)
    else:
        await client.limits(deadline=deadline)


async def timed(n: int, call: Callable[[], Awaitable[None]]) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


async def run(
    settings: Settings, calls: int, kind: str, transport: httpx2.AsyncBaseTransport | None = None
) -> dict[str, list[float]]:
    tokens = TokenManager(settings, transport=transport)
    client = SalesforceClient(tokens, settings, transport=transport)
    await tokens.start()
    await one_call(client, kind)  # warm the pool

    async def cached() -> None:
        await one_call(client, kind)

    async def refetch() -> None:
        await tokens.invalidate(await tokens.access_token())
        await one_call(client, kind)

    async def per_call_login() -> None:
        fresh_tokens = TokenManager(settings, transport=transport)
        fresh = SalesforceClient(fresh_tokens, settings, transport=transport)
        try:
            await one_call(fresh, kind)
        finally:
            await fresh.aclose()
            await fresh_tokens.aclose()

    results = {
        "cached token": await timed(calls, cached),
        "per-call login": await timed(calls, per_call_login),
        "refetch only": await timed(calls, refetch),
    }
    await client.aclose()
    await tokens.aclose()
    return results


async def in_process(data_dir: Path, args: argparse.Namespace) -> tuple[dict[str, list[float]], int]:
    """The org's ASGI app in this process (no sockets): only the org's work and its latency count."""
    from asgi_lifespan import LifespanManager

    from service.org.app import create_app
    from service.org.state import OrgConfig

    config = OrgConfig(data_dir=data_dir, latency_ms=args.latency_ms)
    app = create_app(config)
    async with LifespanManager(app) as manager:
        transport = httpx2.ASGITransport(app=manager.app)
        settings = settings_for("http://127.0.0.1", config.client_id, config.client_secret)
        results = await run(settings, args.calls, args.call, transport)
        return results, int(app.state.org.snapshot()["token_requests"])


def pct(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100)[int(q) - 1] if len(samples) > 1 else samples[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.token", description=__doc__.split("\n")[0])
    parser.add_argument("--latency-ms", type=float, default=20.0, help="embedded org latency per request")
    parser.add_argument("--calls", type=int, default=200, help="calls per mode")
    parser.add_argument("--call", choices=["query", "limits"], default="query", help="the API call timed")
    parser.add_argument("--transport", choices=["tcp", "asgi"], default="tcp", help="uvicorn on loopback or in-process")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as data_dir:
        if args.transport == "asgi":
            results, token_requests = asyncio.run(in_process(Path(data_dir), args))
        else:
            with start_org(data_dir=Path(data_dir), latency_ms=args.latency_ms) as org:
                before = org.stats()["token_requests"]
                settings = settings_for(org.url, org.client_id, org.client_secret)
                results = asyncio.run(run(settings, args.calls, args.call))
                token_requests = org.stats()["token_requests"] - before
    print(
        f"embedded org ({args.transport}), latency {args.latency_ms:g} ms per request, "
        f"{args.calls} sequential {args.call} calls per mode"
    )
    for name, samples in results.items():
        print(f"  {name:15s} p50 {statistics.median(samples):7.2f} ms   p95 {pct(samples, 95):7.2f} ms")
    cached = statistics.median(results["cached token"])
    login = statistics.median(results["per-call login"])
    refetch = statistics.median(results["refetch only"])
    print(f"  ratio per-call login / cached p50: {login / cached:.2f}x")
    print(f"  ratio refetch only / cached p50:   {refetch / cached:.2f}x")
    print(f"  token requests made: {token_requests} (cached mode: 1, the others: one per call)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
