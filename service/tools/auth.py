"""Webhook authentication: the shared secret in `X-Webhook-Secret` or `Authorization: Bearer`."""

from __future__ import annotations

import hmac

from starlette.requests import Request

from service.errors import WebhookAuthError
from service.tools.schemas import SECRET_HEADER


def presented_secret(request: Request) -> str | None:
    """The secret the caller sent, from either header."""
    value = request.headers.get(SECRET_HEADER)
    if value:
        return value.strip()
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def check_secret(presented: str | None, expected: str | None) -> None:
    """Raise `WebhookAuthError` unless `presented` equals `expected` (constant-time comparison)."""
    if not expected:
        raise WebhookAuthError("This gateway has no webhook secret configured, so it accepts no tool calls.")
    if presented is None:
        raise WebhookAuthError("Missing webhook secret: send it as X-Webhook-Secret or Authorization: Bearer.")
    if not hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8")):
        raise WebhookAuthError("Wrong webhook secret.")
