"""The durable outbox: an accepted post-call event is stored before the webhook answers 200.

`Outbox` is the interface (a shared backend, e.g. Redis Streams, implements the same methods);
`SqliteOutbox` is the default: one file, WAL, `synchronous=FULL` so an entry survives a crash the
moment `add` returns. Entries are `pending` (to deliver, at `next_at`), `delivered` (with the Task
id) or `dead` (can never land as things stand: kept, listed, retried by hand).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

State = Literal["pending", "delivered", "dead"]


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One accepted event and how its delivery stands."""

    key: str
    payload: dict[str, Any]
    state: State
    attempts: int
    next_at: float
    last_error: str | None
    task_id: str | None
    received_at: float


class Outbox(Protocol):
    """Where accepted events wait until they land."""

    async def add(self, key: str, payload: dict[str, Any]) -> bool:
        """Store a new event; False when `key` is already there (a platform retry)."""
        ...

    async def get(self, key: str) -> OutboxEntry | None: ...

    async def due(self, now: float, limit: int = 20) -> Sequence[OutboxEntry]:
        """Pending entries whose next attempt is due, oldest first."""
        ...

    async def delivered(self, key: str, task_id: str | None) -> None: ...

    async def failed(self, key: str, error: str, next_at: float | None) -> None:
        """Record a failed attempt: retry at `next_at`, or keep it as dead when None."""
        ...

    async def entries(self, state: State | None = None) -> Sequence[OutboxEntry]: ...

    async def retry(self, key: str | None = None) -> int:
        """Make dead entries (all, or `key`) pending again; how many."""
        ...

    async def counts(self) -> dict[str, int]: ...

    def close(self) -> None: ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    key TEXT PRIMARY KEY, payload TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0, next_at REAL NOT NULL, last_error TEXT, task_id TEXT,
    received_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_at);
"""
_COLUMNS = "key, payload, state, attempts, next_at, last_error, task_id, received_at"


class SqliteOutbox:
    """The outbox in one SQLite file; calls run in a worker thread so the event loop never waits on disk."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    async def _run(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        def work() -> tuple[list[tuple[Any, ...]], int]:
            with self._lock:
                cursor = self._db.execute(sql, params)
                return cursor.fetchall(), cursor.rowcount

        rows, _ = await asyncio.to_thread(work)
        return rows

    async def _count(self, sql: str, params: Sequence[Any] = ()) -> int:
        def work() -> int:
            with self._lock:
                return self._db.execute(sql, params).rowcount

        return await asyncio.to_thread(work)

    async def add(self, key: str, payload: dict[str, Any]) -> bool:
        now = time.time()
        sql = "INSERT OR IGNORE INTO outbox (key, payload, next_at, received_at) VALUES (?, ?, ?, ?)"
        return await self._count(sql, (key, json.dumps(payload), now, now)) == 1

    async def get(self, key: str) -> OutboxEntry | None:
        rows = await self._run(f"SELECT {_COLUMNS} FROM outbox WHERE key = ?", (key,))
        return _entry(rows[0]) if rows else None

    async def due(self, now: float, limit: int = 20) -> Sequence[OutboxEntry]:
        sql = f"SELECT {_COLUMNS} FROM outbox WHERE state = 'pending' AND next_at <= ? ORDER BY next_at LIMIT ?"
        return [_entry(row) for row in await self._run(sql, (now, limit))]

    async def delivered(self, key: str, task_id: str | None) -> None:
        sql = (
            "UPDATE outbox SET state = 'delivered', task_id = ?, attempts = attempts + 1, last_error = NULL "
            "WHERE key = ?"
        )
        await self._run(sql, (task_id, key))

    async def failed(self, key: str, error: str, next_at: float | None) -> None:
        state = "dead" if next_at is None else "pending"
        sql = "UPDATE outbox SET state = ?, attempts = attempts + 1, last_error = ?, next_at = ? WHERE key = ?"
        await self._run(sql, (state, error[:500], next_at or time.time(), key))

    async def entries(self, state: State | None = None) -> Sequence[OutboxEntry]:
        where, params = ("WHERE state = ?", (state,)) if state else ("", ())
        rows = await self._run(f"SELECT {_COLUMNS} FROM outbox {where} ORDER BY received_at", params)
        return [_entry(row) for row in rows]

    async def retry(self, key: str | None = None) -> int:
        sql = "UPDATE outbox SET state = 'pending', next_at = ? WHERE state = 'dead'"
        params: tuple[Any, ...] = (time.time(),)
        if key is not None:
            sql, params = sql + " AND key = ?", (*params, key)
        return await self._count(sql, params)

    async def counts(self) -> dict[str, int]:
        rows = await self._run("SELECT state, COUNT(*) FROM outbox GROUP BY state")
        out = {"pending": 0, "delivered": 0, "dead": 0}
        out.update({str(state): int(n) for state, n in rows})
        return out


def _entry(row: tuple[Any, ...]) -> OutboxEntry:
    key, payload, state, attempts, next_at, error, task_id, received = row
    return OutboxEntry(key, json.loads(payload), state, int(attempts), float(next_at), error, task_id, float(received))
