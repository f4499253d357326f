"""Token manager behaviour against the fake org (real Salesforce token shapes)."""

from __future__ import annotations

import asyncio
import base64
import time

import httpx2
import pytest
from fake_org import CLIENT_SECRET, FakeOrg, fake_settings

from service.deadline import Deadline
from service.errors import DeadlineExceeded, SalesforceAuthError, Unavailable
from service.salesforce import InMemoryTokenStore, TokenManager


def manager(org: FakeOrg, **overrides: object) -> TokenManager:
    return TokenManager(fake_settings(**overrides), transport=org.transport(), backoff_base=0.01)


async def test_start_fetches_one_token(fake_org: FakeOrg) -> None:
    """start() makes exactly one token request and readiness then reports a token."""
    tm = manager(fake_org)
    assert not tm.has_token
    await tm.start()
    assert tm.has_token
    assert fake_org.token_requests == 1
    assert tm.instance_url == "https://fake.my.salesforce.com"
    await tm.aclose()


async def test_cached_token_is_reused(fake_org: FakeOrg) -> None:
    """Later calls reuse the cached token without another request."""
    tm = manager(fake_org)
    first = await tm.access_token()
    assert [await tm.access_token() for _ in range(50)] == [first] * 50
    assert fake_org.token_requests == 1
    await tm.aclose()


async def test_expiry_is_configured_lifetime(fake_org: FakeOrg) -> None:
    """With no expires_in from Salesforce, expiry is the configured session lifetime."""
    tm = manager(fake_org, sf_session_timeout=3600)
    token = await tm.get_token()
    expires_at = token["expires_at"]
    assert isinstance(expires_at, int) and abs(expires_at - (time.time() + 3600)) < 5
    await tm.aclose()


async def test_introspection_exp_is_used(fake_org: FakeOrg) -> None:
    """With introspection on, the token's expiry is the `exp` the org reports."""
    tm = manager(fake_org, sf_use_introspection=True, sf_session_timeout=7200)
    token = await tm.get_token()
    expires_at = token["expires_at"]
    assert isinstance(expires_at, int) and abs(expires_at - (time.time() + 1800)) < 5
    await tm.aclose()


async def test_basic_client_auth(fake_org: FakeOrg) -> None:
    """SF_CLIENT_AUTH=basic sends the credentials as HTTP Basic, not in the body."""
    seen: list[httpx2.Request] = []

    def spy(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return fake_org(request)

    tm = TokenManager(fake_settings(sf_client_auth="basic"), transport=httpx2.MockTransport(spy))
    await tm.start()
    assert seen[0].headers["authorization"].startswith("Basic ")
    assert base64.b64decode(seen[0].headers["authorization"][6:]).decode().endswith(":" + CLIENT_SECRET)
    assert b"client_secret" not in seen[0].content
    await tm.aclose()


async def test_body_client_auth(fake_org: FakeOrg) -> None:
    """SF_CLIENT_AUTH=body (default) sends client_id/client_secret as form fields."""
    seen: list[httpx2.Request] = []

    def spy(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return fake_org(request)

    tm = TokenManager(fake_settings(), transport=httpx2.MockTransport(spy))
    await tm.start()
    assert b"grant_type=client_credentials" in seen[0].content
    assert b"client_secret=" in seen[0].content
    assert "authorization" not in seen[0].headers
    await tm.aclose()


async def test_expired_token_single_flight(fake_org: FakeOrg) -> None:
    """1000 concurrent callers holding an expired token cause exactly one token request."""
    store = InMemoryTokenStore()
    tm = TokenManager(fake_settings(), transport=fake_org.transport(), store=store)
    token = await tm.get_token()
    token["expires_at"] = int(time.time()) - 10
    await store.set(token)
    results = await asyncio.gather(*[tm.access_token() for _ in range(1000)])
    assert fake_org.token_requests == 2
    assert len(set(results)) == 1 and results[0] != token["access_token"]
    await tm.aclose()


async def test_invalidate_only_current(fake_org: FakeOrg) -> None:
    """invalidate() drops the token only while it is still the current one."""
    tm = manager(fake_org)
    old = await tm.access_token()
    assert await tm.invalidate(old)
    new = await tm.access_token()
    assert not await tm.invalidate(old)
    assert await tm.access_token() == new
    assert fake_org.token_requests == 2
    await tm.aclose()


async def test_503_twice_then_success(fake_org: FakeOrg) -> None:
    """Token endpoint 503, 503, then 200: the fetch succeeds after two retries."""
    fake_org.token_faults.extend([(503, "Service Unavailable"), (503, "Service Unavailable")])
    tm = manager(fake_org)
    await tm.start()
    assert tm.has_token
    assert fake_org.token_requests == 3
    await tm.aclose()


async def test_reset_and_timeout_retried(fake_org: FakeOrg) -> None:
    """Connection resets and timeouts at the token endpoint are retried."""
    fake_org.token_faults.extend([httpx2.ReadError("reset"), httpx2.ReadTimeout("slow")])
    tm = manager(fake_org)
    await tm.start()
    assert fake_org.token_requests == 3
    await tm.aclose()


async def test_persistent_5xx_bounded(fake_org: FakeOrg) -> None:
    """A token endpoint that keeps failing is tried a bounded number of times, then Unavailable."""
    fake_org.token_faults.extend([(500, {"error": "server_error"})] * 10)
    tm = manager(fake_org)
    with pytest.raises(Unavailable):
        await tm.start()
    assert fake_org.token_requests == 4
    assert not tm.has_token
    await tm.aclose()


async def test_invalid_client_not_retried(fake_org: FakeOrg) -> None:
    """invalid_client is not retried and the message names the fix."""
    tm = manager(fake_org, sf_client_secret="wrong-secret-value")
    with pytest.raises(SalesforceAuthError) as info:
        await tm.start()
    assert fake_org.token_requests == 1
    assert info.value.error_code == "invalid_client"
    assert "consumer key and secret" in info.value.message
    await tm.aclose()


@pytest.mark.parametrize(
    ("description", "fix"),
    [
        ("request not supported on this domain", "My Domain"),
        ("no client credentials user enabled", "Run As"),
    ],
)
async def test_invalid_grant_names_fix(fake_org: FakeOrg, description: str, fix: str) -> None:
    """invalid_grant answers are explained with the setup step to fix."""
    fake_org.token_faults.append((400, {"error": "invalid_grant", "error_description": description}))
    tm = manager(fake_org)
    with pytest.raises(SalesforceAuthError, match=fix):
        await tm.start()
    assert fake_org.token_requests == 1
    await tm.aclose()


async def test_wait_bounded_by_deadline(fake_org: FakeOrg) -> None:
    """A caller whose deadline runs out while the fetch retries gets DeadlineExceeded."""
    fake_org.token_faults.extend([(503, "x")] * 3)
    tm = TokenManager(fake_settings(), transport=fake_org.transport(), backoff_base=0.5)
    with pytest.raises(DeadlineExceeded):
        await tm.get_token(Deadline.after(0.05))
    await tm.aclose()


async def test_repr_masks_token_and_secret(fake_org: FakeOrg) -> None:
    """Neither the access token nor the client secret appears in reprs."""
    tm = manager(fake_org)
    token = await tm.access_token()
    text = repr(tm) + repr(tm.config) + str(tm)
    assert token not in text and token[:20] not in text
    assert CLIENT_SECRET not in text
    await tm.aclose()


async def test_logs_mask_token(fake_org: FakeOrg, caplog: pytest.LogCaptureFixture) -> None:
    """Log lines about tokens never carry the token."""
    caplog.set_level("DEBUG")
    tm = manager(fake_org)
    token = await tm.access_token()
    await tm.invalidate(token)
    await tm.access_token()
    assert caplog.records
    assert all(token[:20] not in r.getMessage() and CLIENT_SECRET not in r.getMessage() for r in caplog.records)
    await tm.aclose()


async def test_refresh_ahead_inside_leeway(fake_org: FakeOrg) -> None:
    """Inside the leeway window the current token is still served while one refresh runs."""
    store = InMemoryTokenStore()
    tm = TokenManager(fake_settings(sf_token_leeway=300), transport=fake_org.transport(), store=store)
    token = await tm.get_token()
    token["expires_at"] = int(time.time()) + 100
    await store.set(token)
    served = await asyncio.gather(*[tm.access_token() for _ in range(20)])
    assert served == [token["access_token"]] * 20
    await asyncio.sleep(0.05)
    assert fake_org.token_requests == 2
    assert await tm.access_token() != token["access_token"]
    await tm.aclose()
