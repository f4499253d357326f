"""The one mapping of Salesforce answers (both body shapes) onto the exception tree."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

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
from service.salesforce.errors import from_response, from_token_response


def answer(status: int, body: Any) -> httpx2.Response:
    return httpx2.Response(status, json=body)


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (401, "INVALID_SESSION_ID", SessionExpired),
        (404, "NOT_FOUND", RecordNotFound),
        (404, "ENTITY_IS_DELETED", RecordNotFound),
        (400, "MALFORMED_QUERY", MalformedRequest),
        (400, "INVALID_FIELD", MalformedRequest),
        (400, "MALFORMED_ID", MalformedRequest),
        (403, "REQUEST_LIMIT_EXCEEDED", LimitExceeded),
        (403, "API_DISABLED_FOR_ORG", RefusedRequest),
        (503, "SERVER_UNAVAILABLE", Unavailable),
        (500, "UNKNOWN_EXCEPTION", Unavailable),
        (418, "TEAPOT", SalesforceError),
    ],
)
def test_array_shape_maps_by_code_and_status(status: int, code: str, cls: type[SalesforceError]) -> None:
    """The error-array shape maps to the class for its errorCode/status and keeps the details."""
    error = from_response(answer(status, [{"message": "m", "errorCode": code, "fields": ["A"]}]))
    assert type(error) is cls
    assert (error.error_code, error.sf_message, error.fields, error.http_status) == (code, "m", ["A"], status)


def test_fields_absent_on_query_errors() -> None:
    """Query errors carry no `fields` key; the mapping gives an empty list."""
    error = from_response(answer(400, [{"message": "unexpected token: SELEKT", "errorCode": "MALFORMED_QUERY"}]))
    assert error.fields == [] and "SELEKT" in error.message


def test_duplicate_keeps_match_ids() -> None:
    """DUPLICATES_DETECTED (with the real `duplicateResut` spelling) keeps the matched ids."""
    body = [
        {
            "duplicateResut": {
                "allowSave": True,
                "matchResults": [{"matchRecords": [{"record": {"Id": "0031i000013x2TEAAY"}}]}],
            },
            "errorCode": "DUPLICATES_DETECTED",
            "message": "You're creating a duplicate record.",
        }
    ]
    error = from_response(answer(400, body))
    assert isinstance(error, DuplicateDetected) and error.match_ids == ["0031i000013x2TEAAY"]


def test_oauth_shape_on_api_call() -> None:
    """The `{error, error_description}` shape on a REST call keeps both parts."""
    error = from_response(answer(401, {"error": "invalid_token", "error_description": "expired"}))
    assert isinstance(error, SessionExpired) and error.error_code == "invalid_token"


def test_text_body() -> None:
    """A non-JSON body (HTML from a proxy) still maps by status."""
    error = from_response(httpx2.Response(502, text="<html>Bad gateway</html>"))
    assert isinstance(error, Unavailable) and error.http_status == 502


def test_token_5xx_is_unavailable() -> None:
    """Token endpoint 5xx is Unavailable (retryable)."""
    assert isinstance(from_token_response(httpx2.Response(503, text="down")), Unavailable)


@pytest.mark.parametrize(
    ("error", "description", "words"),
    [
        ("invalid_client", "invalid client credentials", "consumer key and secret"),
        ("invalid_client_id", "client identifier invalid", "consumer key"),
        ("invalid_grant", "request not supported on this domain", "My Domain"),
        ("invalid_grant", "no client credentials user enabled", "Run As"),
    ],
)
def test_token_4xx_names_fix(error: str, description: str, words: str) -> None:
    """Token endpoint refusals become SalesforceAuthError whose message names the fix."""
    mapped = from_token_response(answer(400, {"error": error, "error_description": description}))
    assert isinstance(mapped, SalesforceAuthError)
    assert words in mapped.message and mapped.error_code == error
