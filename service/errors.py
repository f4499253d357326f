"""The one exception tree of the service.

Every failure the gateway can answer with is one of these; `service/tools/errors.py` maps the
tree to HTTP answers in one place (status from the class, a speakable `message`, a stable `code`).
Salesforce responses are mapped to it in `service/salesforce/errors.py`.

* ServiceError                      500 internal
  x ConfigError                     500 config_error       (settings that cannot work; the fix named)
  x WebhookAuthError                401 unauthorized       (missing or wrong webhook secret)
  x PayloadTooLarge                 413 payload_too_large
  x InputError                      422 invalid_input      (the agent can correct and retry)
    + SoqlRejected                  422 soql_rejected      (with `suggested_query`)
    + RecordInvalid                 422 invalid_record     (with `fields`)
    + UnknownObject                 404/422 unknown_object
  x DeadlineExceeded                504 timeout            ("the CRM is slow right now")
  x SalesforceError                 502 salesforce_error   (keeps `error_code`, `sf_message`, `fields`)
    + SalesforceAuthError           503 salesforce_auth    (token endpoint refused us; the fix named)
    + SessionExpired                401 INVALID_SESSION_ID (internal: triggers one refresh)
    + RecordNotFound                404 not_found          (NOT_FOUND, ENTITY_IS_DELETED)
    + MalformedRequest              400 bad_request        (MALFORMED_QUERY, INVALID_FIELD, …)
      - DuplicateDetected           409 duplicate          (DUPLICATES_DETECTED, with the match ids)
    + RefusedRequest                403 refused
      - LimitExceeded               429 rate_limited       (REQUEST_LIMIT_EXCEEDED; retryable)
    + Unavailable                   503 unavailable        (5xx, connection failures; retryable)
    + OutcomeUnknown                503 outcome_unknown    (a write was sent but no answer came back)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class ServiceError(Exception):
    """Base of every error the service answers with."""

    status: int = 500
    code: str = "internal"
    retryable: bool = False

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class ConfigError(ServiceError):
    """Settings that cannot work; the message names the fix."""

    code = "config_error"


class WebhookAuthError(ServiceError):
    """Missing or wrong webhook secret."""

    status = 401
    code = "unauthorized"


class PayloadTooLarge(ServiceError):
    """Request body over the configured limit."""

    status = 413
    code = "payload_too_large"


class InputError(ServiceError):
    """Bad input the agent can correct: the message says how."""

    status = 422
    code = "invalid_input"

    def __init__(self, message: str, *, fields: Sequence[str] = (), code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.fields = list(fields)


class SoqlRejected(InputError):
    """A query the SOQL policy refused; `suggested_query` is a fix when one exists."""

    code = "soql_rejected"

    def __init__(self, message: str, *, suggested_query: str | None = None) -> None:
        super().__init__(message)
        self.suggested_query = suggested_query


class RecordInvalid(InputError):
    """A record the create guard refused (missing, unknown or badly formatted fields)."""

    code = "invalid_record"


class UnknownObject(InputError):
    """An object type that is not on the allow-list or does not exist."""

    code = "unknown_object"


class DeadlineExceeded(ServiceError):
    """The tool's time budget ran out."""

    status = 504
    code = "timeout"


class SalesforceError(ServiceError):
    """An error answered by Salesforce (or the embedded org)."""

    status = 502
    code = "salesforce_error"

    def __init__(
        self,
        message: str,
        *,
        error_code: str | None = None,
        sf_message: str | None = None,
        fields: Sequence[str] = (),
        http_status: int | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.error_code = error_code
        self.sf_message = sf_message
        self.fields = list(fields)
        self.http_status = http_status
        # The parsed upstream body, for reconciliation logic only; never sent to callers.
        self.body = body


class SalesforceAuthError(SalesforceError):
    """The token endpoint refused the credentials; the message names the fix."""

    status = 503
    code = "salesforce_auth"


class SessionExpired(SalesforceError):
    """401 INVALID_SESSION_ID: the token is dead (expired or revoked)."""

    status = 401
    code = "session_expired"


class RecordNotFound(SalesforceError):
    """NOT_FOUND or ENTITY_IS_DELETED."""

    status = 404
    code = "not_found"


class MalformedRequest(SalesforceError):
    """400 from Salesforce: the request itself is wrong."""

    status = 400
    code = "bad_request"


class DuplicateDetected(MalformedRequest):
    """DUPLICATES_DETECTED; `match_ids` are the existing records Salesforce matched."""

    status = 409
    code = "duplicate"

    def __init__(self, message: str, *, match_ids: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.match_ids = list(match_ids)


class RefusedRequest(SalesforceError):
    """403 from Salesforce."""

    status = 403
    code = "refused"


class LimitExceeded(RefusedRequest):
    """REQUEST_LIMIT_EXCEEDED: the org's API allowance is used up for now."""

    status = 429
    code = "rate_limited"
    retryable = True


class Unavailable(SalesforceError):
    """5xx or a connection failure: worth retrying within the deadline."""

    status = 503
    code = "unavailable"
    retryable = True


class OutcomeUnknown(SalesforceError):
    """A write was sent but its answer was lost (timeout, reset): reconcile before retrying."""

    status = 503
    code = "outcome_unknown"
