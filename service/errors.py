"""The one exception tree of the service.

Every failure the gateway can answer with is one of these. The status, code, sentence and
Retry-After a caller gets are decided in one table, `STATUS_TABLE` in `service/tools/status.py`;
the tree below shows what callers get (a test checks it against the table). Salesforce responses
are mapped onto the tree in `service/salesforce/errors.py`.

* ServiceError                      500 internal
  x ConfigError                     500 config_error       (settings that cannot work; the fix named)
  x WebhookAuthError                401 unauthorized       (missing or wrong webhook secret)
  x PayloadTooLarge                 413 payload_too_large
  x InputError                      422 invalid_input      (the agent can correct and retry)
    + SoqlRejected                  422 soql_rejected      (with `suggested_query`)
    + RecordInvalid                 422 invalid_record     (with `fields`)
    + UnknownObject                 422 unknown_object
  x DeadlineExceeded                504 timeout            ("the CRM is slow right now")
  x StoreUnavailable                503 store_unavailable  (Redis down: no create without idempotency; Retry-After)
  x SalesforceError                 502 salesforce_error   (keeps `error_code`, `sf_message`, `fields`)
    + SalesforceAuthError           503 salesforce_auth    (token endpoint refused us; Retry-After)
    + SessionExpired                503 salesforce_auth    (401 INVALID_SESSION_ID after the one refresh)
    + RecordNotFound                404 not_found          (NOT_FOUND, ENTITY_IS_DELETED)
    + MalformedRequest              422 bad_request        (MALFORMED_QUERY, INVALID_FIELD, …: the org's words)
      - DuplicateDetected           409 duplicate          (DUPLICATES_DETECTED, with the match ids)
    + RefusedRequest                403 refused
      - LimitExceeded               429 rate_limited       (REQUEST_LIMIT_EXCEEDED; Retry-After)
    + Unavailable                   503 unavailable        (5xx, connection failures; Retry-After)
    + OutcomeUnknown                503 outcome_unknown    (a write was sent but no answer came back)

A `DeadlineExceeded` whose cause is a `LimitExceeded` or `Unavailable` (retries ran out the budget)
is answered as that cause.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class ServiceError(Exception):
    """Base of every error the service answers with."""

    code: str = "internal"  # for logs; the code a caller gets is the status table's
    retryable: bool = False

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class ConfigError(ServiceError):
    """Settings that cannot work; the message names the fix."""

    code = "config_error"


class WebhookAuthError(ServiceError):
    """Missing or wrong webhook secret."""

    code = "unauthorized"


class PayloadTooLarge(ServiceError):
    """Request body over the configured limit."""

    code = "payload_too_large"


class StoreUnavailable(ServiceError):
    """The shared store (Redis) does not answer: creates are refused, since their idempotency lives there."""

    code = "store_unavailable"
    retryable = True


class InputError(ServiceError):
    """Bad input the agent can correct: the message says how."""

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

    code = "timeout"


class SalesforceError(ServiceError):
    """An error answered by Salesforce (or the embedded org)."""

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

    code = "salesforce_auth"


class SessionExpired(SalesforceError):
    """401 INVALID_SESSION_ID: the token is dead (expired or revoked)."""

    code = "session_expired"


class RecordNotFound(SalesforceError):
    """NOT_FOUND or ENTITY_IS_DELETED."""

    code = "not_found"


class MalformedRequest(SalesforceError):
    """400 from Salesforce: the request itself is wrong."""

    code = "bad_request"


class DuplicateDetected(MalformedRequest):
    """DUPLICATES_DETECTED; `match_ids` are the existing records Salesforce matched."""

    code = "duplicate"

    def __init__(self, message: str, *, match_ids: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.match_ids = list(match_ids)


class RefusedRequest(SalesforceError):
    """403 from Salesforce."""

    code = "refused"


class LimitExceeded(RefusedRequest):
    """REQUEST_LIMIT_EXCEEDED: the org's API allowance is used up for now."""

    code = "rate_limited"
    retryable = True


class Unavailable(SalesforceError):
    """5xx or a connection failure: worth retrying within the deadline."""

    code = "unavailable"
    retryable = True


class OutcomeUnknown(SalesforceError):
    """A write was sent but its answer was lost (timeout, reset): reconcile before retrying."""

    code = "outcome_unknown"
