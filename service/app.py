"""`create_app()`: the gateway. The lifespan owns the token manager, the Salesforce client (one
pooled HTTP client), the schema cache and the stores (`service/state/backends.py`: in-process, or
Redis with `REDIS_URL`); routes reach them through the
typed dependencies in `service/deps.py`. Nothing happens at import time.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx2
from fastapi import FastAPI
from starlette.routing import Route

from service.deadline import Deadline
from service.errors import ServiceError
from service.settings import Settings, get_settings

log = logging.getLogger("service.app")

_STARTUP_BUDGET = 10.0


def create_app(
    settings: Settings | None = None,
    *,
    transport: httpx2.AsyncBaseTransport | None = None,
    configure_logs: bool = True,
    freeze_heap: bool = False,
) -> FastAPI:
    """The gateway app for `settings` (default: from the environment); `transport` reaches the org.

    `freeze_heap` (for `serve`): once started, everything allocated so far (modules, schema, policy
    tables) is moved out of the garbage collector's reach (`gc.freeze()`). Under load the objects of
    calls in flight get promoted and die in the oldest generation, which then triggers a full
    collection about every second; without the freeze each one scans the whole heap and stalls
    every call in flight for ~60 ms.
    """
    from service.calls_log import route as post_call
    from service.calls_log.wiring import build_calls_log, install_metrics
    from service.deps import Gateway
    from service.mcp.endpoint import MCP_PATH, McpEndpoint, run_mcp
    from service.salesforce.factory import build_salesforce, close_salesforce
    from service.soql.policy import PolicyConfig
    from service.state.backends import build_stores
    from service.state.shared import RedisCollector
    from service.tools import ops, routes
    from service.tools.docs import install_docs
    from service.tools.errors import install_error_handlers
    from service.tools.get_record import parse_field_sets
    from service.tools.logging import configure_logging
    from service.tools.metrics import Metrics
    from service.tools.middleware import GatewayMiddleware
    from service.tools.schema_cache import SchemaCache

    config = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if configure_logs:
            configure_logging(config)
        stores = build_stores(config)
        collector = RedisCollector(stores.shared) if stores.shared is not None else None
        if collector is not None:
            metrics.registry.register(collector)
        tokens, client = build_salesforce(config, transport=transport, store=stores.tokens)
        schemas = SchemaCache(client, config.allowed_object_names, config.sf_describe_ttl)
        try:
            await asyncio.wait_for(tokens.start(), timeout=_STARTUP_BUDGET)
            await schemas.get(Deadline.after(_STARTUP_BUDGET))
        except (ServiceError, TimeoutError) as exc:
            log.warning("org not reachable at startup (%s); will retry on the first call", type(exc).__name__)
        secret = config.webhook_secret.get_secret_value() if config.webhook_secret else None
        app.state.gateway = Gateway(
            settings=config,
            tokens=tokens,
            salesforce=client,
            schemas=schemas,
            idempotency=stores.idempotency,
            duplicate_locks=stores.duplicate_locks,
            shared=stores.shared,
            policy=PolicyConfig.from_settings(config),
            field_sets=parse_field_sets(config.get_record_fields),
            metrics=metrics,
            webhook_secret=secret,
            # no post-call secret, no post-call events: no outbox file, no ledger writes on the hot path
            calls_log=build_calls_log(config, client, schemas, stores.idempotency, outbox=stores.outbox)
            if config.elevenlabs_webhook_secret
            else None,
        )
        calls_log = app.state.gateway.calls_log
        if calls_log is not None:
            calls_log.start()
        if freeze_heap:
            gc.collect()
            gc.freeze()
        try:
            async with run_mcp(config) as mcp_sessions:  # the MCP session manager lives inside the app's lifespan
                app.state.mcp = mcp_sessions
                yield
        finally:
            if calls_log is not None:
                await calls_log.stop()
                calls_log.close()
            await close_salesforce(tokens, client)
            await stores.aclose()
            if collector is not None:
                metrics.registry.unregister(collector)

    app = FastAPI(
        title="Salesforce tools for voice agents",
        version="1.0",
        description="Webhook tools an ElevenLabs agent calls mid-conversation: search, get and create "
        "Salesforce records, answered in sentences an agent can speak.",
        lifespan=lifespan,
        docs_url=None,  # served offline by install_docs below
        redoc_url=None,
    )
    metrics = Metrics(lambda: getattr(getattr(app.state, "gateway", None), "salesforce", None))
    app.state.metrics = metrics
    install_error_handlers(app)
    app.add_middleware(
        GatewayMiddleware,
        max_body=config.max_body_bytes,
        metrics=metrics,
        body_timeout=config.request_body_timeout,
        path_limits={post_call.PATH: config.post_call_max_body_bytes},
    )
    app.include_router(routes.build_router(config))
    app.include_router(ops.router)
    app.include_router(post_call.router)
    install_metrics(metrics, lambda: getattr(getattr(app.state, "gateway", None), "calls_log", None))
    # An ASGI app (every method goes to the SDK), matched first: the routers before it cost each call.
    app.router.routes.insert(0, Route(MCP_PATH, McpEndpoint()))
    install_docs(app)
    return app
