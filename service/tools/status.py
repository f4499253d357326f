"""THE status table: for each class of the exception tree, the status, code, fixed sentence and
Retry-After a caller gets. The handlers (`service/tools/errors.py`) and the OpenAPI `responses=` of
the tool routes (`openapi_responses`) are both generated from it, and the tree in
`service/errors.py`'s docstring is checked against it by a test. Rows are looked up along the
exception's MRO, so the most specific class wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
    StoreUnavailable,
    Unavailable,
    UnknownObject,
    WebhookAuthError,
)

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
    StoreUnavailable: Answer(
        503,
        "store_unavailable",
        "The gateway's shared store (Redis) is unavailable: creates wait for it (Retry-After)",
        "I can't save new records for a moment. Please try again in a few seconds; nothing was written.",
        "5",
    ),
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

# Answered outside the tree, for the OpenAPI docs: request validation, and what the HTTP layer
# (`service/tools/middleware.py`, `service/commands/http_protocol.py`) refuses before a route runs.
_HTTP_LEVEL: tuple[tuple[int, str, str], ...] = (
    (400, "Not a valid HTTP request", "bad_request"),
    (408, "The request body did not arrive in time", "request_timeout"),
    (414, "Request URL too long", "uri_too_long"),
    (422, "A parameter or body that failed validation", "invalid_input"),
    (422, "A caller header that is not plain text", "invalid_header"),
)

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
    for status, doc, code in _HTTP_LEVEL:
        docs.setdefault(status, []).append(f"{doc} (`{code}`)")
    return {status: {"model": ErrorResponse, "description": "; ".join(docs[status])} for status in sorted(docs)}
