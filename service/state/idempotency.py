"""`RedisIdempotencyStore`: first answers, pending markers and per-key locks shared by replicas.

Values are JSON under `SET … PX` (they expire on their own); `lock(key)` is `SET NX PX` with a
random fencing value, released by compare-and-delete (a Lua script), so a holder whose lock timed
out never releases the next holder's. Waiters poll with a short, growing pause: a lock is held for
one create (tens of milliseconds), and polling needs no second connection, unlike pub/sub. A
holder that dies (a killed replica) frees its keys when the lock times out: a little longer than
one tool call's budget, so a live holder never loses it.

No Redis, no create: every failure raises `StoreUnavailable` (a speakable 503 with Retry-After),
except releasing a lock, which times out by itself.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from service.errors import StoreUnavailable
from service.state.shared import PREFIX, SharedRedis
from service.state.token_store import _DEL_IF_FENCE
from service.tools.idempotency import SingleFlight

T = TypeVar("T")

_FIRST_PAUSE = 0.005
_MAX_PAUSE = 0.05


class RedisIdempotencyStore:
    """The `IdempotencyStore` of `service/tools/idempotency.py`, in Redis; `space` separates key sets."""

    def __init__(self, shared: SharedRedis, *, space: str = "idem", lock_timeout: float = 20.0) -> None:
        self._shared = shared
        self._prefix = f"{PREFIX}{space}:"
        self._lock_ms = int(lock_timeout * 1000)
        self._release = shared.client.register_script(_DEL_IF_FENCE)
        self._flight = SingleFlight()

    async def single_flight(self, key: str, work: Callable[[], Awaitable[T]]) -> T:
        """In this process, as `SingleFlight`: across replicas the duplicate locks serialise creates."""
        return await self._flight.run(key, work)

    async def get(self, key: str) -> dict[str, Any] | None:
        raw = await self._shared.call("idem_get", lambda: self._shared.client.get(self._prefix + key))
        if not raw:
            return None
        value = json.loads(raw)
        return value if isinstance(value, dict) else None

    async def put(self, key: str, value: dict[str, Any], ttl: float) -> None:
        data = json.dumps(value, default=str)
        px = max(1, int(ttl * 1000))
        await self._shared.call("idem_put", lambda: self._shared.client.set(self._prefix + key, data, px=px))

    async def delete(self, key: str) -> None:
        await self._shared.call("idem_delete", lambda: self._shared.client.delete(self._prefix + key))

    @asynccontextmanager
    async def lock(self, key: str) -> AsyncIterator[None]:
        """Held by one caller in the whole fleet at a time; waits (the tool's deadline bounds it)."""
        name = f"{self._prefix}lock:{key}"
        fence = secrets.token_hex(16)
        pause = _FIRST_PAUSE
        while not await self._shared.call(
            "lock", lambda: self._shared.client.set(name, fence, nx=True, px=self._lock_ms)
        ):
            # A retried SET NX whose first try got through (the answer lost with the connection) finds
            # our own fence: that is ours.
            if await self._shared.call("lock_owner", lambda: self._shared.client.get(name)) == fence.encode():
                break
            await asyncio.sleep(pause)
            pause = min(pause * 2, _MAX_PAUSE)
        try:
            yield
        finally:
            try:
                await self._shared.call("unlock", lambda: self._release(keys=[name], args=[fence]))
            except StoreUnavailable:
                pass  # it times out by itself

    def __repr__(self) -> str:
        return f"RedisIdempotencyStore(prefix={self._prefix!r})"
