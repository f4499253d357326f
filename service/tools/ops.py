"""Operations endpoints: /healthz (alive), /readyz (token held, org reachable, Redis), /metrics."""

from __future__ import annotations

import time

from fastapi import APIRouter
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.responses import JSONResponse, Response

from service.deadline import Deadline
from service.deps import GatewayDep
from service.errors import ServiceError
from service.tools.schemas import HealthResponse

router = APIRouter()
_READY_CACHE_SECONDS = 5.0


@router.get("/healthz", response_model=HealthResponse, include_in_schema=False)
async def healthz() -> HealthResponse:
    """The process is up."""
    return HealthResponse(status="ok")


@router.get("/readyz", response_model=HealthResponse, include_in_schema=False)
async def readyz(gateway: GatewayDep) -> Response:
    """Ready when a token is held and the org answers a query (checked at most every 5 s)."""
    cached = gateway.ready
    checks: dict[str, object] = {}
    if cached is not None and cached[0] > time.monotonic():
        ok, checks = cached[1], cached[2]
    else:
        deadline = Deadline.after(3.0)
        try:
            await gateway.tokens.get_token(deadline)
            checks["token"] = gateway.tokens.has_token
            await gateway.salesforce.query("SELECT Id FROM User LIMIT 1", deadline=deadline)
            checks["org"] = True
        except ServiceError as exc:
            checks.setdefault("token", gateway.tokens.has_token)
            checks["org"] = False
            checks["error"] = exc.code
        if gateway.shared is not None:  # searches and gets go on without Redis; creates wait for it
            checks["redis"] = await gateway.shared.ping()
            if not checks["redis"]:
                checks["degraded"] = "creates (Redis unavailable); searches and gets use this replica's token"
        ok = bool(checks.get("token")) and checks.get("org") is True
        gateway.ready = (time.monotonic() + _READY_CACHE_SECONDS, ok, checks)
    if gateway.calls_log is not None:  # detail only: undelivered calls do not make the gateway unready
        checks = {**checks, "post_call": gateway.calls_log.status()}
    body = HealthResponse(status="ready" if ok else "not_ready", checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)


@router.get("/metrics", include_in_schema=False)
async def metrics(gateway: GatewayDep) -> Response:
    """Prometheus exposition."""
    return Response(gateway.metrics.render(), media_type=CONTENT_TYPE_LATEST)
