"""Post-call tests: the real app (lifespan, outbox, delivery loop) against the embedded org."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest
from asgi_lifespan import LifespanManager
from pydantic import SecretStr

from service.app import create_app
from service.calls_log.outbox import OutboxEntry
from service.calls_log.service import CallsLog
from service.calls_log.signature import HEADER, sign
from tests.tools.conftest import SECRET, gateway_settings

POST_CALL_SECRET = "wsec_post_call_test_0123456789"
PATH = "/webhooks/elevenlabs/post-call"
FIXTURES = Path(__file__).parent / "fixtures"


def event_body(conversation_id: str, kind: str = "post_call_transcription") -> bytes:
    """The fixture event for `conversation_id`, as the raw bytes the platform would send."""
    payload = json.loads((FIXTURES / "post_call_transcription.json").read_text())
    payload["type"] = kind
    payload["data"]["conversation_id"] = conversation_id
    return json.dumps(payload).encode()


def signed(body: bytes, secret: str = POST_CALL_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Headers of a signed post-call request."""
    return {HEADER: sign(body, secret, timestamp), "content-type": "application/json"}


async def settled(calls: CallsLog, key: str) -> OutboxEntry:
    """The outbox entry once it has left `pending` (the loop delivers in the background; 15 s at most)."""
    stop = time.monotonic() + 15.0
    while True:
        entry = await calls.outbox.get(key)
        assert entry is not None, f"{key} was never accepted"
        if entry.state != "pending" or time.monotonic() > stop:
            return entry
        await asyncio.sleep(0.05)


async def tasks_for(client: httpx2.AsyncClient, conversation_id: str) -> list[dict[str, Any]]:
    """The org's Tasks for a conversation, through the gateway's status endpoint (tools' secret)."""
    r = await client.get(f"{PATH}/{conversation_id}")
    assert r.status_code == 200, r.text
    return list(r.json()["tasks"])


@pytest.fixture
def make_post_call_gateway(tmp_path: Path) -> Callable[..., Any]:
    """Factory: (client, calls_log) of a gateway with a post-call secret and an outbox in `tmp_path`."""

    @asynccontextmanager
    async def make(org: Any, **overrides: Any) -> AsyncIterator[tuple[httpx2.AsyncClient, CallsLog]]:
        values: dict[str, Any] = {
            "elevenlabs_webhook_secret": SecretStr(POST_CALL_SECRET),
            "post_call_outbox": tmp_path / "outbox.sqlite3",
            "post_call_retry_base": 0.05,
            "post_call_retry_max": 0.2,
            "post_call_delivery_timeout": 2.0,
        }
        values.update(overrides)
        app = create_app(gateway_settings(org, **values), configure_logs=False)
        async with LifespanManager(app) as manager:
            transport = httpx2.ASGITransport(app=manager.app)
            async with httpx2.AsyncClient(
                transport=transport, base_url="http://gateway", headers={"X-Webhook-Secret": SECRET}, timeout=30.0
            ) as client:
                yield client, app.state.gateway.calls_log

    return make
