"""The idempotency store: keys, expiry, and one holder per key."""

from __future__ import annotations

import asyncio

from service.tools.idempotency import InMemoryIdempotencyStore, idempotency_key


def test_key_depends_on_conversation_and_body() -> None:
    """Same conversation and body → same key; another body or conversation → another key."""
    a = idempotency_key("Lead", {"LastName": "Doe"}, "conv-1", None)
    assert a == idempotency_key("lead", {"LastName": "Doe"}, "conv-1", None)
    assert a != idempotency_key("Lead", {"LastName": "Roe"}, "conv-1", None)
    assert a != idempotency_key("Lead", {"LastName": "Doe"}, "conv-2", None)
    assert idempotency_key("Lead", {"LastName": "Doe"}, None, None) is None


def test_explicit_key_wins() -> None:
    """An Idempotency-Key ignores the body."""
    assert idempotency_key("Lead", {"a": 1}, "c", "k1") == idempotency_key("Lead", {"a": 2}, None, "k1")


async def test_values_expire() -> None:
    """A stored answer is gone after its ttl."""
    store = InMemoryIdempotencyStore()
    await store.put("k", {"x": 1}, ttl=0.0)
    assert await store.get("k") is None
    await store.put("k", {"x": 1}, ttl=60)
    assert await store.get("k") == {"x": 1}


async def test_lock_admits_one_holder_at_a_time() -> None:
    """Twenty concurrent holders of one key never overlap."""
    store = InMemoryIdempotencyStore()
    inside = 0
    most = 0

    async def hold() -> None:
        nonlocal inside, most
        async with store.lock("k"):
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0)
            inside -= 1

    await asyncio.gather(*(hold() for _ in range(20)))
    assert most == 1
