"""What every data resource of the embedded org shares: API versions, authentication, the allowance.

`@api(kind)` wraps a handler `(request, state, version) -> Response`: it checks the version
(`vNN.0` within v40.0–v62.0, else 404), the Bearer (or OAuth) token, counts the request against the
daily allowance and adds `Sforce-Limit-Info`; Salesforce-shaped errors become their JSON arrays.
`read_json` reads a request body within the size limit or answers JSON_PARSER_ERROR / 413.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from service.errors import SalesforceError
from service.org.errors import not_found, session_invalid, sf_error
from service.org.state import OrgState, json_response, org_state

VERSION_RE = re.compile(r"^v(\d{2})\.0$")
MIN_VERSION, MAX_VERSION = 40, 62
SEASONS = ("Winter", "Spring", "Summer")

log = logging.getLogger(__name__)
Handler = Callable[[Request, OrgState, str], Awaitable[Response]]


def version_label(n: int) -> str:
    """Release name of API version n (v58.0 → Summer '23)."""
    idx = n - 41
    return f"{SEASONS[idx % 3]} '{18 + idx // 3}"


def check_version(raw: str) -> str:
    """`vNN.0` within v40.0–v62.0, else 404 NOT_FOUND."""
    match = VERSION_RE.match(raw)
    if match is None or not MIN_VERSION <= int(match.group(1)) <= MAX_VERSION:
        raise not_found()
    return raw


def authenticate(request: Request, state: OrgState) -> None:
    """Accept `Authorization: Bearer <token>` (or `OAuth <token>`) of a live session."""
    header = request.headers.get("authorization")
    scheme, _, token = (header or "").partition(" ")
    if not header or scheme.lower() not in ("bearer", "oauth") or not token.strip():
        raise sf_error(401, "INVALID_AUTH_HEADER", "INVALID_HEADER_TYPE")
    if state.sessions.use(token.strip()) is None:
        raise session_invalid()


def api(kind: str) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Wrap a data resource: version check, auth, allowance, counters, `Sforce-Limit-Info`."""

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            state = org_state(request)
            try:
                version = check_version(request.path_params["version"])
                authenticate(request, state)
            except SalesforceError as exc:
                return error_response(exc)
            try:
                state.limits.consume()
                state.stats.api_request(kind)
                response = await handler(request, state, version)
            except SalesforceError as exc:
                response = error_response(exc)
            except Exception:
                log.exception("unexpected error in %s", kind)
                response = json_response(
                    [{"message": "An unexpected error occurred.", "errorCode": "UNKNOWN_EXCEPTION"}], status=500
                )
            response.headers["Sforce-Limit-Info"] = state.limits.header()
            return response

        endpoint.__name__ = handler.__name__
        return endpoint

    return wrap


def error_response(exc: SalesforceError) -> Response:
    """The Salesforce-shaped body of an error."""
    body = exc.body if exc.body is not None else [{"message": exc.message, "errorCode": exc.error_code}]
    return json_response(body, status=exc.http_status or 400)


async def read_json(request: Request, state: OrgState) -> Any:
    """The JSON body, within the size limit, or JSON_PARSER_ERROR / 413."""
    limit = state.config.max_body_bytes
    too_large = sf_error(413, "REQUEST_ENTITY_TOO_LARGE", f"Request body exceeds the limit of {limit} bytes")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        raise sf_error(400, "JSON_PARSER_ERROR", "No content to map due to end-of-input")
    try:
        body = json.loads(raw, parse_constant=_reject_constant)
        json.dumps(body, ensure_ascii=False).encode("utf-8")  # lone surrogates ("\ud800") can't be stored
        return body
    except (ValueError, UnicodeError) as exc:
        where = f" at [line:{exc.lineno}, column:{exc.colno}]" if isinstance(exc, json.JSONDecodeError) else ""
        raise sf_error(400, "JSON_PARSER_ERROR", f"Unexpected character in JSON body{where}") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"unexpected token {name}")
