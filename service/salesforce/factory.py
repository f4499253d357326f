"""`build_salesforce(settings)`: the token manager and client the gateway's lifespan owns."""

from __future__ import annotations

import httpx2

from service.salesforce.client import SalesforceClient
from service.salesforce.token import TokenManager
from service.salesforce.token_store import TokenStore
from service.settings import Settings


def build_salesforce(
    settings: Settings,
    *,
    transport: httpx2.AsyncBaseTransport | None = None,
    store: TokenStore | None = None,
) -> tuple[TokenManager, SalesforceClient]:
    """A token manager and a client sharing `transport` (nothing is fetched until `tm.start()`)."""
    tokens = TokenManager(settings, transport=transport, store=store)
    return tokens, SalesforceClient(tokens, settings, transport=transport)


async def close_salesforce(tokens: TokenManager, client: SalesforceClient) -> None:
    """Close both (for the lifespan's exit)."""
    await client.aclose()
    await tokens.aclose()
