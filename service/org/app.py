"""The embedded org's ASGI app: `create_app(config, faults=None)`.

Routes: OAuth (`/services/oauth2/token|introspect|revoke`), REST under
`/services/data/vXX.X/` (see `service.org.rest` and `service.org.query_api`), and the loopback-only
`GET /_org/stats`. Unknown paths get Salesforce's NOT_FOUND array. When `service.org.faults` is
present, its `install(app, faults)` adds fault injection (default: `config.fault_spec`, usually none).
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from service.errors import SalesforceError
from service.org import endpoint, limits_api, oauth, query_api, rest, search_api
from service.org.errors import NOT_FOUND_MESSAGE
from service.org.seed import seed_store
from service.org.state import OrgConfig, OrgState, json_response, org_state
from service.schema import Schema

LOOPBACK = ("127.", "::1", "localhost", "testclient")
DATA = "/services/data/{version}"


class LatencyMiddleware:
    """Delays every API request by `config.latency_ms` (read per request, so it can change live)."""

    def __init__(self, app: ASGIApp, state: OrgState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        delay = self.state.config.latency_ms
        if delay > 0 and scope["type"] == "http" and str(scope.get("path", "")).startswith("/services/"):
            await asyncio.sleep(delay / 1000)
        await self.app(scope, receive, send)


def is_loopback(request: Request) -> bool:
    """True when the caller is on this machine."""
    host = request.client.host if request.client else ""
    return host.startswith(LOOPBACK)


async def stats(request: Request) -> Response:
    """`GET /_org/stats` (loopback only): request counters and records per object."""
    if not is_loopback(request):
        return json_response([{"errorCode": "NOT_FOUND", "message": NOT_FOUND_MESSAGE}], status=404)
    return json_response(org_state(request).snapshot())


async def _salesforce_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SalesforceError)
    return endpoint.error_response(exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 405:
        body = [{"errorCode": "METHOD_NOT_ALLOWED", "message": f"HTTP Method '{request.method}' not allowed."}]
        return json_response(body, status=405)
    return json_response([{"errorCode": "NOT_FOUND", "message": NOT_FOUND_MESSAGE}], status=404)


def routes() -> list[Route]:
    """Every route of the org (order matters: `describe` before `{record_id}`)."""
    sobj = f"{DATA}/sobjects/{{sobject}}"
    return [
        Route("/services/oauth2/token", oauth.token, methods=["POST"]),
        Route("/services/oauth2/introspect", oauth.introspect, methods=["POST"]),
        Route("/services/oauth2/revoke", oauth.revoke, methods=["POST", "GET"]),
        Route("/services/data", rest.versions, methods=["GET"]),
        Route("/services/data/", rest.versions, methods=["GET"]),
        Route(DATA, rest.resources, methods=["GET"]),
        Route(f"{DATA}/", rest.resources, methods=["GET"]),
        Route(f"{DATA}/limits", limits_api.limits, methods=["GET"]),
        Route(f"{DATA}/limits/", limits_api.limits, methods=["GET"]),
        Route(f"{DATA}/sobjects", rest.describe_global, methods=["GET"]),
        Route(f"{DATA}/sobjects/", rest.describe_global, methods=["GET"]),
        Route(f"{sobj}/describe", rest.describe, methods=["GET"]),
        Route(f"{sobj}/describe/", rest.describe, methods=["GET"]),
        Route(sobj, rest.sobject_info, methods=["GET"]),
        Route(sobj, rest.create, methods=["POST"]),
        Route(f"{sobj}/", rest.sobject_info, methods=["GET"]),
        Route(f"{sobj}/", rest.create, methods=["POST"]),
        Route(f"{sobj}/{{record_id}}", rest.get_record, methods=["GET"]),
        Route(f"{sobj}/{{record_id}}", rest.update, methods=["PATCH"]),
        Route(f"{sobj}/{{record_id}}", rest.delete, methods=["DELETE"]),
        Route(f"{DATA}/query", query_api.query, methods=["GET"]),
        Route(f"{DATA}/query/", query_api.query, methods=["GET"]),
        Route(f"{DATA}/queryAll", query_api.query_all, methods=["GET"]),
        Route(f"{DATA}/queryAll/", query_api.query_all, methods=["GET"]),
        Route(f"{DATA}/query/{{locator}}", query_api.query_more, methods=["GET"]),
        Route(f"{DATA}/queryAll/{{locator}}", query_api.query_more, methods=["GET"]),
        Route(f"{DATA}/search", search_api.search, methods=["GET"]),
        Route(f"{DATA}/search/", search_api.search, methods=["GET"]),
        Route(f"{DATA}/parameterizedSearch", search_api.parameterized_search, methods=["GET", "POST"]),
        Route(f"{DATA}/parameterizedSearch/", search_api.parameterized_search, methods=["GET", "POST"]),
        Route(f"{DATA}/limits/recordCount", limits_api.record_count, methods=["GET"]),
        Route("/_org/stats", stats, methods=["GET"]),
    ]


def install_faults(app: Starlette, faults: Any | None, spec: str | None = None) -> None:
    """Call `service.org.faults.install(app, faults)` when that module exists.

    A given `Faults` that is still empty takes the faults of `spec` (`OrgConfig.fault_spec`, from ORG_FAULTS).
    """
    if importlib.util.find_spec("service.org.faults") is None:
        return
    module = importlib.import_module("service.org.faults")
    live = faults if faults is not None else module.Faults()
    if not live.faults:
        for fault in module.Faults.from_spec(spec).faults:
            live.add(fault.kind, scope=fault.scope, times=fault.remaining, delay=fault.delay, status=fault.status)
    module.install(app, live)


def create_app(
    config: OrgConfig | None = None, *, faults: Any | None = None, schema: Schema | None = None
) -> Starlette:
    """The org's ASGI app; opens (and on first start seeds) the SQLite file in `config.data_dir`."""
    cfg = config or OrgConfig()
    state = OrgState(cfg, schema)
    if cfg.seed_if_empty and state.store.is_empty():
        seed_store(state.store, seed=cfg.seed)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        state.close()

    app = Starlette(
        routes=routes(),
        lifespan=lifespan,
        exception_handlers={SalesforceError: _salesforce_error, HTTPException: _http_error},
    )
    app.state.org = state
    app.add_middleware(LatencyMiddleware, state=state)
    install_faults(app, faults, cfg.fault_spec)
    return app
