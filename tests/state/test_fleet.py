"""Two gateway processes, one Redis, one embedded org: the fleet keeps one truth.

One module-scoped fleet serves every test here (starting processes is the slow part); the test
that kills a replica comes last.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx2
import pytest
import redis.asyncio as aioredis

from tests.state.fleet import HEADERS, Fleet

pytestmark = pytest.mark.slow

SEARCH = "/tools/salesforce_search_records"
CREATE = "/tools/salesforce_create_record/Lead"
QUERY = {"q": "SELECT Id, Name FROM Contact LIMIT 1"}


def _lead(tag: str) -> dict[str, str]:
    return {
        "FirstName": "Robin",
        "LastName": f"Fleet{tag}",
        "Company": "Replica Works",
        "Email": f"{tag}@replica.example",
    }


async def _create(
    http: httpx2.AsyncClient, url: str, body: dict[str, str], conversation: str | None
) -> httpx2.Response:
    headers = {"X-Conversation-Id": conversation} if conversation else {}
    return await http.post(url + CREATE, json=body, headers=headers)


async def _token_requests(fleet: Fleet) -> int:
    return int(fleet.org.stats()["token_requests"])


async def _fresh_token(fleet: Fleet, http: httpx2.AsyncClient, shared: aioredis.Redis) -> None:
    """Until the fleet holds a token with most of its 6 s ahead (so no refresh falls into the next seconds)."""
    for _ in range(100):
        await http.get(fleet.urls[0] + SEARCH, params=QUERY)
        keys = await shared.keys("gw:token:*")
        if keys and await shared.pttl(keys[0]) > 5200:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the fleet never held a fresh token")


async def _no_refresh_in_flight(shared: aioredis.Redis) -> None:
    """Until no replica holds the refresh lock: every token request counted so far has its token in Redis."""
    for _ in range(100):
        if not await shared.keys("gw:token-lock:*"):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("a token refresh never finished")


@pytest.fixture
async def http() -> Any:
    async with httpx2.AsyncClient(headers=HEADERS, timeout=15) as client:
        yield client


@pytest.fixture
async def shared(fleet: Fleet) -> Any:
    client = aioredis.Redis.from_url(fleet.redis.url)
    yield client
    await client.aclose()


async def test_300_calls_across_an_expiry_make_one_token_request_per_expiry(
    fleet: Fleet, http: httpx2.AsyncClient, shared: aioredis.Redis
) -> None:
    """300 searches over both replicas for ~3.5 s (past a refresh point): one token request per new token.

    The watcher polls every 50 ms, so a token the fleet held for less would go unseen: one that a second
    replica fetched again right after the first had written it (the race `_LOCK_IF_UNCHANGED` closes)."""
    await _fresh_token(fleet, http, shared)
    before = await _token_requests(fleet)
    seen: set[bytes] = set()
    done = asyncio.Event()

    async def watch() -> None:  # every token the fleet held during the burst
        while not done.is_set():
            for key in await shared.keys("gw:token:*"):
                value = await shared.get(key)
                if value:
                    seen.add(value)
            await asyncio.sleep(0.05)

    watcher = asyncio.create_task(watch())
    statuses: list[int] = []
    for _batch in range(10):
        answers = await asyncio.gather(*(http.get(fleet.urls[i % 2] + SEARCH, params=QUERY) for i in range(30)))
        statuses += [a.status_code for a in answers]
        await asyncio.sleep(0.35)
    await _no_refresh_in_flight(shared)  # a refresh the last batch started: its token too
    done.set()
    await watcher
    new_tokens = len(seen) - 1
    assert statuses == [200] * 300
    assert new_tokens >= 1
    assert await _token_requests(fleet) - before == new_tokens


async def test_invalid_session_costs_one_refetch_for_the_fleet(
    fleet: Fleet, http: httpx2.AsyncClient, shared: aioredis.Redis
) -> None:
    """Every session revoked in the org (INVALID_SESSION_ID on both replicas): one token request, 0 failures."""
    await _fresh_token(fleet, http, shared)
    for url in fleet.urls:  # both replicas hold the current token locally
        assert (await http.get(url + SEARCH, params=QUERY)).status_code == 200
    before = await _token_requests(fleet)
    fleet.org.state.sessions.expire_all()
    answers = await asyncio.gather(*(http.get(fleet.urls[i % 2] + SEARCH, params=QUERY) for i in range(40)))
    assert [a.status_code for a in answers] == [200] * 40
    assert await _token_requests(fleet) - before == 1


@pytest.mark.parametrize("conversation", ["conv-fleet", None], ids=["with-conversation", "without"])
async def test_identical_creates_on_both_replicas_make_one_record(
    fleet: Fleet, http: httpx2.AsyncClient, conversation: str | None
) -> None:
    """20 identical creates alternating between the replicas, all at once: one record, 20 answers naming it."""
    tag = uuid.uuid4().hex[:10]
    conv = f"{conversation}-{tag}" if conversation else None
    answers = await asyncio.gather(*(_create(http, fleet.urls[i % 2], _lead(tag), conv) for i in range(20)))
    assert [a.status_code for a in answers] == [200] * 20
    rows = fleet.records(f"SELECT Id FROM Lead WHERE Email = '{tag}@replica.example'")
    assert len(rows) == 1
    assert {a.json()["id"] for a in answers} == {rows[0]["Id"]}


async def _until_done(http: httpx2.AsyncClient, url: str, body: dict[str, str], conv: str) -> httpx2.Response:
    """The platform's retry: the same request again after Retry-After, until it is answered."""
    for _ in range(40):
        try:
            answer = await _create(http, url, body, conv)
        except httpx2.TransportError:
            await asyncio.sleep(0.25)
            continue
        if answer.status_code == 200:
            return answer
        assert answer.status_code in (503, 504), answer.text
        await asyncio.sleep(0.25)
    raise AssertionError("never answered")


async def test_redis_stopped_mid_burst_refuses_creates_speakably_then_recovers(
    fleet: Fleet, http: httpx2.AsyncClient
) -> None:
    """Redis stops mid-burst: creates get a speakable 503 with Retry-After, searches go on; once it is back every
    create goes through, each record exactly once."""
    tags = [uuid.uuid4().hex[:10] for _ in range(24)]
    first = await asyncio.gather(
        *(_create(http, fleet.urls[i % 2], _lead(t), f"c-{t}") for i, t in enumerate(tags[:8]))
    )
    fleet.redis.stop()
    try:
        during = await asyncio.gather(
            *(_create(http, fleet.urls[i % 2], _lead(t), f"c-{t}") for i, t in enumerate(tags[8:]))
        )
        searches = await asyncio.gather(*(http.get(url + SEARCH, params=QUERY) for url in fleet.urls))
        ready = (await http.get(fleet.urls[0] + "/readyz")).json()
    finally:
        fleet.redis.start()
    assert [a.status_code for a in first] == [200] * 8
    assert {a.status_code for a in during} == {503}
    assert {a.json()["error"]["code"] for a in during} == {"store_unavailable"}
    assert all(a.headers["Retry-After"] and "try again" in a.json()["error"]["message"] for a in during)
    assert [s.status_code for s in searches] == [200, 200]
    assert ready["checks"]["redis"] is False and "creates" in ready["checks"]["degraded"]
    metrics = (await http.get(fleet.urls[0] + "/metrics")).text
    assert 'gateway_redis_failures_total{op="create_enter"}' in metrics
    for i, tag in enumerate(tags[8:]):
        await _until_done(http, fleet.urls[i % 2], _lead(tag), f"c-{tag}")
    for tag in tags:
        assert len(fleet.records(f"SELECT Id FROM Lead WHERE Email = '{tag}@replica.example'")) == 1


async def test_a_killed_replica_loses_and_duplicates_nothing(fleet: Fleet, http: httpx2.AsyncClient) -> None:
    """A replica killed mid-burst: every create is answered (or answered on retry by the other), each record once."""
    tags = [uuid.uuid4().hex[:10] for _ in range(20)]
    sent = [asyncio.create_task(_create(http, fleet.urls[i % 2], _lead(t), f"k-{t}")) for i, t in enumerate(tags)]
    await asyncio.sleep(0.05)
    fleet.kill(1)  # the last test of the module: the replica stays down
    answers = await asyncio.gather(*sent, return_exceptions=True)
    for tag, answer in zip(tags, answers, strict=True):
        if isinstance(answer, BaseException) or answer.status_code != 200:
            await _until_done(http, fleet.urls[0], _lead(tag), f"k-{tag}")
    for tag in tags:
        assert len(fleet.records(f"SELECT Id FROM Lead WHERE Email = '{tag}@replica.example'")) == 1
