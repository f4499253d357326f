"""Typed FastAPI dependencies: what a route needs, taken from the lifespan's state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends
from starlette.requests import Request

from service.salesforce.client import SalesforceClient
from service.salesforce.token import TokenManager
from service.settings import Settings
from service.soql.policy import PolicyConfig
from service.tools.auth import check_secret, presented_secret
from service.tools.idempotency import IdempotencyStore, InMemoryIdempotencyStore
from service.tools.metrics import Metrics
from service.tools.schema_cache import SchemaCache


@dataclass
class Gateway:
    """Everything the lifespan owns for one app."""

    settings: Settings
    tokens: TokenManager
    salesforce: SalesforceClient
    schemas: SchemaCache
    idempotency: IdempotencyStore
    duplicate_locks: InMemoryIdempotencyStore
    policy: PolicyConfig
    field_sets: dict[str, tuple[str, ...]]
    metrics: Metrics
    webhook_secret: str | None
    ready: tuple[float, bool, dict[str, object]] | None = None


async def get_gateway(request: Request) -> Gateway:
    gateway: Any = request.app.state.gateway
    assert isinstance(gateway, Gateway)
    return gateway


GatewayDep = Annotated[Gateway, Depends(get_gateway)]


async def get_settings_dep(gateway: GatewayDep) -> Settings:
    return gateway.settings


async def get_salesforce(gateway: GatewayDep) -> SalesforceClient:
    return gateway.salesforce


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SalesforceDep = Annotated[SalesforceClient, Depends(get_salesforce)]


async def require_webhook_secret(request: Request, gateway: GatewayDep) -> None:
    """401 unless the request carries the webhook secret."""
    check_secret(presented_secret(request), gateway.webhook_secret)
