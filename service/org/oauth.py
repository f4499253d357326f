"""OAuth 2.0 endpoints of the embedded org: client-credentials token, introspection, revocation.

The token answer has exactly Salesforce's fields (no `expires_in`, no `refresh_token`); errors are
`{"error", "error_description"}` with HTTP 400, as a real org answers them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response

from service.org.errors import oauth_error
from service.org.ids import INTEGRATION_USER_ID, ORG_ID
from service.org.state import OrgState, json_response, org_state

USERNAME = "integration@embedded-org.example"


async def _form(request: Request) -> dict[str, str]:
    body = await request.body()
    form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
    for key, value in request.query_params.items():
        form.setdefault(key, value)
    return form


def _client(request: Request, form: dict[str, str]) -> tuple[str | None, str | None]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            user, _, password = base64.b64decode(header[6:].strip()).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return None, None
        return user, password
    return form.get("client_id"), form.get("client_secret")


def _check_client(state: OrgState, client_id: str | None, secret: str | None) -> None:
    if not client_id or not hmac.compare_digest(client_id, state.config.client_id):
        raise oauth_error("invalid_client_id", "client identifier invalid")
    if secret is None or not hmac.compare_digest(secret, state.config.client_secret):
        raise oauth_error("invalid_client", "invalid client credentials")


def instance_url(request: Request) -> str:
    """The org's base URL as the client reached it."""
    host = request.headers.get("host") or f"{request.url.hostname}:{request.url.port}"
    return f"{request.url.scheme}://{host}"


async def token(request: Request) -> Response:
    """`POST /services/oauth2/token` (grant_type=client_credentials)."""
    state = org_state(request)
    state.stats.token_request()
    form = await _form(request)
    grant = form.get("grant_type")
    if not grant:
        raise oauth_error("invalid_request", "grant type is missing")
    if grant != "client_credentials":
        raise oauth_error("unsupported_grant_type", "grant type not supported")
    client_id, secret = _client(request, form)
    _check_client(state, client_id, secret)
    assert client_id is not None
    session = state.sessions.issue(client_id)
    base = instance_url(request)
    identity = f"{base}/id/{ORG_ID}/{INTEGRATION_USER_ID}"
    issued_at = str(int(session.issued_at * 1000))
    digest = hmac.new(state.config.client_secret.encode(), (identity + issued_at).encode(), hashlib.sha256).digest()
    return json_response(
        {
            "access_token": session.token,
            "signature": base64.b64encode(digest).decode(),
            "scope": "api",
            "instance_url": base,
            "id": identity,
            "token_type": "Bearer",
            "issued_at": issued_at,
        }
    )


async def introspect(request: Request) -> Response:
    """`POST /services/oauth2/introspect`: `{"active": true, ..., "exp"}` or `{"active": false}`."""
    state = org_state(request)
    form = await _form(request)
    client_id, secret = _client(request, form)
    _check_client(state, client_id, secret)
    session = state.sessions.peek(form.get("token", ""))
    if session is None:
        return json_response({"active": False})
    base = instance_url(request)
    return json_response(
        {
            "active": True,
            "scope": "api",
            "client_id": session.client_id,
            "username": USERNAME,
            "sub": f"{base}/id/{ORG_ID}/{INTEGRATION_USER_ID}",
            "token_type": "access_token",
            "exp": int(state.sessions.expires_at(session)),
            "iat": int(session.issued_at),
            "nbf": int(session.issued_at),
        }
    )


async def revoke(request: Request) -> Response:
    """`POST|GET /services/oauth2/revoke?token=…`: 200 with an empty body."""
    state = org_state(request)
    form = await _form(request)
    if not state.sessions.revoke(form.get("token", "")):
        raise oauth_error("unsupported_token_type", "this token type is not supported")
    return Response(status_code=200, headers={"Cache-Control": "no-cache,must-revalidate,max-age=0,no-store,private"})
