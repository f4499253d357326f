"""Wiring for the Salesforce client tests: the fake org, settings pointing at it, a client."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fake_org import CLIENT_ID, CLIENT_SECRET, DOMAIN, FakeOrg  # noqa: E402

from service.salesforce import SalesforceClient, TokenManager, build_salesforce  # noqa: E402
from service.settings import Settings  # noqa: E402


def fake_settings(**overrides: object) -> Settings:
    """Settings for the fake org (no .env, no environment)."""
    values: dict[str, object] = {
        "sf_domain": DOMAIN,
        "sf_client_id": CLIENT_ID,
        "sf_client_secret": CLIENT_SECRET,
        "sf_timeout": 5.0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


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
