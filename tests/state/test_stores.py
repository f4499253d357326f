"""The Redis stores against a real redis-server: what two replicas sharing one Redis see."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager

import pytest
from authlib.oauth2.rfc6749 import OAuth2Token
from pydantic import SecretStr

from service.calls_log.ledger import StoreLedger
from service.deadline import Deadline
from service.errors import StoreUnavailable
from service.salesforce.token_store import InMemoryTokenStore
from service.settings import Settings
from service.state.backends import build_stores
from service.state.idempotency import RedisIdempotencyStore
from service.state.shared import SharedRedis
from service.state.token_store import RedisTokenStore
from service.tools.idempotency import InMemoryIdempotencyStore
from service.tools.sections import CreateSection, RecordNote
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
    await replicas[1].settle()
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


def _section(
    store: RedisIdempotencyStore, key: str | None, dups: list[str], pending: str = "pending:p"
) -> AbstractAsyncContextManager[CreateSection[None]]:
    return store.create_section(key, dups, pending, pending_ttl=60, answer_ttl=60)


async def test_an_uncontended_create_section_costs_two_round_trips(replicas: tuple[SharedRedis, SharedRedis]) -> None:
    """Enter (locks, cached answer, pending marker) and leave (answer, marker, ledger, locks): 2 round trips."""
    store = RedisIdempotencyStore(replicas[0])
    before = replicas[0].total_round_trips()
    async with _section(store, "conv:c1:h", ["dup:person:email:a@b.example", "dup:person:last:doe"]) as section:
        assert section.cached is None and section.pending is False
        section.finish({"id": "00Q1"}, RecordNote("ledger:c1", "Lead", ("00Q1",), True, 60))
    assert replicas[0].total_round_trips() - before == 2
    await replicas[0].settle()
    assert await replicas[0].client.keys("gw:idem:lock:*") == []
    assert await store.get("pending:p") is None
    assert await StoreLedger(store, 60).records("c1") == [("Lead", "00Q1", True)]


async def test_the_answer_is_replayed_from_another_replica(replicas: tuple[SharedRedis, SharedRedis]) -> None:
    """A section left with an answer: the other replica's section gets it cached, holding no lock."""
    first, second = (RedisIdempotencyStore(shared) for shared in replicas)
    async with _section(first, "conv:c1:h", ["dup:x"]) as section:
        section.finish({"id": "00Q1"}, None)
    await replicas[0].settle()
    async with _section(second, "conv:c1:h", ["dup:x"]) as again:
        assert again.cached == {"id": "00Q1"}
        assert await replicas[1].client.keys("gw:idem:lock:*") == []


async def test_an_error_inside_leaves_the_pending_marker(replicas: tuple[SharedRedis, SharedRedis]) -> None:
    """An unknown outcome keeps the pending marker: the next section, on any replica, is told to reconcile."""
    first, second = (RedisIdempotencyStore(shared) for shared in replicas)
    with pytest.raises(RuntimeError):
        async with _section(first, None, ["dup:x"]):
            raise RuntimeError("outcome unknown")
    await replicas[0].settle()
    assert await replicas[0].client.keys("gw:idem:lock:*") == []
    async with _section(second, None, ["dup:x"]) as section:
        assert section.pending is True
        section.finish({"id": "00Q1"}, None)
    async with _section(first, None, ["dup:x"]) as section:
        assert section.pending is False


async def test_create_sections_are_exclusive_across_replicas(replicas: tuple[SharedRedis, SharedRedis]) -> None:
    """Twenty sections sharing one duplicate key over two replicas never overlap."""
    stores = [RedisIdempotencyStore(shared) for shared in replicas]
    inside = 0
    most = 0

    async def hold(i: int) -> None:
        nonlocal inside, most
        async with _section(stores[i % 2], f"conv:c{i}:h", ["dup:shared", f"dup:own{i}"]):
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.002)
            inside -= 1

    await asyncio.gather(*(hold(i) for i in range(20)))
    assert most == 1


async def test_a_busy_section_takes_none_of_its_locks(replicas: tuple[SharedRedis, SharedRedis]) -> None:
    """All or none: waiting for a held lock, a section holds none of its other locks meanwhile."""
    store = RedisIdempotencyStore(replicas[0])
    async with _section(store, None, ["dup:b"], pending="pending:1"):
        waiting = asyncio.create_task(_enter_and_leave(store, ["dup:a", "dup:b"]))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        async with _section(store, None, ["dup:a"], pending="pending:3") as free:
            assert free.cached is None
    await waiting
    await replicas[0].settle()
    assert await replicas[0].client.exists("gw:idem:lock:dup:a", "gw:idem:lock:dup:b") == 0


async def _enter_and_leave(store: RedisIdempotencyStore, dups: list[str]) -> None:
    async with _section(store, None, dups, pending="pending:2") as section:
        section.finish({}, None)


async def test_a_dead_holders_section_expires_and_fences(replicas: tuple[SharedRedis, SharedRedis]) -> None:
    """A holder past its lock timeout loses the locks; leaving late it frees nothing of the next holder's."""
    slow = RedisIdempotencyStore(replicas[0], lock_timeout=0.1)
    other = RedisIdempotencyStore(replicas[1], lock_timeout=5)
    async with _section(slow, None, ["dup:x"]) as late:
        await asyncio.sleep(0.2)
        taken = _section(other, None, ["dup:x"])
        await taken.__aenter__()
        late.finish({"id": "00Q1"}, None)
    await replicas[0].settle()
    assert await replicas[0].client.exists("gw:idem:lock:dup:x") == 1
    assert await replicas[0].client.exists("gw:idem:pending:p") == 1
    await taken.__aexit__(None, None, None)
    await replicas[1].settle()
    assert await replicas[0].client.exists("gw:idem:lock:dup:x") == 0


async def test_a_ledger_note_is_one_round_trip_and_merges(replicas: tuple[SharedRedis, SharedRedis]) -> None:
    """Notes from two replicas merge into one entry (ids on 15 characters, created sticks), one round trip each."""
    first, second = (StoreLedger(RedisIdempotencyStore(shared), 60) for shared in replicas)
    before = replicas[0].total_round_trips()
    await first.note("c1", "Contact", ["003000000000001AAA"], created=False)
    assert replicas[0].total_round_trips() - before == 1
    await second.note("c1", "Contact", ["003000000000001", "003000000000002"], created=True)
    await replicas[1].settle()
    assert await first.records("c1") == [
        ("Contact", "003000000000001AAA", True),
        ("Contact", "003000000000002", True),
    ]


async def test_redis_down_refuses_a_create_section() -> None:
    """No Redis, no create section: StoreUnavailable (a speakable 503), counted as create_enter."""
    shared = SharedRedis(f"redis://127.0.0.1:{free_port()}/0", timeout=0.2)
    with pytest.raises(StoreUnavailable):
        async with _section(RedisIdempotencyStore(shared), "k", ["dup:x"]):
            pass
    assert shared.failures["create_enter"] == 1
    await shared.aclose()


async def test_only_a_lock_someone_waits_for_gets_a_wake_up(replicas: tuple[SharedRedis, SharedRedis]) -> None:
    """An uncontended leave writes no wake-up; a section that found the lock busy gets one when it is left."""
    store = RedisIdempotencyStore(replicas[0])
    await _enter_and_leave(store, ["dup:a"])
    await replicas[0].settle()
    assert await replicas[0].client.exists("gw:idem:lock:dup:a:wake") == 0
    async with _section(store, None, ["dup:a"], pending="pending:1"):
        waiting = asyncio.create_task(_enter_and_leave(store, ["dup:a"]))
        await asyncio.sleep(0.02)
        assert await replicas[0].client.exists("gw:idem:lock:dup:a:waiting") == 1
    await waiting
    assert replicas[0].round_trips["create_wait"] >= 1


async def test_a_token_written_between_a_read_and_a_lock_is_not_fetched_again(
    replicas: tuple[SharedRedis, SharedRedis],
) -> None:
    """Staggered refreshes over two replicas, 200 rounds: one token request each (a replica that read the old
    token just before another wrote the new one and let go of the lock takes the new one, it does not ask)."""
    stores = [RedisTokenStore(shared, **ORG) for shared in replicas]
    rounds_with_more = 0
    for n in range(200):
        requests = 0

        async def fetch(n: int = n) -> OAuth2Token:
            nonlocal requests
            requests += 1
            return _token(f"token-{n}-{requests}")

        async def refresh(i: int, n: int = n) -> OAuth2Token:
            await asyncio.sleep(i * 0.0004)  # each a little later: some read just before the holder writes
            return await stores[i % 2].refresh(fetch, stale=f"token-{n - 1}-1", leeway=0)  # last round's

        await asyncio.gather(*(refresh(i) for i in range(10)))
        rounds_with_more += requests != 1
    assert rounds_with_more == 0


def _counting_check() -> tuple[list[int], Callable[[], Awaitable[int]]]:
    runs: list[int] = []

    async def check() -> int:
        runs.append(len(runs) + 1)
        return len(runs)

    return runs, check


async def test_a_fresh_section_keeps_the_check_started_while_entering(
    replicas: tuple[SharedRedis, SharedRedis],
) -> None:
    """Locks nobody held lately: the duplicate check run alongside the enter is the section's, run once."""
    store = RedisIdempotencyStore(replicas[0])
    runs, check = _counting_check()
    async with store.create_section(
        "conv:c1:h", ["dup:fresh"], "pending:p", pending_ttl=60, answer_ttl=60, check=check
    ) as section:
        assert await section.checked() == 1
        section.finish({"id": "00Q1"}, None)
    assert runs == [1]


async def test_a_section_after_another_holder_checks_again_inside(replicas: tuple[SharedRedis, SharedRedis]) -> None:
    """A lock another replica held lately: the early check is dropped and the check runs again, inside."""
    first, second = (RedisIdempotencyStore(shared) for shared in replicas)
    await _enter_and_leave(first, ["dup:shared"])
    await replicas[0].settle()
    runs, check = _counting_check()
    async with second.create_section(
        None, ["dup:shared"], "pending:q", pending_ttl=60, answer_ttl=60, check=check
    ) as section:
        assert await section.checked() == 2
        section.finish({"id": "00Q2"}, None)
    assert runs == [1, 2]


async def test_the_answer_is_read_back_here_right_after_leaving(replicas: tuple[SharedRedis, SharedRedis]) -> None:
    """The leave is written behind the answer, yet this process reads it back at once (read-your-writes)."""
    store = RedisIdempotencyStore(replicas[0])
    async with _section(store, "conv:c1:h", ["dup:x"]) as section:
        section.finish({"id": "00Q1"}, None)
    assert await store.get("conv:c1:h") == {"id": "00Q1"}


async def test_a_slow_redis_refuses_a_section_within_the_budget(replicas: tuple[SharedRedis, SharedRedis]) -> None:
    """Redis paused past the budget: entering fails with StoreUnavailable inside the tool's budget (not after the
    client's own 30 s timeout), sent once: a timed-out command is never sent again."""
    patient = SharedRedis(_url(replicas[0]), timeout=30)
    store = RedisIdempotencyStore(patient)
    await patient.ping()  # connected before the pause
    await replicas[1].client.client_pause(800)
    try:
        async with asyncio.timeout(5):  # a bound on the test, not a figure
            with pytest.raises(StoreUnavailable):
                async with store.create_section(
                    "k", ["dup:x"], "pending:k", pending_ttl=60, answer_ttl=60, deadline=Deadline.after(0.4)
                ):
                    pass
        assert (patient.round_trips["create_enter"], patient.failures["create_enter"]) == (1, 1)
    finally:
        await patient.aclose()


def _url(shared: SharedRedis) -> str:
    kwargs = shared.client.get_connection_kwargs()
    return f"redis://{kwargs['host']}:{kwargs['port']}/{kwargs.get('db', 0)}"
