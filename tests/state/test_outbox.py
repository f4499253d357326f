"""The Redis Stream outbox against a real redis-server: one delivery per event across replicas."""

from __future__ import annotations

import asyncio
import time

from service.state.outbox import RedisOutbox
from service.state.shared import SharedRedis


def _pair(replicas: tuple[SharedRedis, SharedRedis], claim_idle: float = 60.0) -> tuple[RedisOutbox, RedisOutbox]:
    first, second = replicas
    return RedisOutbox(first, claim_idle=claim_idle, consumer="a"), RedisOutbox(
        second, claim_idle=claim_idle, consumer="b"
    )


async def test_a_repeated_event_is_stored_once(replicas: tuple[SharedRedis, SharedRedis]) -> None:
    """The platform's retry of an accepted event adds nothing, whichever replica receives it."""
    first, second = _pair(replicas)
    assert await first.add("conv-1", {"n": 1}) is True
    assert await second.add("conv-1", {"n": 1}) is False
    assert (await first.counts())["pending"] == 1


async def test_each_event_goes_to_exactly_one_replica(replicas: tuple[SharedRedis, SharedRedis]) -> None:
    """Ten events, two replicas reading at once: every event handed out once, none twice."""
    first, second = _pair(replicas)
    for n in range(10):
        await first.add(f"conv-{n}", {"n": n})
    got = await asyncio.gather(first.due(time.time()), second.due(time.time()), first.due(time.time()))
    keys = [entry.key for batch in got for entry in batch]
    assert sorted(keys) == sorted(f"conv-{n}" for n in range(10))


async def test_a_crashed_replicas_events_are_claimed_by_another(replicas: tuple[SharedRedis, SharedRedis]) -> None:
    """Taken but never settled (the replica died): after the claim time another replica delivers them."""
    crashed, survivor = _pair(replicas, claim_idle=0.2)
    await crashed.add("conv-x", {"n": 1})
    assert [e.key for e in await crashed.due(time.time())] == ["conv-x"]
    assert await survivor.due(time.time()) == []
    await asyncio.sleep(0.3)
    claimed = await survivor.due(time.time())
    assert [e.key for e in claimed] == ["conv-x"]
    await survivor.delivered("conv-x", "00T1")
    assert await survivor.counts() == {"pending": 0, "delivered": 1, "dead": 0}
    assert (await crashed.get("conv-x")) is not None and (await crashed.get("conv-x")).task_id == "00T1"  # type: ignore[union-attr]


async def test_a_failed_attempt_comes_back_when_due(replicas: tuple[SharedRedis, SharedRedis]) -> None:
    """A transient failure is retried at its next attempt time (on any replica), not before."""
    first, second = _pair(replicas)
    await first.add("conv-r", {"n": 1})
    await first.due(time.time())
    await first.failed("conv-r", "unavailable", time.time() + 0.2)
    assert await second.due(time.time()) == []
    await asyncio.sleep(0.25)
    again = await second.due(time.time())
    assert [(e.key, e.attempts) for e in again] == [("conv-r", 1)]


async def test_a_dead_event_is_kept_and_can_be_retried(replicas: tuple[SharedRedis, SharedRedis]) -> None:
    """A permanent failure is kept as dead, listed, and delivered again after `retry`."""
    first, second = _pair(replicas)
    await first.add("conv-d", {"n": 1})
    await first.due(time.time())
    await first.failed("conv-d", "invalid_record", None)
    assert [e.key for e in await second.entries("dead")] == ["conv-d"]
    assert await second.retry() == 1
    assert [e.key for e in await first.due(time.time())] == ["conv-d"]
    assert await first.counts() == {"pending": 1, "delivered": 0, "dead": 0}
