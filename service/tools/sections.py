"""What a create's one section in the idempotency store takes and leaves, and the ledger's merge.

A create enters one *section* of the store (`IdempotencyStore.create_section`): every lock it needs
(the idempotency key and the sorted duplicate keys) taken at once, all or none, with the cached
answer and whether an earlier attempt left a pending marker, and the pending marker set. It leaves
with one write: the answer stored, the pending marker dropped, the conversation's ledger noted and
every lock released. On Redis each is one Lua script, one round trip (`service.state.sections`).
The section also runs the create's duplicate check (`checked`): a store may start it while entering
and keep its result when no lock it takes was held lately (Redis does: the round trip is then hidden
behind the org's), or run it inside the section.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")

MAX_LEDGER_RECORDS = 50  # records kept per conversation (the newest)


@dataclass(frozen=True, slots=True)
class RecordNote:
    """Records of one object a conversation touched, to merge into its ledger entry under `key`."""

    key: str
    object_name: str
    record_ids: tuple[str, ...]
    created: bool
    ttl: float


@dataclass(slots=True)
class CreateSection(Generic[T]):
    """Inside a create section: what the store held on entry, and what to write on leaving.

    `cached` is the first answer to the idempotency key (the section then holds no lock: replay
    it); `pending` says an earlier attempt's outcome is unknown (reconcile before creating).
    `check` is the create's duplicate check; `early` its run started while entering, when valid.
    """

    cached: dict[str, Any] | None
    pending: bool
    answer: dict[str, Any] | None = None
    note: RecordNote | None = field(default=None)
    check: Callable[[], Awaitable[T]] | None = None
    early: asyncio.Future[T] | None = None

    async def checked(self) -> T:
        """The duplicate check's result, as of inside the section (the early run when it holds)."""
        early, self.early = self.early, None
        if early is not None:
            return await early
        if self.check is None:
            raise RuntimeError("this create section was entered without a duplicate check")
        return await self.check()

    def discard(self) -> None:
        """Stop an early check nobody will read (a cached answer, an error inside)."""
        early, self.early = self.early, None
        if early is not None and not early.done():
            early.cancel()

    def finish(self, answer: dict[str, Any], note: RecordNote | None) -> None:
        """Leave with `answer` known: store it, drop the pending marker, note the ledger.

        Without `finish` (an error inside) only the locks are released: the pending marker stays,
        so the next attempt reconciles before creating.
        """
        self.answer, self.note = answer, note


def merge_records(held: dict[str, Any] | None, note: RecordNote) -> dict[str, Any]:
    """The ledger entry `held` with `note` merged: ids matched on 15 characters, `created` sticks,
    the newest `MAX_LEDGER_RECORDS` kept (the Redis script does the same in Lua)."""
    rows: list[list[object]] = [list(row) for row in (held or {}).get("records") or []]
    known = {str(row[1])[:15]: row for row in rows}
    for rid in note.record_ids:
        row = known.get(rid[:15])
        if row is None:
            row = [note.object_name, rid, note.created]
            rows.append(row)
            known[rid[:15]] = row
        elif note.created:
            row[2] = True
    return {"records": rows[-MAX_LEDGER_RECORDS:]}


def lock_order(key: str | None, duplicate_keys: Sequence[str]) -> list[str]:
    """The locks of a create in the one order every create uses: its key, then the sorted duplicates."""
    return ([key] if key else []) + sorted(set(duplicate_keys))
