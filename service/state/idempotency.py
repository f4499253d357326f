"""`RedisIdempotencyStore`: first answers, pending markers and per-key locks shared by replicas.

Values are JSON under `SET … PX` (they expire on their own). A create costs two round trips: one
script enters its section (the cached answer, or every lock at once with a random fence, plus the
pending marker) and one leaves it (answer, pending marker, ledger note, compare-and-delete of the
locks): see `service.state.sections`. A holder whose lock timed out never releases the next
holder's. A waiter blocks on the lock's wake-up list (`BLPOP`, pushed by the leaving holder), so
it takes the lock about one round trip after its release instead of after a polling pause; the
block is short (50 ms, growing to 400) so a dead holder's expired lock is seen soon. Blocking holds
one pooled connection per waiter, only while creates of the same person contend. (`lock`, a plain
lock of one key, still polls: nothing on the hot path uses it.)
A holder that dies (a killed replica) frees its keys when the locks time out: a little longer than
one tool call's budget, so a live holder never loses them.

No Redis, no create: every failure raises `StoreUnavailable` (a speakable 503 with Retry-After),
except releasing a lock, which times out by itself.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from service.errors import StoreUnavailable
from service.state import sections
from service.state.shared import PREFIX, SharedRedis
from service.state.token_store import _DEL_IF_FENCE
from service.tools.idempotency import SingleFlight
from service.tools.sections import MAX_LEDGER_RECORDS, CreateSection, RecordNote, lock_order

T = TypeVar("T")

_FIRST_PAUSE = 0.001  # `lock` polls: first after 1 ms, growing to 25 ms
_MAX_PAUSE = 0.025
_FIRST_WAIT = 0.05  # a waiter blocks this long for a wake-up before it looks again, then longer
_MAX_WAIT = 0.4


class RedisIdempotencyStore:
    """The `IdempotencyStore` of `service/tools/idempotency.py`, in Redis; `space` separates key sets."""

    def __init__(self, shared: SharedRedis, *, space: str = "idem", lock_timeout: float = 20.0) -> None:
        self._shared = shared
        self._prefix = f"{PREFIX}{space}:"
        self._lock_ms = int(lock_timeout * 1000)
        self._release = shared.client.register_script(_DEL_IF_FENCE)
        self._enter = shared.client.register_script(sections.ENTER)
        self._leave = shared.client.register_script(sections.LEAVE)
        self._note = shared.client.register_script(sections.NOTE)
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

    @asynccontextmanager
    async def create_section(
        self, key: str | None, duplicate_keys: Sequence[str], pending: str, *, pending_ttl: float, answer_ttl: float
    ) -> AsyncIterator[CreateSection]:
        """`IdempotencyStore.create_section`: one script in, one script out (uncontended)."""
        fence = secrets.token_hex(16)
        answer_key, pending_key = self._prefix + (key or pending), self._prefix + pending
        locks = [f"{self._prefix}lock:{name}" for name in lock_order(key, duplicate_keys)]
        args: list[str | int] = [
            fence,
            self._lock_ms,
            _ms(pending_ttl),
            "1" if key else "0",
            json.dumps({"pending": True, "fence": fence}),
        ]
        pause = _FIRST_WAIT
        while True:
            kind, value = await self._shared.call(
                "create_enter", lambda: self._enter(keys=[answer_key, pending_key, *locks], args=args)
            )
            if kind == 1:
                yield CreateSection(json.loads(value), pending=False)  # always a dict: written by a leave
                return
            if kind == 0:
                break
            await self._wait_for(value.decode() if isinstance(value, bytes) else str(value), pause)
            pause = min(pause * 2, _MAX_WAIT)
        section = CreateSection(None, pending=bool(value))
        try:
            yield section
        except BaseException:
            await self._leave_quietly(answer_key, pending_key, locks, fence)
            raise
        await self._shared.call(
            "create_leave",
            lambda: self._leave(
                keys=[answer_key, pending_key, *self._ledger_keys(section), *locks],
                args=[fence, "1", *self._leave_args(section, key, answer_ttl)],
            ),
        )

    async def _wait_for(self, lock: str, most: float) -> None:
        """Until the holder of `lock` leaves (its wake-up) or `most` seconds (a dead holder's lock
        expires without one; a wake-up taken by another waiter is made up for by the retry)."""
        wake = lock + ":wake"
        await self._shared.call("create_wait", lambda: self._shared.client.blpop([wake], timeout=most))

    async def note_records(self, note: RecordNote) -> None:
        """Merge `note` into its ledger entry: one script, one round trip."""
        args: list[str | int] = [
            note.object_name,
            "1" if note.created else "0",
            _ms(note.ttl),
            MAX_LEDGER_RECORDS,
            _ids(note),
        ]
        await self._shared.call("ledger_note", lambda: self._note(keys=[self._prefix + note.key], args=args))

    def _ledger_keys(self, section: CreateSection) -> list[str]:
        return [self._prefix + (section.note.key if section.note else "ledger:-")]

    @staticmethod
    def _leave_args(section: CreateSection, key: str | None, answer_ttl: float) -> list[str | int]:
        answer = json.dumps(section.answer, default=str) if key and section.answer is not None else ""
        note = section.note
        if note is None:
            return [answer, _ms(answer_ttl), "", "0", 1, MAX_LEDGER_RECORDS, "[]"]
        created = "1" if note.created else "0"
        return [answer, _ms(answer_ttl), note.object_name, created, _ms(note.ttl), MAX_LEDGER_RECORDS, _ids(note)]

    async def _leave_quietly(self, answer_key: str, pending_key: str, locks: list[str], fence: str) -> None:
        """After an error inside: release the locks only (the pending marker stays for reconciling)."""
        keys = [answer_key, pending_key, self._prefix + "ledger:-", *locks]
        try:
            await self._shared.call("create_leave", lambda: self._leave(keys=keys, args=[fence, "0"]))
        except StoreUnavailable:
            pass  # they time out by themselves

    def __repr__(self) -> str:
        return f"RedisIdempotencyStore(prefix={self._prefix!r})"


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


def _ids(note: RecordNote) -> str:
    return json.dumps([rid for rid in note.record_ids if rid])
