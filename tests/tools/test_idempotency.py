"""The idempotency store: keys, expiry, and one holder per key."""

from __future__ import annotations

import asyncio

import pytest

from service.tools.idempotency import InMemoryIdempotencyStore, idempotency_key
from service.tools.sections import RecordNote


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


async def test_section_replays_the_answer_and_clears_the_pending_marker() -> None:
    """Left with an answer: the next section gets it cached; the pending marker is gone, the ledger noted."""
    store = InMemoryIdempotencyStore()
    async with store.create_section("k", ["dup:x"], "pending:k", pending_ttl=60, answer_ttl=60) as section:
        assert section.cached is None and section.pending is False
        section.finish({"id": "00Q1"}, RecordNote("ledger:c", "Lead", ("00Q1",), True, 60))
    async with store.create_section("k", ["dup:x"], "pending:k", pending_ttl=60, answer_ttl=60) as again:
        assert again.cached == {"id": "00Q1"}
    assert await store.get("pending:k") is None
    assert await store.get("ledger:c") == {"records": [["Lead", "00Q1", True]]}


async def test_section_error_keeps_the_pending_marker() -> None:
    """An error inside releases the locks and keeps the marker: the next section is told to reconcile."""
    store = InMemoryIdempotencyStore()
    with pytest.raises(RuntimeError):
        async with store.create_section(None, ["dup:x"], "pending:b", pending_ttl=60, answer_ttl=60):
            raise RuntimeError("outcome unknown")
    async with store.create_section(None, ["dup:x"], "pending:b", pending_ttl=60, answer_ttl=60) as section:
        assert section.pending is True


async def test_sections_sharing_a_duplicate_key_never_overlap() -> None:
    """Twenty sections with one duplicate key in common (and keys of their own) run one at a time."""
    store = InMemoryIdempotencyStore()
    inside = 0
    most = 0

    async def hold(i: int) -> None:
        nonlocal inside, most
        async with store.create_section(f"k{i}", ["dup:z", f"dup:{i}"], f"p{i}", pending_ttl=60, answer_ttl=60):
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0)
            inside -= 1

    await asyncio.gather(*(hold(i) for i in range(20)))
    assert most == 1
