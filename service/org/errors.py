"""Salesforce-shaped error answers of the embedded org, raised as the service's exception tree.

Handlers raise `sf_error(...)` (REST: a JSON array of `{message, errorCode[, fields]}`) or
`oauth_error(...)` (token endpoint: `{error, error_description}`); the app renders
`exc.body` with `exc.http_status`. Query errors omit `fields`; DML errors carry it (maybe `[]`).

The org is Salesforce, not a client of it: its errors are one class, `OrgError`, rendered as the
body it carries. It never borrows the gateway's mapping (`service.salesforce.errors`), so a change
there cannot change the fake the gateway is tested against.
"""

from __future__ import annotations

from collections.abc import Sequence

from service.errors import SalesforceAuthError, SalesforceError

NOT_FOUND_MESSAGE = "The requested resource does not exist"


class OrgError(SalesforceError):
    """An answer of the embedded org: `http_status` and the Salesforce-shaped `body`."""

    status = 400
    code = "org_error"


def sf_error(status: int, error_code: str, message: str, fields: Sequence[str] | None = None) -> SalesforceError:
    """A REST error; `fields=None` leaves the key out (query errors), `[]` keeps it (DML errors)."""
    item: dict[str, object] = {"message": message, "errorCode": error_code}
    if fields is not None:
        item["fields"] = list(fields)
    return OrgError(
        message, error_code=error_code, sf_message=message, fields=fields or (), http_status=status, body=[item]
    )


def sf_error_body(status: int, body: list[dict[str, object]]) -> SalesforceError:
    """A REST error with a ready-made body (e.g. DUPLICATES_DETECTED)."""
    first = body[0]
    return OrgError(
        str(first.get("message", "")),
        error_code=str(first.get("errorCode", "")),
        sf_message=str(first.get("message", "")),
        http_status=status,
        body=body,
    )


def oauth_error(error: str, description: str, status: int = 400) -> SalesforceError:
    """A token-endpoint error: `{"error": ..., "error_description": ...}`."""
    return SalesforceAuthError(
        description,
        error_code=error,
        sf_message=description,
        http_status=status,
        body={"error": error, "error_description": description},
    )


def session_invalid() -> SalesforceError:
    """401 for an expired, revoked or unknown token."""
    return sf_error(401, "INVALID_SESSION_ID", "Session expired or invalid")


def not_found() -> SalesforceError:
    """404 NOT_FOUND for an unknown resource, object or id."""
    return sf_error(404, "NOT_FOUND", NOT_FOUND_MESSAGE)


def malformed_query(message: str) -> SalesforceError:
    """400 MALFORMED_QUERY."""
    return sf_error(400, "MALFORMED_QUERY", message)


def caret_message(soql: str, column: int, text: str) -> str:
    """Salesforce's caret message: the query, a caret under `column` (1-based), the position, the text."""
    return f"\n{soql}\n{' ' * (column - 1)}^\nERROR at Row:1:Column:{column}\n{text}"
