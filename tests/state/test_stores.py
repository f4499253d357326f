"""The Redis stores against a real redis-server: what two replicas sharing one Redis see."""

from __future__ import annotations

import asyncio
import time

import pytest
from authlib.oauth2.rfc6749 import OAuth2Token
from pydantic import SecretStr

from service.errors import StoreUnavailable
from service.salesforce.token_store import InMemoryTokenStore
from service.settings import Settings
from service.state.backends import build_stores
from service.state.idempotency import RedisIdempotencyStore
from service.state.shared import SharedRedis
from service.state.token_store import RedisTokenStore
from service.tools.idempotency import InMemoryIdempotencyStore
from tests.state.redis_server import free_port

ORG = {"domain": "http://127.0.0.1:9", "client_id": "client-1"}


def _token(value: str, lifetime: float = 600.0) -> OAuth2Token:
    return OAuth2Token(
        {"access_token": value, "instance_url": ORG["domain"], "expires_at": int(time.time() + lifetime)}
    )


async def test_one_refresh_for_two_replicas(replicas: tuple[SharedRedis, SharedRedis]) -> None:
    """Ten concurrent refreshes spread over two replicas make one token request; all get its token."""
    stores = [RedisTokenStore(shared, **ORG) for shared in replicas]
    requests = 0

    async def fetch() -> OAuth2Token:
        nonlocal requests
        requests += 1
        await asyncio.sleep(0.1)
        return _token(f"token-{requests}")

    got = await asyncio.gather(*(stores[i % 2].refresh(fetch, stale=None, leeway=0) for i in range(10)))
    assert requests == 1
    assert {t["access_token"] for t in got} == {"token-1"}


async def test_clear_if_drops_only_the_current_token(replicas: tuple[SharedRedis, SharedRedis]) -> None:
    """Compare-and-delete: a stale token drops nothing; the current one is dropped once, fleet-wide."""
    first, second = (RedisTokenStore(shared, **ORG) for shared in replicas)
    await first.set(_token("current"))
    assert await second.clear_if("older") is False
    assert await second.clear_if("current") is True
    assert await first.clear_if("current") is False
    assert await first.get() is None


async def test_refresh_after_invalidation_returns_the_newer_token(replicas: tuple[SharedRedis, SharedRedis]) -> None:
    """A replica refreshing a stale token finds the one another replica already fetched."""
    first, second = (RedisTokenStore(shared, **ORG) for shared in replicas)
    await first.set(_token("new"))

    async def fetch() -> OAuth2Token:
        raise AssertionError("no token request: the fleet already has a new token")

    token = await second.refresh(fetch, stale="old", leeway=0)
    assert token["access_token"] == "new"


async def test_the_token_key_expires_with_the_token(replicas: tuple[SharedRedis, SharedRedis]) -> None:
    """The token is kept no longer than it lives (a TTL from its expiry)."""
    store = RedisTokenStore(replicas[0], **ORG)
    await store.set(_token("short", lifetime=30))
    keys = await replicas[0].client.keys("gw:token:*")
    ttl = await replicas[0].client.pttl(keys[0])
    assert 0 < ttl <= 30_000


async def test_lock_is_exclusive_across_replicas(replicas: tuple[SharedRedis, SharedRedis]) -> None:
    """Twenty holders over two replicas never overlap inside one key's lock."""
    stores = [RedisIdempotencyStore(shared) for shared in replicas]
    inside = 0
    most = 0

    async def hold(i: int) -> None:
        nonlocal inside, most
        async with stores[i % 2].lock("k"):
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.005)
            inside -= 1

    await asyncio.gather(*(hold(i) for i in range(20)))
    assert most == 1


async def test_a_timed_out_holder_cannot_release_the_next_lock(replicas: tuple[SharedRedis, SharedRedis]) -> None:
    """The fence: a holder whose lock expired releases nothing of the next holder's."""
    slow = RedisIdempotencyStore(replicas[0], lock_timeout=0.1)
    other = RedisIdempotencyStore(replicas[1], lock_timeout=5)
    async with slow.lock("k"):
        await asyncio.sleep(0.2)  # expired: the next holder takes it
        taken = other.lock("k")
        await taken.__aenter__()
    assert await replicas[0].client.exists("gw:idem:lock:k") == 1
    await taken.__aexit__(None, None, None)
    assert await replicas[0].client.exists("gw:idem:lock:k") == 0


async def test_values_are_shared_and_expire(replicas: tuple[SharedRedis, SharedRedis]) -> None:
    """What one replica puts, the other reads, until its TTL ends."""
    first, second = (RedisIdempotencyStore(shared) for shared in replicas)
    await first.put("a", {"id": "00Q1"}, ttl=0.2)
    assert await second.get("a") == {"id": "00Q1"}
    await asyncio.sleep(0.3)
    assert await second.get("a") is None


async def test_redis_down_refuses_idempotency_and_keeps_tokens_local() -> None:
    """No Redis: the idempotency store raises StoreUnavailable; the token store answers from the process."""
    shared = SharedRedis(f"redis://127.0.0.1:{free_port()}/0", timeout=0.2)
    store = RedisIdempotencyStore(shared)
    with pytest.raises(StoreUnavailable):
        await store.get("a")
    with pytest.raises(StoreUnavailable):
        async with store.lock("a"):
            pass
    tokens = RedisTokenStore(shared, **ORG)
    assert await tokens.get() is None

    async def fetch() -> OAuth2Token:
        return _token("local")

    assert (await tokens.refresh(fetch, stale=None, leeway=0))["access_token"] == "local"
    assert shared.failures["idem_get"] == 1
    assert shared.healthy is False
    await shared.aclose()


async def test_without_redis_url_the_stores_are_in_process() -> None:
    """REDIS_URL unset: today's in-process stores, no Redis client."""
    stores = build_stores(Settings(_env_file=None))  # type: ignore[call-arg]
    assert isinstance(stores.tokens, InMemoryTokenStore)
    assert isinstance(stores.idempotency, InMemoryIdempotencyStore)
    assert stores.shared is None


async def test_with_redis_url_the_stores_are_shared(redis_url: str) -> None:
    """REDIS_URL set: every store is a Redis one, on one client."""
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        redis_url=SecretStr(redis_url),
        sf_domain="http://127.0.0.1:9",
        sf_client_id="c",
        sf_client_secret=SecretStr("s"),
    )
    stores = build_stores(settings)
    assert isinstance(stores.tokens, RedisTokenStore)
    assert isinstance(stores.duplicate_locks, RedisIdempotencyStore)
    assert stores.shared is not None and await stores.shared.ping()
    await stores.aclose()
