"""Fixtures for the embedded org's tests: an authenticated client on the `embedded_org`."""

from collections.abc import Iterator

import httpx2
import pytest


@pytest.fixture
def api(embedded_org) -> Iterator[httpx2.Client]:
    """An httpx2 client on the embedded org with a fresh Bearer token."""
    body = {
        "grant_type": "client_credentials",
        "client_id": embedded_org.client_id,
        "client_secret": embedded_org.client_secret,
    }
    with httpx2.Client(base_url=embedded_org.url) as client:
        token = client.post("/services/oauth2/token", data=body).json()["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        yield client
