"""THE mapping of Salesforce answers onto `service.errors`.

Two body shapes exist: REST calls answer a JSON array `[{"message", "errorCode", "fields"?}]`; the
OAuth endpoints answer `{"error", "error_description"}`. Both land here, keep `errorCode`, the
Salesforce message and `fields`, and become one class of the tree chosen by status + errorCode.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2

from service.errors import (
    DuplicateDetected,
    LimitExceeded,
    MalformedRequest,
    RecordNotFound,
    RefusedRequest,
    SalesforceAuthError,
    SalesforceError,
    SessionExpired,
    Unavailable,
)

# errorCode → class, checked before the status table.
_BY_CODE: dict[str, type[SalesforceError]] = {
    "INVALID_SESSION_ID": SessionExpired,
    "INVALID_AUTH_HEADER": SessionExpired,
    "NOT_FOUND": RecordNotFound,
    "ENTITY_IS_DELETED": RecordNotFound,
    "DUPLICATES_DETECTED": DuplicateDetected,
    "REQUEST_LIMIT_EXCEEDED": LimitExceeded,
    "API_DISABLED_FOR_ORG": RefusedRequest,
}

# HTTP status → class when the errorCode says nothing more specific.
_BY_STATUS: dict[int, type[SalesforceError]] = {
    300: MalformedRequest,
    400: MalformedRequest,
    401: SessionExpired,
    403: RefusedRequest,
    404: RecordNotFound,
    405: MalformedRequest,
    409: MalformedRequest,
    414: MalformedRequest,
    415: MalformedRequest,
    429: LimitExceeded,
}

# OAuth `error` / `error_description` → the fix to name (token endpoint).
_AUTH_FIXES: tuple[tuple[str, str], ...] = (
    (
        "request not supported on this domain",
        "use your org's My Domain URL (https://<MyDomain>.my.salesforce.com) "
        "as SF_DOMAIN, not login.salesforce.com or test.salesforce.com",
    ),
    (
        "no client credentials user enabled",
        "set a Run As user for the client credentials flow on the External "
        "Client App (Policies → OAuth → Enable Client Credentials Flow → Run As)",
    ),
    ("invalid_client_id", "check SF_CLIENT_ID: it must be the External Client App's consumer key"),
    ("client identifier invalid", "check SF_CLIENT_ID: it must be the External Client App's consumer key"),
    (
        "invalid_client",
        "check the consumer key and secret (SF_CLIENT_ID / SF_CLIENT_SECRET) of the External Client App",
    ),
    (
        "unsupported_grant_type",
        "enable the Client Credentials Flow on the External Client App and use the My Domain host",
    ),
    ("inactive_user", "the Run As user is inactive: activate it or pick another Run As user"),
    ("inactive_org", "the org is inactive or locked"),
    ("rate_limit_exceeded", "too many token requests (3,600 per hour per user): wait, and cache tokens"),
)


def parse_body(response: httpx2.Response) -> Any:
    """The JSON body, or the text when it is not JSON (never raises)."""
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return response.text


def error_entries(body: Any) -> tuple[str | None, str | None, list[str]]:
    """(errorCode, message, fields) from either body shape; Nones when absent."""
    if isinstance(body, list) and body and isinstance(body[0], dict):
        first = body[0]
        fields = first.get("fields") or []
        return first.get("errorCode"), first.get("message"), [str(f) for f in fields]
    if isinstance(body, dict):
        if "error" in body:
            return str(body["error"]), body.get("error_description"), []
        if "errorCode" in body:
            return str(body["errorCode"]), body.get("message"), list(body.get("fields") or [])
    return None, None, []


def _duplicate_ids(body: Any) -> list[str]:
    """Ids of the records a DUPLICATES_DETECTED answer matched (`duplicateResut`, sic, or fixed)."""
    ids: list[str] = []
    if not isinstance(body, list):
        return ids
    for entry in body:
        if not isinstance(entry, dict):
            continue
        result = entry.get("duplicateResut") or entry.get("duplicateResult") or {}
        for match in result.get("matchResults") or []:
            for rec in match.get("matchRecords") or []:
                rec_id = (rec.get("record") or {}).get("Id")
                if rec_id:
                    ids.append(str(rec_id))
    return ids


def error_class(status: int, code: str | None) -> type[SalesforceError]:
    """The class of the tree for a Salesforce status + errorCode (the errorCode wins)."""
    if code in _BY_CODE:
        return _BY_CODE[code]
    if status >= 500:
        return Unavailable
    return _BY_STATUS.get(status, SalesforceError)


def from_response(response: httpx2.Response) -> SalesforceError:
    """The exception for an error answer from a REST endpoint (status ≥ 300)."""
    status = response.status_code
    body = parse_body(response)
    code, sf_message, fields = error_entries(body)
    cls = error_class(status, code)
    text = sf_message or (body if isinstance(body, str) and body else f"HTTP {status}")
    message = f"Salesforce {code or status}: {text}".strip()
    kwargs: dict[str, Any] = {
        "error_code": code,
        "sf_message": sf_message,
        "fields": fields,
        "http_status": status,
        "body": body,
    }
    if cls is DuplicateDetected:
        return DuplicateDetected(message, match_ids=_duplicate_ids(body), **kwargs)
    return cls(message, **kwargs)


def auth_fix(error: str | None, description: str | None) -> str:
    """The fix to name for a token-endpoint refusal."""
    haystack = f"{error or ''} {description or ''}".lower()
    for needle, fix in _AUTH_FIXES:
        if needle in haystack:
            return fix
    return "check SF_DOMAIN, SF_CLIENT_ID, SF_CLIENT_SECRET and the External Client App's OAuth policies"


def from_token_response(response: httpx2.Response) -> SalesforceError:
    """The exception for a failed token request: 5xx → Unavailable (retryable), 4xx → auth error."""
    status = response.status_code
    body = parse_body(response)
    code, description, _ = error_entries(body)
    if status >= 500:
        return Unavailable(
            f"token endpoint answered HTTP {status}", error_code=code, sf_message=description, http_status=status
        )
    fix = auth_fix(code, description)
    detail = f"{code}: {description}" if description else (code or f"HTTP {status}")
    return SalesforceAuthError(
        f"Salesforce refused the token request ({detail}) — {fix}",
        error_code=code,
        sf_message=description,
        http_status=status,
    )
