"""THE mapping of the exception tree to HTTP answers: `{"error": {"code", "message"}}`.

`STATUS_TABLE` is the one place a status is decided: class → status, code, fixed sentence and
Retry-After, looked up along the exception's MRO (the most specific class wins). The handlers below
and the OpenAPI `responses=` of the tool routes (`openapi_responses`) are both generated from it,
and the tree in `service/errors.py`'s docstring is checked against it by a test.

Messages are speakable and never carry stack traces, tokens or raw upstream bodies. Salesforce
failures the caller can't fix get a fixed sentence; the detail goes to the log only. A request the
org refused (`MalformedRequest`: INVALID_FIELD, MALFORMED_QUERY, …) is something the agent can fix,
so it answers 422 with the org's own sentence, trimmed, and the fields it names.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
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
    PayloadTooLarge,
    RecordInvalid,
    RecordNotFound,
    RefusedRequest,
    SalesforceAuthError,
    SalesforceError,
    ServiceError,
    SessionExpired,
    SoqlRejected,
    Unavailable,
    UnknownObject,
    WebhookAuthError,
)

log = logging.getLogger("service.tools")

SLOW = "The CRM is slow right now, so I couldn't finish that. Please try again in a moment."
_SIGN_IN = "The gateway can't sign in to the CRM right now. Please try again later."


@dataclass(frozen=True)
class Answer:
    """How one class of the tree is answered; `message=None` keeps the error's own sentence."""

    status: int
    code: str
    doc: str
    message: str | None = None
    retry_after: str | None = None
    # RecordNotFound: our own sentence when the gateway raised it, the fixed one when the org did.
    fixed_only_from_org: bool = False


STATUS_TABLE: dict[type[ServiceError], Answer] = {
    ServiceError: Answer(500, "internal", "Gateway failure"),
    ConfigError: Answer(
        500,
        "config_error",
        "The gateway is misconfigured",
        "The gateway is misconfigured; an administrator needs to fix its settings.",
    ),
    WebhookAuthError: Answer(401, "unauthorized", "Missing or wrong webhook secret"),
    PayloadTooLarge: Answer(413, "payload_too_large", "Request body too large"),
    InputError: Answer(422, "invalid_input", "Input the agent can correct (the message says how)"),
    SoqlRejected: Answer(422, "soql_rejected", "A query the SOQL policy refused (with suggested_query)"),
    RecordInvalid: Answer(422, "invalid_record", "A record the create guard refused (with fields)"),
    UnknownObject: Answer(422, "unknown_object", "An object type the tools don't work with"),
    DeadlineExceeded: Answer(504, "timeout", "The time budget ran out: the CRM is slow", SLOW),
    SalesforceError: Answer(
        502,
        "salesforce_error",
        "The CRM returned an error",
        "The CRM returned an error. Please try again in a moment.",
    ),
    SalesforceAuthError: Answer(
        503, "salesforce_auth", "The gateway can't sign in to the CRM (Retry-After)", _SIGN_IN, "30"
    ),
    SessionExpired: Answer(503, "salesforce_auth", "The CRM session could not be renewed", _SIGN_IN),
    RecordNotFound: Answer(
        404,
        "not_found",
        "Record not found (deleted, or a wrong Id)",
        "I couldn't find that record; it may have been deleted. Search again for its current Id.",
        fixed_only_from_org=True,
    ),
    MalformedRequest: Answer(
        422, "bad_request", "The CRM refused the request: the message names the field and what to change"
    ),
    DuplicateDetected: Answer(
        409, "duplicate", "The record already exists in the CRM", "That record already exists in the CRM."
    ),
    RefusedRequest: Answer(
        403,
        "refused",
        "The integration user lacks access",
        "The CRM refused that request: the integration user lacks access to it.",
    ),
    LimitExceeded: Answer(
        429,
        "rate_limited",
        "The org's API limit is used up (Retry-After)",
        "The CRM has hit its API limit for now. Please try again later.",
        "30",
    ),
    Unavailable: Answer(
        503,
        "unavailable",
        "The CRM is unavailable (Retry-After)",
        "The CRM is unavailable right now. Please try again in a moment.",
        "2",
    ),
    OutcomeUnknown: Answer(
        503,
        "outcome_unknown",
        "A create was sent but its answer was lost: send the same request again (Retry-After)",
        "I couldn't confirm whether the record was saved. Wait a moment and send the same "
        "request again: it checks for the record before creating anything.",
        "2",
    ),
}

# Answered outside the tree (request validation, unknown endpoints), for the OpenAPI docs.
_HTTP_LEVEL: tuple[tuple[int, str], ...] = ((422, "A parameter or body that failed validation"),)

_ANSWERS: dict[type[BaseException], Answer] = {}


def answer_for(cls: type[ServiceError]) -> Answer:
    """The table's row for `cls`: its own, or its nearest ancestor's (remembered per class)."""
    found = _ANSWERS.get(cls)
    if found is None:
        found = next(STATUS_TABLE[c] for c in cls.__mro__ if c in STATUS_TABLE)
        _ANSWERS[cls] = found
    return found


def openapi_responses() -> dict[int | str, dict[str, Any]]:
    """The `responses=` of the tool routes: every status the table can answer, with what it means."""
    from service.tools.schemas import ErrorResponse

    docs: dict[int, list[str]] = {}
    for answer in STATUS_TABLE.values():
        docs.setdefault(answer.status, []).append(f"{answer.doc} (`{answer.code}`)")
    for status, doc in _HTTP_LEVEL:
        docs.setdefault(status, []).append(f"{doc} (`invalid_input`)")
    return {status: {"model": ErrorResponse, "description": "; ".join(docs[status])} for status in sorted(docs)}


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
    message = "The CRM refused the request" + (f": {said.rstrip('.')}." if said else ".")
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
