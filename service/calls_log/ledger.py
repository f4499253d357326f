"""The per-conversation ledger: which records the tools created, or found and read, in a call.

It lives in the same store as the idempotency keys (`IdempotencyStore`: in-process by default, the
shared backend when replicas share one), under `ledger:<conversation id>`, for the idempotency TTL.
When it is gone (a restart of the in-process store), delivery looks the conversation id up in the
field the gateway writes it to instead. A note is one atomic merge in the store (one round trip
on Redis); a create's note rides on the write that leaves its create section (`entry`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from service.tools.idempotency import IdempotencyStore
from service.tools.sections import RecordNote


class CallLedger(Protocol):
    """Records touched per conversation."""

    async def note(self, conversation_id: str, object_name: str, record_ids: Iterable[str], *, created: bool) -> None:
        """Remember `record_ids` of `object_name` for the conversation."""
        ...

    async def records(self, conversation_id: str) -> Sequence[tuple[str, str, bool]]:
        """(object, id, created) in the order they were first noted."""
        ...

    def entry(
        self, conversation_id: str, object_name: str, record_ids: Iterable[str], *, created: bool
    ) -> RecordNote | None:
        """The same note as `note`, for the idempotency store to merge as a create leaves its section
        (None: nothing to note)."""
        ...


class StoreLedger:
    """`CallLedger` on an `IdempotencyStore`: each note is the store's atomic `note_records` merge."""

    def __init__(self, store: IdempotencyStore, ttl: float) -> None:
        self._store = store
        self._ttl = ttl

    def entry(
        self, conversation_id: str, object_name: str, record_ids: Iterable[str], *, created: bool
    ) -> RecordNote | None:
        ids = tuple(rid for rid in record_ids if rid)
        if not ids:
            return None
        return RecordNote(_key(conversation_id), object_name, ids, created, self._ttl)

    async def note(self, conversation_id: str, object_name: str, record_ids: Iterable[str], *, created: bool) -> None:
        entry = self.entry(conversation_id, object_name, record_ids, created=created)
        if entry is not None:
            await self._store.note_records(entry)

    async def records(self, conversation_id: str) -> Sequence[tuple[str, str, bool]]:
        held = await self._store.get(_key(conversation_id)) or {}
        return [(str(o), str(i), bool(c)) for o, i, c in held.get("records") or []]


def _key(conversation_id: str) -> str:
    return f"ledger:{conversation_id.strip()}"
