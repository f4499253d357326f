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

from service.calls_log.events import AUDIO, EVENT_TYPES, parse_event
from service.calls_log.service import CallsLog
from service.calls_log.signature import HEADER, verify
from service.deadline import Deadline
from service.deps import authorized_gateway
from service.errors import ConfigError, InputError, PayloadTooLarge, WebhookAuthError
from service.soql.quoting import quote_value

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


_TASK_FIELDS = (
    "Id, WhoId, WhatId, Subject, Status, Type, TaskSubtype, CallType, CallObject, CallDurationInSeconds, "
    "ActivityDate, Description"
)


@router.get(PATH + "/{conversation_id}", include_in_schema=False)
async def post_call_status(conversation_id: str, request: Request) -> JSONResponse:
    """How a conversation's events stand and the Tasks it has (the tools' secret; for the runner and operators)."""
    gateway = authorized_gateway(request)
    calls: CallsLog | None = gateway.calls_log
    entries = []
    if calls is not None:
        for kind in EVENT_TYPES:
            entry = await calls.outbox.get(f"{kind}:{conversation_id}")
            if entry is not None:
                entries.append(
                    {"key": entry.key, "state": entry.state, "attempts": entry.attempts, "error": entry.last_error}
                )
    soql = f"SELECT {_TASK_FIELDS} FROM Task WHERE CallObject = {quote_value(conversation_id)} LIMIT 10"
    page = await gateway.salesforce.query(soql, deadline=Deadline.after(5.0))
    tasks = [{k: v for k, v in row.items() if k != "attributes"} for row in page.records]
    return JSONResponse({"conversation_id": conversation_id, "events": entries, "tasks": tasks})
