"""Wiring for the Salesforce client tests: the fake org, settings pointing at it, a client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fake_org import FakeOrg, fake_settings

from service.salesforce import SalesforceClient, TokenManager, build_salesforce


@pytest.fixture
def fake_org() -> FakeOrg:
    return FakeOrg()


@pytest.fixture
async def sf(fake_org: FakeOrg) -> AsyncIterator[tuple[TokenManager, SalesforceClient]]:
    tokens, client = build_salesforce(fake_settings(), transport=fake_org.transport())
    try:
        yield tokens, client
    finally:
        await client.aclose()
        await tokens.aclose()


@pytest.fixture(autouse=True)
def _clean_sf_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up a developer's real-org SF_* variables."""
    for name in ("SF_DOMAIN", "SF_CLIENT_ID", "SF_CLIENT_SECRET", "SF_CLIENT_AUTH", "SF_API_VERSION"):
        monkeypatch.delenv(name, raising=False)
