"""The per-conversation ledger: which records the tools created, or found and read, in a call.

It lives in the same store as the idempotency keys (`IdempotencyStore`: in-process by default, the
shared backend when replicas share one), under `ledger:<conversation id>`, for the idempotency TTL.
When it is gone (a restart of the in-process store), delivery looks the conversation id up in the
field the gateway writes it to instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from service.tools.idempotency import IdempotencyStore

_MAX_RECORDS = 50


class CallLedger(Protocol):
    """Records touched per conversation."""

    async def note(self, conversation_id: str, object_name: str, record_ids: Iterable[str], *, created: bool) -> None:
        """Remember `record_ids` of `object_name` for the conversation."""
        ...

    async def records(self, conversation_id: str) -> Sequence[tuple[str, str, bool]]:
        """(object, id, created) in the order they were first noted."""
        ...


class StoreLedger:
    """`CallLedger` on an `IdempotencyStore` (read-modify-write under the store's per-key lock)."""

    def __init__(self, store: IdempotencyStore, ttl: float) -> None:
        self._store = store
        self._ttl = ttl

    async def note(self, conversation_id: str, object_name: str, record_ids: Iterable[str], *, created: bool) -> None:
        ids = [rid for rid in record_ids if rid]
        if not ids:
            return
        key = _key(conversation_id)
        async with self._store.lock(key):
            held = await self._store.get(key) or {"records": []}
            rows: list[list[object]] = list(held.get("records") or [])
            known = {str(row[1])[:15]: row for row in rows}
            for rid in ids:
                row = known.get(rid[:15])
                if row is None:
                    row = [object_name, rid, created]
                    rows.append(row)
                    known[rid[:15]] = row
                elif created:
                    row[2] = True
            await self._store.put(key, {"records": rows[-_MAX_RECORDS:]}, self._ttl)

    async def records(self, conversation_id: str) -> Sequence[tuple[str, str, bool]]:
        held = await self._store.get(_key(conversation_id)) or {}
        return [(str(o), str(i), bool(c)) for o, i, c in held.get("records") or []]


def _key(conversation_id: str) -> str:
    return f"ledger:{conversation_id.strip()}"
