"""`RedisTokenStore`: one access token for the whole fleet of replicas.

* The token lives under one key per org + client, with a TTL of its remaining lifetime (Redis
  memory only: run Redis without persistence, see deploy/compose.yaml; never logged).
* `refresh` takes a lock (`SET NX PX`, a random fencing value, a timeout) so one replica asks the
  org; the token is written only while the fence still holds the lock (a holder that outlived its
  lock cannot overwrite a newer token). The others poll the key until the new token appears, or
  take the lock themselves when it times out. The lock is taken only if the token is still the one
  just read (one script): a holder that wrote the new token and let go of the lock between a
  replica's read and its lock would otherwise be followed by a second token request for the same
  expiry (seen once in four runs of the fleet test, under load).
* `clear_if` is compare-and-delete on the token value, in one Lua script: the first replica to see
  `INVALID_SESSION_ID` drops the token, later ones find a newer token (or none) and drop nothing.
* When Redis does not answer the store degrades to the process: `get` says "none", `refresh`
  fetches locally, so searches and gets keep working on the replica's own token.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from functools import partial

from authlib.oauth2.rfc6749 import OAuth2Token

from service.errors import StoreUnavailable
from service.state.shared import PREFIX, SharedRedis

log = logging.getLogger(__name__)

_SET_IF_FENCE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  redis.call('set', KEYS[2], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
"""
# KEYS: token, lock   ARGV: the token as read ('' for none), fence, lock ms -> 1 ours, 0 busy, -1 changed
_LOCK_IF_UNCHANGED = """
local held = redis.call('get', KEYS[2])
if held == ARGV[2] then return 1 end  -- a retried first try that got through
if (redis.call('get', KEYS[1]) or '') ~= ARGV[1] then return -1 end
if redis.call('set', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then return 1 end
return 0
"""
_DEL_IF_FENCE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
_DEL_IF_ACCESS_MATCHES = """
local v = redis.call('get', KEYS[1])
if v and cjson.decode(v)['access_token'] == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
_POLL = 0.05  # seconds between looks at the key while another replica refreshes


class RedisTokenStore:
    """The fleet's token in Redis; `lock_timeout` bounds how long a refresh may hold the lock."""

    shared = True

    def __init__(self, shared: SharedRedis, *, domain: str, client_id: str, lock_timeout: float = 15.0) -> None:
        self._shared = shared
        scope = hashlib.sha256(f"{domain}|{client_id}".encode()).hexdigest()[:16]
        self._key = f"{PREFIX}token:{scope}"
        self._lock = f"{PREFIX}token-lock:{scope}"
        self._lock_ms = int(lock_timeout * 1000)
        client = shared.client
        self._set_if_fence = client.register_script(_SET_IF_FENCE)
        self._del_if_fence = client.register_script(_DEL_IF_FENCE)
        self._del_if_access = client.register_script(_DEL_IF_ACCESS_MATCHES)
        self._lock_if_unchanged = client.register_script(_LOCK_IF_UNCHANGED)

    async def get(self) -> OAuth2Token | None:
        try:
            raw = await self._shared.call("token_get", lambda: self._shared.client.get(self._key))
        except StoreUnavailable:
            return None  # degraded: the manager keeps its local copy or fetches its own
        return _load(raw)

    async def set(self, token: OAuth2Token) -> None:
        ttl = _ttl_ms(token)
        try:
            await self._shared.call("token_set", lambda: self._shared.client.set(self._key, _dump(token), px=ttl))
        except StoreUnavailable:
            log.warning("token not shared: Redis unavailable")

    async def clear_if(self, access_token: str) -> bool:
        try:
            dropped = await self._shared.call(
                "token_clear", lambda: self._del_if_access(keys=[self._key], args=[access_token])
            )
        except StoreUnavailable:
            return False
        return bool(dropped)

    async def refresh(
        self, fetch: Callable[[], Awaitable[OAuth2Token]], *, stale: str | None, leeway: float
    ) -> OAuth2Token:
        give_up = time.monotonic() + self._lock_ms / 1000 + 1.0
        while True:
            try:
                raw = await self._shared.call("token_get", lambda: self._shared.client.get(self._key))
                current = _load(raw)
                if _usable(current, stale, leeway):
                    assert current is not None
                    return current
                fence = secrets.token_hex(16)
                take = partial(
                    self._lock_if_unchanged, keys=[self._key, self._lock], args=[raw or b"", fence, self._lock_ms]
                )
                got = await self._shared.call("token_lock", take)
            except StoreUnavailable:
                return await fetch()  # degraded: this replica asks on its own
            if got == 1:
                return await self._fetch_holding(fetch, fence)
            if got == -1:
                continue  # a new token arrived since the read: look at it
            if time.monotonic() > give_up:  # the holder is gone and its lock will not time out: ask
                return await fetch()
            await asyncio.sleep(_POLL)

    async def _fetch_holding(self, fetch: Callable[[], Awaitable[OAuth2Token]], fence: str) -> OAuth2Token:
        try:
            token = await fetch()
            try:
                await self._shared.call(
                    "token_set",
                    lambda: self._set_if_fence(
                        keys=[self._lock, self._key], args=[fence, _dump(token), _ttl_ms(token)]
                    ),
                )
            except StoreUnavailable:
                log.warning("token not shared: Redis unavailable")
            return token
        finally:
            try:
                await self._shared.call("token_unlock", lambda: self._del_if_fence(keys=[self._lock], args=[fence]))
            except StoreUnavailable:
                pass  # the lock times out by itself

    def __repr__(self) -> str:
        return "RedisTokenStore()"


def _usable(token: OAuth2Token | None, stale: str | None, leeway: float) -> bool:
    return token is not None and token.get("access_token") != stale and not token.is_expired(leeway=int(leeway))


def _ttl_ms(token: OAuth2Token) -> int:
    expires_at = token.get("expires_at")
    left = float(expires_at) - time.time() if isinstance(expires_at, int | float) else 3600.0
    return max(1000, int(left * 1000))


def _dump(token: OAuth2Token) -> str:
    return json.dumps(dict(token))


def _load(raw: bytes | str | None) -> OAuth2Token | None:
    if not raw:
        return None
    try:
        return OAuth2Token(json.loads(raw))
    except (ValueError, TypeError):
        return None
