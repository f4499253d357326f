"""Typed FastAPI dependencies: what a route needs, taken from the lifespan's state.

`authorized_gateway` is the one webhook-secret check; `tool_context` runs it and builds the
per-request `ToolContext` the three tools receive. Every tool route takes `ToolCtx`, so every tool
route is guarded. The secret check is a plain call, not a nested `Depends`: FastAPI re-solves a
sub-dependency's parameters on every use even when its value is cached, and the hot path pays for
each solve.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends
from starlette.requests import Request

from service.calls_log.service import CallsLog
from service.salesforce.client import SalesforceClient
from service.salesforce.token import TokenManager
from service.settings import Settings
from service.soql.policy import PolicyConfig
from service.tools.auth import check_secret, presented_secret
from service.tools.context import ToolContext, budget, within
from service.tools.idempotency import IdempotencyStore
from service.tools.metrics import Metrics
from service.tools.schema_cache import SchemaCache
from service.tools.schemas import CONVERSATION_HEADER, IDEMPOTENCY_HEADER

if TYPE_CHECKING:
    from service.state.shared import SharedRedis


@dataclass
class Gateway:
    """Everything the lifespan owns for one app."""

    settings: Settings
    tokens: TokenManager
    salesforce: SalesforceClient
    schemas: SchemaCache
    idempotency: IdempotencyStore
    duplicate_locks: IdempotencyStore
    policy: PolicyConfig
    field_sets: dict[str, tuple[str, ...]]
    metrics: Metrics
    webhook_secret: str | None
    calls_log: CallsLog | None = None
    shared: SharedRedis | None = None  # the Redis of the shared stores (REDIS_URL), for /readyz
    ready: tuple[float, bool, dict[str, object]] | None = None


async def get_gateway(request: Request) -> Gateway:
    """The lifespan's `Gateway` (no secret check: the ops endpoints use it)."""
    gateway = request.app.state.gateway
    assert isinstance(gateway, Gateway)
    return gateway


GatewayDep = Annotated[Gateway, Depends(get_gateway)]


def authorized_gateway(request: Request) -> Gateway:
    """The gateway, once the request carried the webhook secret (401 otherwise)."""
    gateway = request.app.state.gateway
    assert isinstance(gateway, Gateway)
    check_secret(presented_secret(request), gateway.webhook_secret)
    return gateway


async def tool_context(request: Request) -> ToolContext:
    """The context of one tool call (401 without the secret): its budget starts here, the schema is the cached one."""
    gateway = authorized_gateway(request)
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
        conversation_id=_header(request, CONVERSATION_HEADER),
        idempotency_key=_header(request, IDEMPOTENCY_HEADER),
        ledger=gateway.calls_log.ledger if gateway.calls_log else None,
    )


def _header(request: Request, name: str) -> str | None:
    """A caller-identity header, stripped; None when absent or blank.

    Read here rather than declared as `Header(...)` parameters: FastAPI's per-parameter solve costs
    more than the rest of the context together. The create route declares both headers for the
    OpenAPI docs and their length check (the only route where they change what happens).
    """
    return (request.headers.get(name) or "").strip() or None


ToolCtx = Annotated[ToolContext, Depends(tool_context)]
