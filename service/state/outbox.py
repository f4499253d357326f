"""`RedisOutbox`: the post-call outbox on a Redis Stream with one consumer group for the fleet.

* `add` is one Lua script: the entry's hash is written only if the key is new (a platform retry
  adds nothing), and its key is appended to the stream in the same step.
* `due` reads new stream entries for this replica (`XREADGROUP … >`): the group hands each entry
  to exactly one consumer. It first claims entries another consumer has held for longer than
  `claim_idle` (`XAUTOCLAIM`): a replica that crashed mid-delivery leaves them pending, and
  `claim_idle` is longer than one delivery attempt's budget, so a live replica's are never taken.
* A failed attempt acknowledges the stream entry and schedules the key in a sorted set by its next
  attempt time; `due` moves what is due back into the stream (one script, so exactly once). A
  delivered or dead entry is acknowledged; its hash keeps the outcome, with the counts alongside.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import time
from collections.abc import Sequence
from functools import partial
from typing import Any

from redis.exceptions import ResponseError

from service.calls_log.outbox import OutboxEntry, State
from service.errors import StoreUnavailable
from service.state.shared import PREFIX, SharedRedis

_ADD = """
if redis.call('exists', KEYS[1]) == 1 then return 0 end
redis.call('hset', KEYS[1], 'payload', ARGV[2], 'state', 'pending', 'attempts', 0, 'next_at', ARGV[3],
  'received_at', ARGV[3])
redis.call('xadd', KEYS[2], '*', 'key', ARGV[1])
redis.call('hincrby', KEYS[3], 'pending', 1)
return 1
"""
# KEYS: delayed zset, stream; ARGV: now, limit
_PROMOTE = """
local keys = redis.call('zrangebyscore', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, key in ipairs(keys) do
  redis.call('zrem', KEYS[1], key)
  redis.call('xadd', KEYS[2], '*', 'key', key)
end
return #keys
"""
# KEYS: entry hash, counts, stream, delayed; ARGV: group, stream id, new state, error, task id, next_at, key
_SETTLE = """
redis.call('xack', KEYS[3], ARGV[1], ARGV[2])
if redis.call('hget', KEYS[1], 'state') ~= 'pending' then return 0 end
redis.call('hincrby', KEYS[1], 'attempts', 1)
redis.call('hset', KEYS[1], 'state', ARGV[3], 'last_error', ARGV[4], 'task_id', ARGV[5], 'next_at', ARGV[6])
if ARGV[3] == 'pending' then
  redis.call('zadd', KEYS[4], ARGV[6], ARGV[7])
else
  redis.call('hincrby', KEYS[2], 'pending', -1)
  redis.call('hincrby', KEYS[2], ARGV[3], 1)
end
return 1
"""
_REVIVE = """
if redis.call('hget', KEYS[1], 'state') ~= 'dead' then return 0 end
redis.call('hset', KEYS[1], 'state', 'pending', 'next_at', ARGV[2])
redis.call('xadd', KEYS[2], '*', 'key', ARGV[1])
redis.call('hincrby', KEYS[3], 'dead', -1)
redis.call('hincrby', KEYS[3], 'pending', 1)
return 1
"""
_GROUP = "delivery"


class RedisOutbox:
    """The `Outbox` of `service/calls_log/outbox.py` for many replicas; `claim_idle` in seconds."""

    def __init__(self, shared: SharedRedis, *, claim_idle: float = 60.0, consumer: str | None = None) -> None:
        self._shared = shared
        self._client = shared.client
        self._stream = f"{PREFIX}outbox:stream"
        self._delayed = f"{PREFIX}outbox:delayed"
        self._counts = f"{PREFIX}outbox:counts"
        self._claim_ms = int(claim_idle * 1000)
        self.consumer = consumer or f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
        self._ids: dict[str, str] = {}  # key -> the stream id this replica holds it under
        self._group_ready = False
        self._add = self._client.register_script(_ADD)
        self._promote = self._client.register_script(_PROMOTE)
        self._settle_script = self._client.register_script(_SETTLE)
        self._revive = self._client.register_script(_REVIVE)

    def _entry_key(self, key: str) -> str:
        return f"{PREFIX}outbox:e:{key}"

    async def _group(self) -> None:
        if self._group_ready:
            return
        try:
            await self._shared.call(
                "outbox_group", lambda: self._client.xgroup_create(self._stream, _GROUP, id="0", mkstream=True)
            )
        except Exception as exc:  # BUSYGROUP: another replica made it first
            if not isinstance(exc.__cause__, ResponseError) or "BUSYGROUP" not in str(exc.__cause__):
                raise
        self._group_ready = True

    async def add(self, key: str, payload: dict[str, Any]) -> bool:
        await self._group()
        keys = [self._entry_key(key), self._stream, self._counts]
        args = [key, json.dumps(payload), repr(time.time())]
        return bool(await self._shared.call("outbox_add", lambda: self._add(keys=keys, args=args)))

    async def get(self, key: str) -> OutboxEntry | None:
        return await self._load(key)

    async def due(self, now: float, limit: int = 20) -> Sequence[OutboxEntry]:
        try:
            return await self._due(now, limit)
        except StoreUnavailable as exc:  # a Redis that restarted empty has no group: make it again
            if "NOGROUP" not in str(exc.__cause__):
                raise
            self._group_ready = False
            return await self._due(now, limit)

    async def _due(self, now: float, limit: int) -> Sequence[OutboxEntry]:
        await self._group()
        await self._shared.call(
            "outbox_promote", lambda: self._promote(keys=[self._delayed, self._stream], args=[repr(now), limit])
        )
        claimed: Any = await self._shared.call(
            "outbox_claim",
            lambda: self._client.xautoclaim(self._stream, _GROUP, self.consumer, self._claim_ms, "0-0", count=limit),
        )
        fresh: Any = await self._shared.call(
            "outbox_read",
            lambda: self._client.xreadgroup(_GROUP, self.consumer, {self._stream: ">"}, count=limit),
        )
        messages: list[tuple[Any, dict[bytes, Any]]] = list(claimed[1])
        for _, batch in fresh or []:
            messages.extend(batch)
        out: list[OutboxEntry] = []
        for stream_id, fields in messages:
            key = _text(fields.get(b"key"))
            entry = await self._load(key)
            sid = _text(stream_id)
            if entry is None or entry.state != "pending":
                await self._shared.call("outbox_ack", partial(self._client.xack, self._stream, _GROUP, sid))
                continue
            self._ids[key] = sid
            out.append(entry)
        return out

    async def delivered(self, key: str, task_id: str | None) -> None:
        await self._settle(key, "delivered", "", task_id or "", time.time())

    async def failed(self, key: str, error: str, next_at: float | None) -> None:
        await self._settle(key, "pending" if next_at is not None else "dead", error[:500], "", next_at or time.time())

    async def _settle(self, key: str, state: State, error: str, task_id: str, next_at: float) -> None:
        sid = self._ids.pop(key, "0-0")
        keys = [self._entry_key(key), self._counts, self._stream, self._delayed]
        args = [_GROUP, sid, state, error, task_id, repr(next_at), key]
        await self._shared.call("outbox_settle", lambda: self._settle_script(keys=keys, args=args))

    async def entries(self, state: State | None = None) -> Sequence[OutboxEntry]:
        found: list[OutboxEntry] = []
        async for name in self._client.scan_iter(match=self._entry_key("*"), count=500):
            entry = await self._load(_text(name).removeprefix(self._entry_key("")))
            if entry is not None and (state is None or entry.state == state):
                found.append(entry)
        return sorted(found, key=lambda e: e.received_at)

    async def retry(self, key: str | None = None) -> int:
        names = [key] if key is not None else [e.key for e in await self.entries("dead")]
        revived = 0
        for one in names:
            keys = [self._entry_key(one), self._stream, self._counts]
            revive = partial(self._revive, keys=keys, args=[one, repr(time.time())])
            revived += int(await self._shared.call("outbox_retry", revive))
        return revived

    async def counts(self) -> dict[str, int]:
        raw = await self._shared.call("outbox_counts", lambda: self._client.hgetall(self._counts))
        out = {"pending": 0, "delivered": 0, "dead": 0}
        out.update({_text(k): int(v) for k, v in raw.items()})
        return out

    def close(self) -> None:
        """Nothing of its own to close: the Redis client belongs to the process's `Stores`."""

    async def _load(self, key: str) -> OutboxEntry | None:
        raw = await self._shared.call("outbox_get", lambda: self._client.hgetall(self._entry_key(key)))
        if not raw:
            return None
        f = {_text(k): _text(v) for k, v in raw.items()}
        state: State = "dead" if f["state"] == "dead" else "delivered" if f["state"] == "delivered" else "pending"
        return OutboxEntry(
            key=key,
            payload=json.loads(f["payload"]),
            state=state,
            attempts=int(f.get("attempts", 0)),
            next_at=float(f.get("next_at", 0)),
            last_error=f.get("last_error") or None,
            task_id=f.get("task_id") or None,
            received_at=float(f.get("received_at", 0)),
        )


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
