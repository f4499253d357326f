"""Fixtures of the replica tests: one real `redis-server` for the session (flushed per test), and a
fleet of gateway processes on it for a module."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from service.state.shared import SharedRedis
from tests.state.fleet import Fleet
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


@pytest.fixture(scope="module")
def fleet(
    redis_server: RedisServer, _seeded_org_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Fleet]:
    """Two gateway processes on one Redis and one embedded org (module-scoped: started once).

    Tokens live 6 s and are refreshed 3 s before the end, so a burst of a few seconds crosses an
    expiry; a tool call's budget is 5 s, so a killed replica's locks time out within seconds.
    """
    from service.org.server import OrgServer
    from service.org.store import DB_NAME

    if redis_server.proc is None:
        redis_server.start()
    data_dir = tmp_path_factory.mktemp("fleet-org")
    shutil.copy(_seeded_org_template / DB_NAME, data_dir / DB_NAME)
    org = OrgServer(data_dir=data_dir).start()
    env = {"SF_SESSION_TIMEOUT": "6", "SF_TOKEN_LEEWAY": "3", "TOOL_TIMEOUT": "5"}
    group = Fleet(org, redis_server, 2, env)
    try:
        yield group.start()
    finally:
        group.stop()
        org.stop()
