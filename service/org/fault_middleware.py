"""The ASGI side of fault injection: `FaultMiddleware` applies the first matching fault of a `Faults`.

Installed outermost by `service.org.faults.install`, so it receives the server's own `send`: under
uvicorn that is a bound method of the connection's protocol object, whose `transport` lets a fault
reset the TCP connection (SO_LINGER 0, then abort) with no answer at all. Served in-process
(httpx2 `ASGITransport`) there is no transport, and the fault raises the httpx2 error a client's
transport would raise instead (`ConnectError` for a refused connection, `ReadError` for a reset).
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
from http import HTTPStatus

import httpx2
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.asgi import read_body, replay
from service.org.faults import JSON_TYPE, LIMIT_EXCEEDED, SESSION_EXPIRED, UNAVAILABLE, Faults, classify


async def _abort(send: Send, *, refuse: bool) -> None:
    """Reset the client's connection with no answer (TCP RST under uvicorn; an httpx2 error in-process)."""
    protocol = getattr(send, "__self__", None)
    transport = getattr(protocol, "transport", None)
    if transport is None:
        if refuse:
            raise httpx2.ConnectError("[Errno 111] Connection refused")
        raise httpx2.ReadError("[Errno 104] Connection reset by peer")
    sock = transport.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    transport.abort()
    # Let the server see the disconnect, so it does not try to answer 500 on the dead connection.
    for _ in range(100):
        if getattr(protocol, "disconnected", True):
            return
        await asyncio.sleep(0.005)


async def _hold(delay: float, send: Send) -> bool:
    """Sleep `delay`; False when a real server cancelled the request while shutting down.

    Then the connection is dropped quietly instead of uvicorn logging a CancelledError traceback.
    In-process (no transport) the cancellation is the caller's and propagates untouched.
    """
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        if getattr(getattr(send, "__self__", None), "transport", None) is None:
            raise
        await _abort(send, refuse=False)
        return False
    return True


async def _respond(send: Send, status: int, body: bytes, content_type: str) -> None:
    headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


class FaultMiddleware:
    """Outermost ASGI middleware: applies the first matching fault to each request."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_scope = classify(scope.get("method", ""), scope.get("path", "")) if scope["type"] == "http" else None
        fault = self.faults.take(request_scope, scope.get("path", "")) if request_scope else None
        if fault is None:
            await self.app(scope, receive, send)
            return
        kind = fault.kind
        if kind in ("token_refuse", "reset"):
            await _abort(send, refuse=kind == "token_refuse")
        elif kind == "token_error":
            phrase = HTTPStatus(fault.status).phrase if fault.status in HTTPStatus._value2member_map_ else "Error"
            html = f"<html><body><h1>{fault.status} {phrase}</h1></body></html>".encode()
            await _respond(send, fault.status, html, "text/html;charset=UTF-8")
        elif kind == "session_expired":
            await _respond(send, 401, json.dumps(SESSION_EXPIRED).encode(), JSON_TYPE)
        elif kind == "limit_exceeded":
            await _respond(send, 403, json.dumps(LIMIT_EXCEEDED).encode(), JSON_TYPE)
        elif kind == "unavailable":
            await _respond(send, fault.status, json.dumps(UNAVAILABLE).encode(), JSON_TYPE)
        elif kind in ("delay", "slow_commit", "token_slow"):
            body = await read_body(receive)  # read now: a client that gives up must not stop the late commit
            if await _hold(fault.delay, send):
                await self.app(scope, replay(body, receive), send)
        else:  # slow_response, reset_after_commit: handle now, then hold or drop the answer
            held: list[Message] = []

            async def hold(message: Message) -> None:
                held.append(message)

            await self.app(scope, receive, hold)
            if kind == "reset_after_commit":
                await _abort(send, refuse=False)
                return
            if await _hold(fault.delay, send):
                for message in held:
                    await send(message)
