"""Typed FastAPI dependencies: what a route needs, taken from the lifespan's state.

`authorized_gateway` is the one webhook-secret check; `tool_context` builds the per-request
`ToolContext` the three tools receive. FastAPI caches both per request, so the router's guard and
the route's parameter share one solve.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header
from starlette.requests import Request

from service.salesforce.client import SalesforceClient
from service.salesforce.token import TokenManager
from service.settings import Settings
from service.soql.policy import PolicyConfig
from service.tools.auth import check_secret, presented_secret
from service.tools.context import ToolContext, budget, within
from service.tools.idempotency import IdempotencyStore, InMemoryIdempotencyStore
from service.tools.metrics import Metrics
from service.tools.schema_cache import SchemaCache
from service.tools.schemas import (
    CONVERSATION_HEADER,
    CONVERSATION_ID_DESCRIPTION,
    IDEMPOTENCY_HEADER,
    IDEMPOTENCY_KEY_DESCRIPTION,
)


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
    """The lifespan's `Gateway` (no secret check: the ops endpoints use it)."""
    gateway = request.app.state.gateway
    assert isinstance(gateway, Gateway)
    return gateway


GatewayDep = Annotated[Gateway, Depends(get_gateway)]


async def authorized_gateway(request: Request) -> Gateway:
    """The gateway, once the request carried the webhook secret (401 otherwise)."""
    gateway = await get_gateway(request)
    check_secret(presented_secret(request), gateway.webhook_secret)
    return gateway


AuthorizedGateway = Annotated[Gateway, Depends(authorized_gateway)]


async def tool_context(
    gateway: AuthorizedGateway,
    conversation_id: Annotated[
        str | None, Header(alias=CONVERSATION_HEADER, description=CONVERSATION_ID_DESCRIPTION, max_length=200)
    ] = None,
    idempotency_key: Annotated[
        str | None, Header(alias=IDEMPOTENCY_HEADER, description=IDEMPOTENCY_KEY_DESCRIPTION, max_length=200)
    ] = None,
) -> ToolContext:
    """The context of one tool call: its budget starts here, the schema is the cached one."""
    deadline = budget(gateway.settings)
    schema = gateway.schemas.fresh()
    if schema is None:
        schema = await within(deadline, gateway.schemas.get(deadline))
    return ToolContext(
        client=gateway.salesforce,
        schema=schema,
        settings=gateway.settings,
        policy=gateway.policy,
        field_sets=gateway.field_sets,
        store=gateway.idempotency,
        duplicate_locks=gateway.duplicate_locks,
        deadline=deadline,
        conversation_id=(conversation_id or "").strip() or None,
        idempotency_key=(idempotency_key or "").strip() or None,
    )


ToolCtx = Annotated[ToolContext, Depends(tool_context)]
