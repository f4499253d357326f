"""`POST /webhooks/elevenlabs/post-call`: verify, store durably, answer at once.

The signature is checked over the raw bytes before anything is parsed. The answer is 200 as soon as
the event is in the outbox (ElevenLabs disables a webhook that keeps failing); delivery to the org
happens in the background. A repeat of an event already held is answered 200 too, and changes nothing.
"""

from __future__ import annotations

import json

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse

from service.calls_log.events import AUDIO, parse_event
from service.calls_log.service import CallsLog
from service.calls_log.signature import HEADER, verify
from service.errors import ConfigError, InputError, PayloadTooLarge, WebhookAuthError

PATH = "/webhooks/elevenlabs/post-call"
router = APIRouter()


@router.post(PATH, include_in_schema=False)
async def post_call(request: Request) -> JSONResponse:
    """One post-call event from the platform."""
    gateway = request.app.state.gateway
    calls: CallsLog | None = getattr(gateway, "calls_log", None)
    settings = gateway.settings
    if calls is None or settings.elevenlabs_webhook_secret is None:
        raise WebhookAuthError("This gateway has no ELEVENLABS_WEBHOOK_SECRET, so it accepts no post-call events.")
    body = await request.body()
    if len(body) > settings.post_call_max_body_bytes:
        raise PayloadTooLarge(f"Post-call bodies are limited to {settings.post_call_max_body_bytes} bytes.")
    verify(body, request.headers.get(HEADER), settings.elevenlabs_webhook_secret.get_secret_value())
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise InputError("The post-call body is not JSON.") from exc
    event = parse_event(payload)
    if event.type == AUDIO:
        payload["data"] = {k: v for k, v in payload["data"].items() if k != "full_audio"}  # never stored
    try:
        fresh = await calls.accept(event, payload)
    except OSError as exc:
        raise ConfigError("The post-call outbox cannot be written; the event was not accepted.") from exc
    return JSONResponse({"status": "accepted" if fresh else "duplicate", "conversation_id": event.conversation_id})
