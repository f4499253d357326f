"""One pure-ASGI middleware: request id, conversation id, request checks, access log, metrics.

Pure ASGI (not `BaseHTTPMiddleware`) because it sits on every tool call's hot path. Before the app
runs it refuses, in the JSON error shape `{"error": {"code", "message"}}`:

- a request target over 16 KB, Salesforce's own URI limit (414; longer ones than llhttp accepts
  get the same answer from `service/commands/http_protocol.py`);
- a text header the tools read (`X-Conversation-Id`, `Idempotency-Key`) that is not ASCII (422).
  ASGI hands over raw bytes and Starlette decodes them as latin-1, so `conv_😀` would reach the
  route, and the record, as mojibake; the caller is told instead;
- a body over `max_body` bytes (413), and a body that is not complete `body_timeout` seconds after
  the headers (408, connection closed): without it a client that announces 500 bytes and sends 43
  holds a connection open for minutes.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import re
import time
import uuid
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.asgi import BodyTooLarge, read_body, replay
from service.tools.logging import conversation_id_var, request_id_var
from service.tools.metrics import Metrics

log = logging.getLogger("service.access")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# Salesforce refuses a URI of 16,384 bytes or more with 414; so does the gateway.
MAX_TARGET_BYTES = 16384
_TEXT_HEADERS = {b"x-conversation-id": "X-Conversation-Id", b"idempotency-key": "Idempotency-Key"}
_BODY_METHODS = ("POST", "PUT", "PATCH")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            text: str = value.decode("latin-1")
            return text
    return None


def error_body(code: str, message: str) -> bytes:
    """The gateway's error shape as JSON bytes."""
    return json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False).encode()


def target_too_long_text() -> str:
    return (
        f"The request URL is too long: at most {MAX_TARGET_BYTES // 1024} KB. Ask for fewer fields or a shorter query."
    )


def _too_large_text(limit: int) -> str:
    return f"The request body is too large: at most {limit // 1024} KB."


def _header_problem(scope: Scope) -> str | None:
    """Why a text header the tools read can't be taken as sent, or None."""
    for key, value in scope.get("headers", ()):
        name = _TEXT_HEADERS.get(key)
        if name is None or value.isascii():
            continue
        try:
            value.decode("utf-8")
        except UnicodeDecodeError:
            return f"The {name} header is not valid UTF-8 text; send it as plain ASCII."
        return (
            f"The {name} header must be plain ASCII (letters, digits, dashes, underscores); "
            "it contains other characters. Send the id exactly as the platform gave it."
        )
    return None


class GatewayMiddleware:
    """Wraps every HTTP request of the gateway."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body: int,
        metrics: Metrics,
        body_timeout: float = 5.0,
        path_limits: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.path_limits = dict(path_limits or {})  # e.g. the post-call webhook's larger bodies
        self.metrics = metrics
        self.body_timeout = body_timeout
        # Request ids: this process's random prefix and a counter (unique across replicas, and no
        # `os.urandom` call per request as `uuid4` makes).
        self._id_prefix = uuid.uuid4().hex[:8]
        self._ids = itertools.count(1)

    def _new_id(self) -> str:
        return f"{self._id_prefix}{next(self._ids):08x}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        rid = _header(scope, b"x-request-id")
        rid = rid if rid and _SAFE_ID.match(rid) else self._new_id()
        conv = _header(scope, b"x-conversation-id")
        rid_token = request_id_var.set(rid)
        conv_token = conversation_id_var.set(conv[:128] if conv and conv.isascii() else None)
        status = 500
        path: str = scope.get("path", "")

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        async def refuse(status: int, code: str, message: str, *, close: bool = False) -> None:
            payload = error_body(code, message)
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
            if close:
                headers.append((b"connection", b"close"))
            await send_wrapper({"type": "http.response.start", "status": status, "headers": headers})
            await send_wrapper({"type": "http.response.body", "body": payload})

        try:
            if len(scope.get("raw_path") or b"") + len(scope.get("query_string", b"")) > MAX_TARGET_BYTES:
                await refuse(414, "uri_too_long", target_too_long_text())
                return
            problem = _header_problem(scope)
            if problem is not None:
                await refuse(422, "invalid_header", problem)
                return
            max_body = self.path_limits.get(path, self.max_body)
            length = _header(scope, b"content-length")
            if length is not None and length.isdigit() and int(length) > max_body:
                await refuse(413, "payload_too_large", _too_large_text(max_body))
                return
            if (length is not None and length != "0") or (length is None and scope.get("method") in _BODY_METHODS):
                # Read the whole body (within the limit and the time) before the app sees it.
                try:
                    async with asyncio.timeout(self.body_timeout):
                        messages = await read_body(receive, max_body)
                except TimeoutError:
                    text = f"The request body did not arrive within {self.body_timeout:g} seconds; send it again."
                    await refuse(408, "request_timeout", text, close=True)
                    return
                except BodyTooLarge:
                    await refuse(413, "payload_too_large", _too_large_text(max_body), close=True)
                    return
                receive = replay(messages, receive)
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - started
            if path.startswith("/tools/"):
                self.metrics.observe(path, status, elapsed)
            if log.isEnabledFor(logging.INFO):
                method = scope.get("method")
                extra = {"method": method, "path": path, "status": status, "ms": round(elapsed * 1000, 2)}
                log.info("%s %s %s %.1fms", method, path, status, elapsed * 1000, extra=extra)
            request_id_var.reset(rid_token)
            conversation_id_var.reset(conv_token)
