"""THE mapping of the exception tree to HTTP answers: `{"error": {"code", "message"}}`.

Messages are speakable and never carry stack traces, tokens or raw upstream bodies. Salesforce
failures the caller can't fix get a fixed sentence; the detail goes to the log only.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from service.errors import (
    ConfigError,
    DeadlineExceeded,
    DuplicateDetected,
    InputError,
    LimitExceeded,
    MalformedRequest,
    OutcomeUnknown,
    RecordNotFound,
    RefusedRequest,
    SalesforceAuthError,
    SalesforceError,
    ServiceError,
    SessionExpired,
    SoqlRejected,
    Unavailable,
)

log = logging.getLogger("service.tools")

SLOW = "The CRM is slow right now, so I couldn't finish that. Please try again in a moment."
RETRY_AFTER = {LimitExceeded: "30", Unavailable: "2", OutcomeUnknown: "2", SalesforceAuthError: "30"}

# Fixed sentences for failures the agent cannot fix by changing its request.
_FIXED: list[tuple[type[ServiceError], str]] = [
    (DeadlineExceeded, SLOW),
    (LimitExceeded, "The CRM has hit its API limit for now. Please try again later."),
    (
        OutcomeUnknown,
        "I couldn't confirm whether the record was saved. Wait a moment and send the same "
        "request again: it checks for the record before creating anything.",
    ),
    (SalesforceAuthError, "The gateway can't sign in to the CRM right now. Please try again later."),
    (SessionExpired, "The gateway can't sign in to the CRM right now. Please try again later."),
    (Unavailable, "The CRM is unavailable right now. Please try again in a moment."),
    (RefusedRequest, "The CRM refused that request: the integration user lacks access to it."),
    (ConfigError, "The gateway is misconfigured; an administrator needs to fix its settings."),
]


def error_body(exc: ServiceError) -> tuple[int, dict[str, Any], dict[str, str]]:
    """Status, JSON body and headers for one error of the tree."""
    # Retries that ran out the budget answer as what kept failing (a rate limit, an outage).
    if isinstance(exc, DeadlineExceeded) and isinstance(exc.__cause__, (LimitExceeded, Unavailable)):
        exc = exc.__cause__
    status, code, message = exc.status, exc.code, exc.message
    for cls, sentence in _FIXED:
        if isinstance(exc, cls):
            message = sentence
            break
    else:
        if isinstance(exc, RecordNotFound):
            message = (
                exc.message
                if not exc.error_code
                else ("I couldn't find that record; it may have been deleted. Search again for its current Id.")
            )
        elif isinstance(exc, DuplicateDetected):
            message = "That record already exists in the CRM."
        elif isinstance(exc, MalformedRequest):
            said = (exc.sf_message or "").strip()[:200]
            message = "The CRM refused the request" + (f": {said}" if said else ".")
            status = 422
        elif isinstance(exc, SalesforceError):
            message = "The CRM returned an error. Please try again in a moment."
    if isinstance(exc, SessionExpired):
        status, code = 503, "salesforce_auth"
    detail: dict[str, Any] = {"code": code, "message": message}
    fields = getattr(exc, "fields", None)
    if isinstance(exc, InputError) and fields:
        detail["fields"] = list(fields)
    if isinstance(exc, SoqlRejected) and exc.suggested_query:
        detail["suggested_query"] = exc.suggested_query
    headers: dict[str, str] = {}
    for cls, seconds in RETRY_AFTER.items():
        if isinstance(exc, cls):
            headers["Retry-After"] = seconds
            break
    return status, {"error": detail}, headers


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


async def _service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    status, body, headers = error_body(exc)
    level = logging.WARNING if status >= 500 else logging.INFO
    log.log(level, "tool error %s %s: %s", status, body["error"]["code"], exc.message)
    _count_error(request, body["error"]["code"])
    return _json(status, body, headers)


def _validation_message(exc: RequestValidationError) -> tuple[str, list[str]]:
    fields: list[str] = []
    parts: list[str] = []
    for err in exc.errors()[:5]:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header")]
        name = ".".join(loc) or "the request body"
        fields.append(name)
        parts.append(f"{name}: {str(err.get('msg', 'invalid')).lower()}")
    return "The request is invalid: " + "; ".join(parts) + ".", fields


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    message, fields = _validation_message(exc)
    _count_error(request, "invalid_input")
    return _json(422, {"error": {"code": "invalid_input", "message": message, "fields": fields}})


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400:  # a body that isn't JSON: the agent can fix it like any other input
        _count_error(request, "invalid_input")
        return _json(
            422,
            {"error": {"code": "invalid_input", "message": "The request body must be a JSON object of record fields."}},
        )
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    message = {
        404: "There is no such tool endpoint.",
        405: "That method is not allowed on this tool.",
    }.get(exc.status_code, str(exc.detail))
    _count_error(request, code)
    return _json(exc.status_code, {"error": {"code": code, "message": message}}, dict(exc.headers or {}))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error in %s", request.url.path)
    _count_error(request, "internal")
    return _json(500, {"error": {"code": "internal", "message": "Something went wrong in the gateway."}})


def _count_error(request: Request, code: str) -> None:
    metrics = getattr(request.app.state, "metrics", None)
    if metrics is not None:
        metrics.error(request.url.path, code)


def install_error_handlers(app: FastAPI) -> None:
    """Register the one mapping on `app`."""
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
