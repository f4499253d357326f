"""`ElevenLabs-Signature`: ours agrees with the official SDK's verifier both ways."""

from __future__ import annotations

import time

import pytest
from elevenlabs.errors import BadRequestError
from elevenlabs.webhooks_custom import WebhooksClient

from service.calls_log.signature import sign, verify
from service.errors import WebhookAuthError

SECRET = "wsec_signature_test"
BODY = b'{"type": "post_call_transcription", "data": {"conversation_id": "conv_sig"}}'


def _sdk_construct(body: bytes, header: str, secret: str) -> dict[str, object]:
    # construct_event uses nothing of the client but its arguments
    return WebhooksClient.construct_event(object.__new__(WebhooksClient), body.decode(), header, secret)


async def test_sdk_accepts_our_signature() -> None:
    """The SDK's construct_event verifies a header made by `sign`."""
    event = _sdk_construct(BODY, sign(BODY, SECRET), SECRET)
    assert event["type"] == "post_call_transcription"


async def test_sdk_refuses_what_we_refuse() -> None:
    """A wrong secret fails both verifiers."""
    header = sign(BODY, "other-secret")
    with pytest.raises(BadRequestError):
        _sdk_construct(BODY, header, SECRET)
    with pytest.raises(WebhookAuthError):
        verify(BODY, header, SECRET)


async def test_stale_and_future_timestamps_are_refused() -> None:
    """Older than 30 minutes, or well in the future, is refused."""
    for offset in (-31 * 60, 10 * 60):
        with pytest.raises(WebhookAuthError):
            verify(BODY, sign(BODY, SECRET, int(time.time()) + offset), SECRET)


async def test_malformed_header_is_refused() -> None:
    """A header without t= and v0= parts is refused with the expected form."""
    with pytest.raises(WebhookAuthError, match="t=<unix seconds>"):
        verify(BODY, "v1=abc", SECRET)
