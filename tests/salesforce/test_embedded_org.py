"""The issue's must-show token behaviours, against the embedded org, counted with its stats."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from service.deadline import Deadline
from service.errors import DeadlineExceeded, OutcomeUnknown, SalesforceAuthError
from service.org.faults import Faults
from service.org.server import OrgServer, start_org
from service.salesforce import InMemoryTokenStore, SalesforceClient, TokenManager
from service.settings import Settings

QUERY = "SELECT Id, Name FROM Account ORDER BY Name LIMIT 5"


@pytest.fixture
def faults() -> Faults:
    return Faults()


@pytest.fixture
def org(tmp_path: Path, faults: Faults) -> Iterator[OrgServer]:
    with start_org(data_dir=tmp_path, faults=faults) as server:
        yield server


def org_settings(org: OrgServer, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "sf_domain": org.url,
        "sf_client_id": org.client_id,
        "sf_client_secret": org.client_secret,
        "sf_timeout": 60.0,
    }
    return Settings(_env_file=None, **(values | overrides))


@pytest.fixture
async def sf(org: OrgServer) -> AsyncIterator[tuple[TokenManager, SalesforceClient, InMemoryTokenStore]]:
    store = InMemoryTokenStore()
    settings = org_settings(org)
    tokens = TokenManager(settings, store=store, backoff_base=0.01)
    client = SalesforceClient(tokens, settings)
    yield tokens, client, store
    await client.aclose()
    await tokens.aclose()


def token_requests(org: OrgServer) -> int:
    return int(org.stats()["token_requests"])


async def test_1000_concurrent_queries_expired_at_org(org: OrgServer, sf: Any) -> None:
    """1000 concurrent queries whose token the org has expired: exactly 1 token request, 1000 successes."""
    tokens, client, _ = sf
    await tokens.start()
    org.state.sessions.expire_all()
    before = token_requests(org)
    deadline = Deadline.after(120)
    results = await asyncio.gather(*[client.query(QUERY, deadline=deadline) for _ in range(1000)])
    assert len(results) == 1000 and all(r.total_size == 5 for r in results)
    assert token_requests(org) - before == 1


async def test_1000_concurrent_queries_expired_locally(org: OrgServer, sf: Any) -> None:
    """1000 concurrent queries when the held token is past its configured lifetime: exactly 1 token request."""
    tokens, client, store = sf
    token = await tokens.get_token()
    token["expires_at"] = int(time.time()) - 1
    await store.set(token)
    before = token_requests(org)
    deadline = Deadline.after(120)
    results = await asyncio.gather(*[client.query(QUERY, deadline=deadline) for _ in range(1000)])
    assert all(r.total_size == 5 for r in results)
    assert token_requests(org) - before == 1


async def test_revoked_mid_burst(org: OrgServer, sf: Any) -> None:
    """Token revoked in the middle of a 200-call burst: exactly 1 refetch; all 200 succeed."""
    tokens, client, _ = sf
    old = await tokens.access_token()
    before = token_requests(org)

    completed = 0

    async def call() -> int:
        nonlocal completed
        result = await client.query(QUERY, deadline=Deadline.after(60))
        completed += 1
        if completed == 100:  # half the burst answered, the rest in flight with the old token
            assert org.state.sessions.revoke(old)
        return int(result.total_size)

    results = await asyncio.gather(*[call() for _ in range(200)])
    assert results == [5] * 200
    assert token_requests(org) - before == 1


async def test_persistent_401_is_auth_error(org: OrgServer, sf: Any) -> None:
    """A 401 that persists: one refetch then an auth error; the token endpoint is hit at most twice."""
    tokens, client, _ = sf
    org.state.sessions.timeout = -1.0  # every token is dead the moment it is issued
    with pytest.raises(SalesforceAuthError, match="freshly fetched token"):
        await client.query(QUERY, deadline=Deadline.after(30))
    assert token_requests(org) <= 2


async def test_token_503_twice_then_success(org: OrgServer, faults: Faults) -> None:
    """Token endpoint answers 503 twice then 200: the fetch succeeds and the call works."""
    faults.add("token_error", times=2, status=503)
    settings = org_settings(org)
    tokens = TokenManager(settings, backoff_base=0.01)
    client = SalesforceClient(tokens, settings)
    try:
        assert (await client.query(QUERY, deadline=Deadline.after(30))).total_size == 5
        assert tokens.token_requests == 3 and faults.fired("token_error") == 2
        assert token_requests(org) == 1
    finally:
        await client.aclose()
        await tokens.aclose()


async def test_token_connection_reset_retried(org: OrgServer, faults: Faults) -> None:
    """A token request whose connection is reset is retried."""
    faults.add("token_refuse", times=1)
    tokens = TokenManager(org_settings(org), backoff_base=0.01)
    try:
        await tokens.start()
        assert tokens.has_token and tokens.token_requests == 2
    finally:
        await tokens.aclose()


async def test_create_reset_after_commit_is_outcome_unknown(org: OrgServer, faults: Faults, sf: Any) -> None:
    """The org commits a create then drops the connection: OutcomeUnknown, and exactly one record."""
    tokens, client, _ = sf
    await tokens.start()
    before = org.stats()["records"]["Lead"]
    faults.add("reset_after_commit", times=1)
    with pytest.raises(OutcomeUnknown):
        await client.create("Lead", {"LastName": "Reset", "Company": "Acme"}, deadline=Deadline.after(30))
    assert org.stats()["records"]["Lead"] == before + 1


async def test_invalid_client_not_retried(org: OrgServer) -> None:
    """A wrong consumer secret: one token request, no retry, and the message names the fix."""
    tokens = TokenManager(org_settings(org, sf_client_secret="not-the-secret"), backoff_base=0.01)
    try:
        with pytest.raises(SalesforceAuthError) as info:
            await tokens.start()
    finally:
        await tokens.aclose()
    assert token_requests(org) == 1
    assert info.value.error_code == "invalid_client"
    assert "check the consumer key and secret" in info.value.message


async def test_basic_auth_against_org(org: OrgServer) -> None:
    """HTTP Basic client authentication is accepted by the org."""
    tokens = TokenManager(org_settings(org, sf_client_auth="basic"))
    try:
        await tokens.start()
        assert tokens.has_token and tokens.instance_url == org.url
    finally:
        await tokens.aclose()


async def test_introspection_expiry(org: OrgServer) -> None:
    """With introspection on, expiry follows the org's session timeout, not the configured lifetime."""
    org.state.sessions.timeout = 900.0
    tokens = TokenManager(org_settings(org, sf_use_introspection=True, sf_session_timeout=7200))
    try:
        token = await tokens.get_token()
        expires_at = token["expires_at"]
        assert isinstance(expires_at, int) and abs(expires_at - (time.time() + 900)) < 10
    finally:
        await tokens.aclose()


async def test_slow_org_bounded_by_deadline(org: OrgServer, faults: Faults, sf: Any) -> None:
    """A query the org holds for 5 s, under a 0.5 s deadline: DeadlineExceeded (the attempt's timeout is capped)."""
    tokens, client, _ = sf
    await tokens.start()
    faults.add("delay", scope="query", times=1, delay=5.0)
    with pytest.raises(DeadlineExceeded):
        await client.query(QUERY, deadline=Deadline.after(0.5))


async def test_limit_exceeded_retried_at_org(org: OrgServer, faults: Faults, sf: Any) -> None:
    """REQUEST_LIMIT_EXCEEDED twice, then the query succeeds inside the deadline."""
    faults.add("limit_exceeded", scope="query", times=2)
    _, client, _ = sf
    assert (await client.query(QUERY, deadline=Deadline.after(20))).total_size == 5
    assert faults.fired("limit_exceeded") == 2
