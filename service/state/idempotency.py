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

Neither round trip is waited for on its own. Measured, a round trip to an idle loopback Redis costs
0.8-0.9 ms on the shared 2-core machine (the Redis process has to be woken; 0.2 ms in a hot loop),
so in sequence the two cost a create more than the 1 ms goal. So the duplicate check starts with the
enter and is kept when the enter says no lock was held lately (`fresh`, see `sections`), and the
leave is written behind the answer (`SharedRedis.behind`), before it is sent: the answer does not
depend on it, and a lost leave costs no guarantee (the locks time out, the pending marker stays, so
a repeat looks the record up before creating). This process's own later reads of those keys wait for it.

No Redis, no create: entering fails with `StoreUnavailable` (a speakable 503 with Retry-After), in
at most half of what the tool call's budget leaves (`deadline`), so a slow Redis answers the 503
within the budget, never a write without the locks.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from service.deadline import Deadline
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
        self._enter_script = shared.client.register_script(sections.ENTER)
        self._leave = shared.client.register_script(sections.LEAVE)
        self._note = shared.client.register_script(sections.NOTE)
        self._flight = SingleFlight()

    async def single_flight(self, key: str, work: Callable[[], Awaitable[T]]) -> T:
        """In this process, as `SingleFlight`: across replicas the duplicate locks serialise creates."""
        return await self._flight.run(key, work)

    async def get(self, key: str) -> dict[str, Any] | None:
        await self._shared.written([self._prefix + key])
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
        """`IdempotencyStore.create_section`: one script in, one script out (uncontended), the
        duplicate check overlapped with the way in and the way out written behind the answer."""
        fence = secrets.token_hex(16)
        answer_key, pending_key = self._prefix + (key or pending), self._prefix + pending
        names = lock_order(key, duplicate_keys)
        locks = [f"{self._prefix}lock:{name}" for name in names]
        seen = [f"{self._prefix}seen:{name}" for name in names]
        await self._shared.written([answer_key, pending_key, *locks], within=_share(deadline))  # our own leave first
        # The check is a task (it runs once this coroutine waits); the enter's command is written at once
        # (`SharedRedis` sends without redis-py's wait_for task), so Redis works while the check builds
        # its queries and the org answers them. Measured against the check's queries leaving first, this
        # order cost less (one A/B run of both on the busy 2-core machine).
        early = _start(check)
        try:
            kind, value, fresh = await self._enter(
                [answer_key, pending_key, *locks, *seen], fence, pending_ttl, deadline
            )
        except BaseException:
            _cancel(early)
            # a timed-out enter may still run once Redis catches up: release what it would take
            self._leave_behind(answer_key, pending_key, locks, fence)
            raise
        if kind == 1:
            _cancel(early)
            yield CreateSection(json.loads(value), pending=False)  # always a dict: written by a leave
            return
        if not fresh:  # a create that may duplicate this one held a lock lately: check again, inside
            _cancel(early)
            early = None
        section = CreateSection(None, pending=bool(value), check=check, early=early)
        try:
            yield section
        except BaseException:
            section.discard()
            self._leave_behind(answer_key, pending_key, locks, fence)
            raise
        section.discard()
        keys = [answer_key, pending_key, *self._ledger_keys(section), *locks]
        args = [fence, "1", *self._leave_args(section, key, answer_ttl)]
        # Behind the answer: it does not depend on this write, and a lost one costs no guarantee (the
        # locks expire, the pending marker stays, so a repeat looks the record up before creating).
        self._shared.behind("create_leave", lambda: self._leave(keys=keys, args=args), keys)

    async def _enter(
        self, keys: list[str], fence: str, pending_ttl: float, deadline: Deadline | None
    ) -> tuple[int, Any, bool]:
        """(1, cached answer, _) or (0, pending found, fresh): the enter script on `keys` (answer,
        pending, locks, seen markers), waiting while a lock is busy."""
        args: list[str | int] = [
            fence,
            self._lock_ms,
            _ms(pending_ttl),
            "1" if keys[0] != keys[1] else "0",  # without an idempotency key there is no answer to replay
            json.dumps({"pending": True, "fence": fence}),
            2 * self._lock_ms,
        ]
        pause = _FIRST_WAIT
        while True:
            reply = await self._shared.call(
                "create_enter", lambda: self._enter_script(keys=keys, args=args), within=_share(deadline)
            )
            if reply[0] != 2:
                return int(reply[0]), reply[1], len(reply) > 2 and reply[2] == 1
            await self._wait_for(_text(reply[1]), pause, deadline)
            pause = min(pause * 2, _MAX_WAIT)

    async def _wait_for(self, lock: str, most: float, deadline: Deadline | None) -> None:
        """Until the holder of `lock` leaves (its wake-up) or `most` seconds (a dead holder's lock
        expires without one; a wake-up taken by another waiter is made up for by the retry)."""
        wake = lock + ":wake"
        within = _share(deadline)
        most = min(most, within * 0.8) if within is not None else most
        await self._shared.call(
            "create_wait", lambda: self._shared.client.blpop([wake], timeout=max(most, 0.01)), within=within
        )

    async def note_records(self, note: RecordNote) -> None:
        """Merge `note` into its ledger entry: one script, one round trip."""
        args: list[str | int] = [
            note.object_name,
            "1" if note.created else "0",
            _ms(note.ttl),
            MAX_LEDGER_RECORDS,
            _ids(note),
        ]
        key = self._prefix + note.key
        await self._shared.written([key])  # after this process's own create noted it (order of first notes)
        await self._shared.call("ledger_note", lambda: self._note(keys=[key], args=args))

    def _ledger_keys(self, section: CreateSection[T]) -> list[str]:
        return [self._prefix + (section.note.key if section.note else "ledger:-")]

    @staticmethod
    def _leave_args(section: CreateSection[T], key: str | None, answer_ttl: float) -> list[str | int]:
        answer = json.dumps(section.answer, default=str) if key and section.answer is not None else ""
        note = section.note
        if note is None:
            return [answer, _ms(answer_ttl), "", "0", 1, MAX_LEDGER_RECORDS, "[]"]
        created = "1" if note.created else "0"
        return [answer, _ms(answer_ttl), note.object_name, created, _ms(note.ttl), MAX_LEDGER_RECORDS, _ids(note)]

    def _leave_behind(self, answer_key: str, pending_key: str, locks: list[str], fence: str) -> None:
        """After an error: release the locks only (the pending marker stays for reconciling); not
        waited for, and a lost release costs nothing (they time out by themselves)."""
        keys = [answer_key, pending_key, self._prefix + "ledger:-", *locks]
        self._shared.behind("create_leave", lambda: self._leave(keys=keys, args=[fence, "0"]), keys)

    def __repr__(self) -> str:
        return f"RedisIdempotencyStore(prefix={self._prefix!r})"


def _share(deadline: Deadline | None) -> float | None:
    """What one Redis call may take of the tool call's budget: half of what is left, so the org
    work after it still fits and a slow Redis answers the speakable 503, not a timeout."""
    return None if deadline is None else max(0.01, deadline.remaining() / 2)


def _start(check: Callable[[], Awaitable[T]] | None) -> asyncio.Future[T] | None:
    if check is None:
        return None
    task = asyncio.ensure_future(check())
    task.add_done_callback(lambda f: f.cancelled() or f.exception())  # retrieved even when discarded
    return task


def _cancel(early: asyncio.Future[Any] | None) -> None:
    if early is not None and not early.done():
        early.cancel()


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


def _ids(note: RecordNote) -> str:
    return json.dumps([rid for rid in note.record_ids if rid])
