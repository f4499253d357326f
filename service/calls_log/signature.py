"""`ElevenLabs-Signature`: `t=<unix seconds>,v0=<hex HMAC-SHA256 of "<t>.<raw body>">`.

Written here rather than calling the SDK's `webhooks.construct_event`: that one needs a whole API
client to call, compares digests with `!=` (not constant-time), raises `BadRequestError` (our
answer is 401) and does not bound timestamps from the future. The format is the SDK's; a test
checks every signature made here with the SDK's verifier.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from service.errors import WebhookAuthError

HEADER = "ElevenLabs-Signature"
TOLERANCE_SECONDS = 30 * 60  # the SDK's tolerance
_FUTURE_SKEW_SECONDS = 5 * 60


def sign(body: bytes, secret: str, timestamp: int | None = None) -> str:
    """The header value ElevenLabs would send for `body` (the runner and the tests sign with it)."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode("utf-8"), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v0={digest}"


def verify(body: bytes, header: str | None, secret: str, *, now: float | None = None) -> None:
    """Raise `WebhookAuthError` unless `header` signs `body` with `secret` within the tolerance."""
    if not header:
        raise WebhookAuthError(f"Missing {HEADER} header.")
    parts = dict(part.strip().partition("=")[::2] for part in header.split(","))
    stamp, given = parts.get("t", ""), parts.get("v0", "")
    if not stamp.isdigit() or not given:
        raise WebhookAuthError(f"{HEADER} must look like t=<unix seconds>,v0=<hex digest>.")
    age = (time.time() if now is None else now) - int(stamp)
    if age > TOLERANCE_SECONDS or age < -_FUTURE_SKEW_SECONDS:
        raise WebhookAuthError(f"{HEADER} timestamp is outside the 30-minute tolerance; check the clock.")
    expected = sign(body, secret, int(stamp)).partition(",v0=")[2]
    if not hmac.compare_digest(expected.encode("ascii"), given.encode("ascii", "replace")):
        raise WebhookAuthError(f"{HEADER} does not match this body and secret.")
