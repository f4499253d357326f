"""Fixtures of the replica tests: one real `redis-server` for the session (flushed per test)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from service.state.shared import SharedRedis
from tests.state.redis_server import RedisServer, redis_binary


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A redis-server on a free loopback port with a temp dir, stopped at the end of the session."""
    server = RedisServer(redis_binary(), tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
async def redis_url(redis_server: RedisServer) -> AsyncIterator[str]:
    """The running server's URL, emptied before the test (and started again if a test stopped it)."""
    if redis_server.proc is None:
        redis_server.start()
    shared = SharedRedis(redis_server.url)
    await shared.client.flushdb()
    await shared.aclose()
    yield redis_server.url
    if redis_server.proc is None:
        redis_server.start()


@pytest.fixture
async def replicas(redis_url: str) -> AsyncIterator[tuple[SharedRedis, SharedRedis]]:
    """Two clients of one Redis: what two replicas hold."""
    pair = (SharedRedis(redis_url), SharedRedis(redis_url))
    yield pair
    for shared in pair:
        await shared.aclose()
