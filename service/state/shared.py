"""`SharedRedis`: the one asyncio Redis client of a process, with round-trip and outage counters.

Every Redis call of the stores goes through `call(op, ...)`, so `/metrics` counts round trips and
failures per operation and `/readyz` knows whether the last call worked. Timeouts are short: a slow
or dead Redis must cost a create a clear "try again", not the whole tool budget. The client
reconnects by itself, so a Redis that comes back is used again without a restart.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

import redis.asyncio as aioredis
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from service.errors import StoreUnavailable

T = TypeVar("T")

PREFIX = "gw:"  # every key the gateway writes starts with this


class SharedRedis:
    """A Redis client plus the counters the ops endpoints read."""

    def __init__(self, url: str, *, timeout: float = 2.0) -> None:
        # One retry on a fresh connection after a dropped one (a restarted Redis); never after a timeout.
        # Every command the stores send is safe to send twice (see their modules).
        self.client: aioredis.Redis = aioredis.Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            health_check_interval=0,
            retry=Retry(NoBackoff(), 1),
            retry_on_error=[RedisConnectionError],
            retry_on_timeout=False,
            decode_responses=False,
        )
        self.round_trips: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()
        self.healthy = True
        self.last_failure: float | None = None

    async def call(self, op: str, fn: Callable[[], Awaitable[T]]) -> T:
        """Run one Redis round trip; a Redis failure becomes `StoreUnavailable` (and is counted)."""
        self.round_trips[op] += 1
        try:
            result = await fn()
        except (RedisError, OSError) as exc:
            self.failures[op] += 1
            self.healthy = False
            self.last_failure = time.monotonic()
            raise StoreUnavailable(f"Redis did not answer ({type(exc).__name__})") from exc
        self.healthy = True
        return result

    async def ping(self) -> bool:
        """True when Redis answers now (for /readyz)."""
        try:
            return bool(await self.call("ping", self.client.ping))
        except StoreUnavailable:
            return False

    def total_round_trips(self) -> int:
        """Round trips so far, every operation together (benchmarks take differences)."""
        return sum(v for k, v in self.round_trips.items() if k != "ping")

    async def aclose(self) -> None:
        await self.client.aclose()

    def __repr__(self) -> str:  # the URL may carry a password: never shown
        return f"SharedRedis(healthy={self.healthy})"


class RedisCollector(Collector):
    """Prometheus view of a `SharedRedis`: round trips, failures, and whether it answers."""

    def __init__(self, shared: SharedRedis) -> None:
        self._shared = shared

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        trips = CounterMetricFamily("gateway_redis_round_trips", "Redis commands sent, by operation", labels=["op"])
        for op, count in sorted(self._shared.round_trips.items()):
            trips.add_metric([op], float(count))
        yield trips
        failures = CounterMetricFamily(
            "gateway_redis_failures", "Redis commands that failed (Redis down or slow), by operation", labels=["op"]
        )
        for op, count in sorted(self._shared.failures.items()):
            failures.add_metric([op], float(count))
        yield failures
        up = GaugeMetricFamily("gateway_redis_up", "1 when the last Redis command worked (0: degraded)")
        up.add_metric([], 1.0 if self._shared.healthy else 0.0)
        yield up
