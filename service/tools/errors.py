"""The handlers that turn the exception tree into HTTP answers: `{"error": {"code", "message"}}`.

Status, code, sentence and Retry-After come from the one table, `service/tools/status.py`.
Messages are speakable and never carry stack traces, tokens or raw upstream bodies. Salesforce
failures the caller can't fix get a fixed sentence; the detail goes to the log only. A request the
org refused (`MalformedRequest`: INVALID_FIELD, MALFORMED_QUERY, …) is something the agent can fix,
so it answers 422 with the org's own sentence, trimmed, and the fields it names.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from service.errors import (
    DeadlineExceeded,
    InputError,
    LimitExceeded,
    MalformedRequest,
    SalesforceError,
    ServiceError,
    SoqlRejected,
    Unavailable,
)
from service.tools.status import answer_for

log = logging.getLogger("service.tools")


# The org's query errors echo the query and a caret before the sentence that matters.
_ECHO = re.compile(r"ERROR at Row:\d+:Column:\d+\s*", re.S)
# How the org names the field at fault: "No such column 'Foo__c'", "field 'Description' can not be …".
_QUOTED_FIELD = re.compile(r"(?:column|field) '([A-Za-z][A-Za-z0-9_.]*)'", re.I)


def _org_refusal(exc: MalformedRequest) -> tuple[str, list[str]]:
    """The org's sentence, trimmed, and the fields it names, for a 422 the agent can act on."""
    said = (exc.sf_message or "").strip()
    parts = _ECHO.split(said)
    said = " ".join(parts[-1].split()) if parts else ""
    if len(said) > 200:
        said = said[:200].rsplit(" ", 1)[0] + "…"
    fields = [f for f in exc.fields if f] or _QUOTED_FIELD.findall(said)
    message = "The CRM refused the request" + (f": {said.rstrip('.')}" if said else "")
    message += "" if message.endswith("…") else "."
    if fields:
        message += f" Fix or leave out {', '.join(fields)} and try again."
    else:
        message += " Change the request as it says and try again."
    return message, fields


def error_body(exc: ServiceError) -> tuple[int, dict[str, Any], dict[str, str]]:
    """Status, JSON body and headers for one error of the tree."""
    # Retries that ran out the budget answer as what kept failing (a rate limit, an outage).
    if isinstance(exc, DeadlineExceeded) and isinstance(exc.__cause__, (LimitExceeded, Unavailable)):
        exc = exc.__cause__
    answer = answer_for(type(exc))
    message = exc.message
    if answer.message is not None and not (
        answer.fixed_only_from_org and isinstance(exc, SalesforceError) and not exc.error_code
    ):
        message = answer.message
    detail: dict[str, Any] = {"code": answer.code, "message": message}
    if isinstance(exc, MalformedRequest) and answer.message is None:
        detail["message"], fields = _org_refusal(exc)
        if fields:
            detail["fields"] = fields
    if isinstance(exc, InputError) and exc.fields:
        detail["fields"] = list(exc.fields)
    if isinstance(exc, SoqlRejected) and exc.suggested_query:
        detail["suggested_query"] = exc.suggested_query
    headers = {"Retry-After": answer.retry_after} if answer.retry_after else {}
    return answer.status, {"error": detail}, headers


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


async def _service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    status, body, headers = error_body(exc)
    level = logging.WARNING if status >= 500 else logging.INFO
    log.log(level, "tool error %s %s: %s", status, body["error"]["code"], exc.message)
    _count_error(request, body["error"]["code"])
    return _json(status, body, headers)


def validation_message(exc: RequestValidationError) -> tuple[str, list[str]]:
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
    message, fields = validation_message(exc)
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
