"""Idempotency for creates: the first answer to a key is replayed to repeats for a while.

A create in flight leaves a *pending* marker (keyed by the idempotency key, or by the body hash when
the caller sent no key): a repeat that finds one looks the record up before creating, so a create
whose answer was lost (timeout, reset, the tool's budget spent) is never blindly repeated.

The key is the conversation id plus a hash of the normalised body (or an explicit
`Idempotency-Key`). A create takes every lock it needs at once in `create_section` (see `service.tools.sections`),
so concurrent identical creates make one record: the others wait and get the stored answer. The
in-process store is the default; `service.state.idempotency.RedisIdempotencyStore` implements the
same Protocol for several replicas (one Lua script to enter a section, one to leave it), and raises
`StoreUnavailable` when Redis is down.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any, Protocol, TypeVar

from service.deadline import Deadline
from service.tools.sections import CreateSection, RecordNote, lock_order, merge_records

T = TypeVar("T")


def body_hash(object_name: str, fields: Mapping[str, Any]) -> str:
    """A stable hash of an object name and its normalised fields."""
    canonical = json.dumps({"object": object_name.lower(), "fields": fields}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def idempotency_key(
    object_name: str, fields: Mapping[str, Any], conversation_id: str | None, explicit: str | None
) -> str | None:
    """The store key for a create, or None when the caller gave nothing to scope it."""
    if explicit:
        return f"key:{object_name.lower()}:{explicit.strip()}"
    if conversation_id:
        return f"conv:{conversation_id.strip()}:{body_hash(object_name, fields)}"
    return None


class IdempotencyStore(Protocol):
    """Where first answers are kept."""

    async def get(self, key: str) -> dict[str, Any] | None:
        """The value under `key`, or None (absent or expired)."""
        ...

    async def put(self, key: str, value: dict[str, Any], ttl: float) -> None:
        """Keep `value` under `key` for `ttl` seconds."""
        ...

    async def delete(self, key: str) -> None:
        """Forget `key`."""
        ...

    def lock(self, key: str) -> AbstractAsyncContextManager[None]:
        """An exclusive section for `key` (across every replica sharing the store)."""
        ...

    def create_section(
        self,
        key: str | None,
        duplicate_keys: Sequence[str],
        pending: str,
        *,
        pending_ttl: float,
        answer_ttl: float,
        deadline: Deadline | None = None,
        check: Callable[[], Awaitable[T]] | None = None,
    ) -> AbstractAsyncContextManager[CreateSection[T]]:
        """Enter a create: the cached answer to `key`, or every lock (all or none) plus the pending flag.

        Waits while another create holds any of the locks (the tool's deadline bounds it; a shared
        store also bounds each of its calls by what `deadline` leaves). `check` is the duplicate check,
        read inside through `CreateSection.checked`. On leaving after `CreateSection.finish`: the
        answer stored under `key`, `pending` deleted, the note merged, the locks released
        (compare-and-delete on Redis); after an error: the locks released only.
        """
        ...

    async def note_records(self, note: RecordNote) -> None:
        """Merge `note` into the ledger entry under `note.key` (atomically: one round trip on Redis)."""
        ...

    async def single_flight(self, key: str, work: Callable[[], Awaitable[T]]) -> T:
        """Run `work` once for all concurrent callers of `key` (see `SingleFlight`)."""
        ...


class SingleFlight:
    """Concurrent callers of one key share one run of `work` and its one answer (or error).

    In-process on purpose, also beside a shared store: across replicas the duplicate keys' locks
    serialise identical creates, and the second one finds the first's record before creating.
    """

    def __init__(self) -> None:
        self._flights: dict[str, asyncio.Future[Any]] = {}

    async def run(self, key: str, work: Callable[[], Awaitable[T]]) -> T:
        """Run `work` once for all concurrent callers of `key`."""
        running = self._flights.get(key)
        if running is not None:
            result: T = await asyncio.shield(running)
            return result
        flight: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        flight.add_done_callback(lambda f: f.cancelled() or f.exception())  # retrieved even with no waiter
        self._flights[key] = flight
        try:
            answer = await work()
        except asyncio.CancelledError:
            flight.cancel()
            raise
        except BaseException as exc:
            flight.set_exception(exc)
            raise
        else:
            flight.set_result(answer)
            return answer
        finally:
            del self._flights[key]


class InMemoryIdempotencyStore:
    """A per-process store with expiry and per-key locks."""

    def __init__(self, max_entries: int = 100_000) -> None:
        self._values: dict[str, tuple[float, dict[str, Any]]] = {}
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}
        self._flight = SingleFlight()
        self._max = max_entries

    async def single_flight(self, key: str, work: Callable[[], Awaitable[T]]) -> T:
        """Run `work` once for all concurrent callers of `key` in this process."""
        return await self._flight.run(key, work)

    async def get(self, key: str) -> dict[str, Any] | None:
        entry = self._values.get(key)
        if entry is None:
            return None
        if entry[0] <= time.monotonic():
            self._values.pop(key, None)
            return None
        return entry[1]

    async def put(self, key: str, value: dict[str, Any], ttl: float) -> None:
        if len(self._values) >= self._max:
            self._evict()
        self._values[key] = (time.monotonic() + ttl, value)

    async def delete(self, key: str) -> None:
        self._values.pop(key, None)

    @asynccontextmanager
    async def lock(self, key: str) -> AsyncIterator[None]:
        """Exclusive section for `key`; the lock is dropped when nobody holds or waits for it."""
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    @asynccontextmanager
    async def create_section(
        self,
        key: str | None,
        duplicate_keys: Sequence[str],
        pending: str,
        *,
        pending_ttl: float,
        answer_ttl: float,
        deadline: Deadline | None = None,
        check: Callable[[], Awaitable[T]] | None = None,
    ) -> AsyncIterator[CreateSection[T]]:
        """`IdempotencyStore.create_section` in this process (per-key `asyncio.Lock`s, in one order;
        nothing here is slow, so `deadline` is not needed, and `check` runs inside the section)."""
        cached = await self.get(key) if key else None
        if cached is not None:
            yield CreateSection(cached, pending=False)
            return
        async with AsyncExitStack() as held:
            for name in lock_order(key, duplicate_keys):
                await held.enter_async_context(self.lock(name))
            cached = await self.get(key) if key else None  # the holder we waited for may have answered
            if cached is not None:
                yield CreateSection(cached, pending=False)
                return
            found = await self.get(pending) is not None
            if not found:
                await self.put(pending, {"pending": True}, pending_ttl)
            section = CreateSection(None, pending=found, check=check)
            yield section
            if section.answer is not None:
                if key:
                    await self.put(key, section.answer, answer_ttl)
                await self.delete(pending)
                if section.note is not None:
                    await self.note_records(section.note)

    async def note_records(self, note: RecordNote) -> None:
        """Merge `note` into its ledger entry (no await in between: atomic on the event loop)."""
        entry = self._values.get(note.key)
        held = entry[1] if entry is not None and entry[0] > time.monotonic() else None
        await self.put(note.key, merge_records(held, note), note.ttl)

    def _evict(self) -> None:
        now = time.monotonic()
        for key in [k for k, (exp, _) in self._values.items() if exp <= now]:
            del self._values[key]
        while len(self._values) >= self._max:
            self._values.pop(next(iter(self._values)))
