"""`SharedRedis`: the one asyncio Redis client of a process, with round-trip and outage counters.

Every Redis call of the stores goes through `call(op, ...)`, so `/metrics` counts round trips and
failures per operation and `/readyz` knows whether the last call worked. Timeouts are short: a slow
or dead Redis must cost a create a clear "try again", not the whole tool budget, so a call may be
bounded tighter than `REDIS_TIMEOUT` (`within`: what the tool call's budget leaves it), and a timed
out command is never sent again (only a dropped connection is retried, once). The client
reconnects by itself, so a Redis that comes back is used again without a restart.

`behind(op, ...)` sends a write whose answer nobody waits for (a create leaving its section: the
caller's answer does not depend on it, see `service.state.idempotency`); `settle()` waits for
those writes, and `aclose()` does before closing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import TypeVar

import redis.asyncio as aioredis
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from service.errors import StoreUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")

PREFIX = "gw:"  # every key the gateway writes starts with this


class SharedRedis:
    """A Redis client plus the counters the ops endpoints read."""

    def __init__(self, url: str, *, timeout: float = 2.0) -> None:
        # One retry on a fresh connection after a dropped one (a restarted Redis); never after a timeout
        # (redis-py's Retry retries its TimeoutError by default: a slow Redis would cost two timeouts).
        # Every command the stores send is safe to send twice (see their modules).
        # No socket timeout in redis-py: `call` bounds every command itself (asyncio.timeout), and with
        # one redis-py sends through `asyncio.wait_for`, a task of its own that runs only after whatever
        # else is ready (a create's duplicate check), so the command would leave late.
        self.timeout = timeout
        self.client: aioredis.Redis = aioredis.Redis.from_url(
            url,
            socket_timeout=None,
            socket_connect_timeout=timeout,
            health_check_interval=0,
            retry=Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
            retry_on_error=[RedisConnectionError],
            retry_on_timeout=False,
            decode_responses=False,
        )
        self.round_trips: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()
        self.healthy = True
        self.last_failure: float | None = None
        self._behind: dict[asyncio.Task[None], tuple[str, ...]] = {}

    async def call(self, op: str, fn: Callable[[], Awaitable[T]], *, within: float | None = None) -> T:
        """Run one Redis round trip, in at most `within` seconds (default and most: `REDIS_TIMEOUT`);
        a Redis failure or timeout becomes `StoreUnavailable` (and is counted)."""
        self.round_trips[op] += 1
        return await self._send(op, fn, within)

    async def _send(self, op: str, fn: Callable[[], Awaitable[T]], within: float | None = None) -> T:
        try:
            # cancelled mid-command, redis-py drops the connection: no answer is left to misread
            async with asyncio.timeout(self.timeout if within is None else min(within, self.timeout)):
                result = await fn()
        except (RedisError, OSError) as exc:  # OSError includes asyncio's TimeoutError
            self.failures[op] += 1
            self.healthy = False
            self.last_failure = time.monotonic()
            raise StoreUnavailable(f"Redis did not answer ({type(exc).__name__})") from exc
        self.healthy = True
        return result

    def behind(self, op: str, fn: Callable[[], Awaitable[object]], keys: Iterable[str] = ()) -> None:
        """Send `fn` without waiting for its answer; a failure is counted and logged, nothing more
        (its writes must be ones that may be lost: see the callers). `keys`: what it writes, for `written`."""
        self.round_trips[op] += 1  # counted now: it is sent before the caller answers
        task = asyncio.create_task(self._quietly(op, fn))
        self._behind[task] = tuple(keys)
        task.add_done_callback(self._behind.pop)

    async def written(self, keys: Iterable[str], *, within: float | None = None) -> None:
        """Wait for the writes behind that touch any of `keys` (read-your-writes in this process), at most
        `within` seconds (default: `REDIS_TIMEOUT`): an order kept when Redis answers, never a hold-up."""
        wanted = set(keys)
        busy = [task for task, touched in self._behind.items() if wanted.intersection(touched)]
        if busy:
            await asyncio.wait(busy, timeout=self.timeout if within is None else within)

    async def settle(self, *, within: float | None = None) -> None:
        """Wait for every write behind sent so far (at most `within` seconds)."""
        if self._behind:
            await asyncio.wait(list(self._behind), timeout=within)

    async def _quietly(self, op: str, fn: Callable[[], Awaitable[object]]) -> None:
        try:
            await self._send(op, fn)
        except StoreUnavailable as exc:
            log.warning("Redis write %s not confirmed: %s", op, exc.message)
        except Exception:  # never lost unseen in a task nobody awaits
            log.exception("Redis write %s failed", op)

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
        await self.settle(within=self.timeout)
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
