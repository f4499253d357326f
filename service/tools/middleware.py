"""One pure-ASGI middleware: request id, conversation id, body limit, access log, metrics.

Pure ASGI (not `BaseHTTPMiddleware`) because it sits on every tool call's hot path.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.asgi import replay
from service.errors import PayloadTooLarge
from service.tools.logging import conversation_id_var, request_id_var
from service.tools.metrics import Metrics

log = logging.getLogger("service.access")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            text: str = value.decode("latin-1")
            return text
    return None


class GatewayMiddleware:
    """Wraps every HTTP request of the gateway."""

    def __init__(self, app: ASGIApp, *, max_body: int, metrics: Metrics) -> None:
        self.app = app
        self.max_body = max_body
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        rid = _header(scope, b"x-request-id")
        rid = rid if rid and _SAFE_ID.match(rid) else uuid.uuid4().hex[:16]
        conv = _header(scope, b"x-conversation-id")
        rid_token = request_id_var.set(rid)
        conv_token = conversation_id_var.set(conv[:128] if conv else None)
        status = 500
        path: str = scope.get("path", "")

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            length = _header(scope, b"content-length")
            if length is not None and length.isdigit() and int(length) > self.max_body:
                await _too_large(send_wrapper, self.max_body)
                return
            if length is None and scope.get("method") in ("POST", "PUT", "PATCH"):
                # A streamed body: read it (at most the limit) before the app sees it, so an
                # oversized one gets a clean 413 rather than a parse error.
                messages = await _read_limited(receive, self.max_body)
                if messages is None:
                    await _too_large(send_wrapper, self.max_body)
                    return
                receive = replay(messages, receive)
            await self.app(scope, self._limited(receive), send_wrapper)
        finally:
            elapsed = time.perf_counter() - started
            if path.startswith("/tools/"):
                self.metrics.observe(path, status, elapsed)
            log.info(
                "%s %s %s %.1fms",
                scope.get("method"),
                path,
                status,
                elapsed * 1000,
                extra={"method": scope.get("method"), "path": path, "status": status, "ms": round(elapsed * 1000, 2)},
            )
            request_id_var.reset(rid_token)
            conversation_id_var.reset(conv_token)

    def _limited(self, receive: Receive) -> Receive:
        seen = 0
        limit = self.max_body

        async def wrapped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise PayloadTooLarge(_too_large_text(limit))
            return message

        return wrapped


async def _read_limited(receive: Receive, limit: int) -> list[Message] | None:
    """The request's body messages, or None once they exceed `limit` bytes."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages
        size += len(message.get("body", b""))
        if size > limit:
            return None
        if not message.get("more_body", False):
            return messages


def _too_large_text(limit: int) -> str:
    return f"The request body is too large: at most {limit // 1024} KB."


async def _too_large(send: Send, limit: int) -> None:
    body: dict[str, Any] = {"error": {"code": "payload_too_large", "message": _too_large_text(limit)}}
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": payload})
