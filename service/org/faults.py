"""Fault injection for the embedded org: `Faults` (live, thread-safe state) and `install(app, faults)`.

A fault is a kind, a scope (which requests it hits) and a count (how many times; None = until
cleared). Each matching request consumes one use of the first fault that matches it.

| kind               | default scope | what the client sees                                              |
|--------------------|---------------|-------------------------------------------------------------------|
| token_error        | token         | HTTP `status` (503) with an HTML body, as a load balancer answers |
| token_slow         | token         | the token answer after `delay` seconds                            |
| token_refuse       | token         | the connection reset before anything is read (see below)          |
| session_expired    | api           | 401 INVALID_SESSION_ID, Salesforce's exact body (`SESSION_EXPIRED`) |
| unavailable        | api           | HTTP `status` (503), errorCode SERVER_UNAVAILABLE                 |
| limit_exceeded     | api           | 403 REQUEST_LIMIT_EXCEEDED, Salesforce's exact body (`LIMIT_EXCEEDED`) |
| delay              | api           | the request handled `delay` seconds late (a create commits late)  |
| slow_commit        | create        | the same as `delay`, for creates                                  |
| slow_response      | api           | handled at once (a create commits), answered `delay` seconds late |
| reset              | api           | the connection reset before the request is handled                |
| reset_after_commit | create        | handled (the record is committed), then the connection reset      |

Scopes: `token`, `query`, `get`, `create`, `describe`, `other`, or the groups `api` (every
`/services/data` request) and `any` (api + token).

"Refusing connections" is emulated per request, not by closing the listener: on a real server
(uvicorn) the faulted connection is aborted with SO_LINGER 0, so the client gets a TCP reset with
no response; served in-process (httpx2 `ASGITransport`) the app raises `httpx2.ConnectError`
(refuse) or `httpx2.ReadError` (reset), which is what a client's transport would raise.

Admin routes (loopback only): `GET /_org/faults` lists faults and what fired, `POST /_org/faults`
adds one (`{"kind", "scope"?, "times"?, "delay"?, "status"?}`), `DELETE /_org/faults` clears all,
`DELETE /_org/faults/{id}` removes one. Settings equivalent: `ORG_FAULTS="session_expired:api:3,delay:query:1:5"`
(`kind[:scope[:times[:delay-or-status]]]`, scopes joined with `+`, times empty = until cleared), loaded
by `install` when it is given no faults; `Faults.from_spec(...)` builds the same in code.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import socket
import struct
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from typing import Any

import httpx2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_KINDS = frozenset({"query", "get", "create", "describe", "other"})
SCOPES = API_KINDS | {"token"}
GROUPS = {"api": API_KINDS, "any": SCOPES}
DEFAULT_SCOPE = {"token_error": "token", "token_slow": "token", "token_refuse": "token", "slow_commit": "create",
                 "reset_after_commit": "create"}
KINDS = frozenset(
    {"token_error", "token_slow", "token_refuse", "session_expired", "unavailable", "limit_exceeded", "delay",
     "slow_commit", "slow_response", "reset", "reset_after_commit"}
)
SESSION_EXPIRED = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
LIMIT_EXCEEDED = [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
UNAVAILABLE = [{"message": "Service temporarily unavailable, please try again later.",
                "errorCode": "SERVER_UNAVAILABLE"}]
JSON_TYPE = "application/json;charset=UTF-8"
LOOPBACK = ("127.", "::1", "localhost", "testclient")
_DATA = re.compile(r"^/services/data/v\d+\.\d+/?(.*)$")


def classify(method: str, path: str) -> str | None:
    """The scope a request belongs to (`token`, `query`, `get`, `create`, ...), None when never faulted."""
    if path.rstrip("/") == "/services/oauth2/token":
        return "token"
    match = _DATA.match(path)
    if match is None:
        return None
    parts = [p for p in match.group(1).split("/") if p]
    if parts and parts[0] in ("query", "queryAll"):
        return "query"
    if len(parts) >= 2 and parts[0] == "sobjects":
        if len(parts) == 2 and method == "POST":
            return "create"
        if len(parts) == 3 and parts[2] == "describe":
            return "describe"
        if len(parts) == 3 and method == "GET":
            return "get"
    return "other"


def parse_scope(scope: str | Iterable[str] | None, kind: str) -> frozenset[str]:
    """`"query+get"`, `["api"]` or None (the kind's default) → the set of request scopes."""
    if scope is None:
        scope = DEFAULT_SCOPE.get(kind, "api")
    names = re.split(r"[+,\s]+", scope) if isinstance(scope, str) else list(scope)
    result: set[str] = set()
    for name in filter(None, names):
        if name not in SCOPES and name not in GROUPS:
            raise ValueError(f"unknown fault scope {name!r}; use one of {sorted(SCOPES | set(GROUPS))}")
        result |= GROUPS.get(name, {name})
    return frozenset(result)


@dataclass
class Fault:
    """One injected fault; `remaining` None means it fires until removed."""

    id: int
    kind: str
    scope: frozenset[str]
    remaining: int | None = None
    delay: float = 30.0
    status: int = 503
    fired: int = 0

    def as_json(self) -> dict[str, Any]:
        """The fault as the admin route shows it."""
        return {**asdict(self), "scope": sorted(self.scope)}


@dataclass
class Faults:
    """The org's live fault list (thread-safe: tests change it while the server thread reads it)."""

    faults: list[Fault] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1), repr=False)

    def add(
        self,
        kind: str,
        *,
        scope: str | Iterable[str] | None = None,
        times: int | None = 1,
        delay: float = 30.0,
        status: int = 503,
    ) -> Fault:
        """Inject `kind` for the next `times` matching requests (None: until removed)."""
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {sorted(KINDS)}")
        fault = Fault(next(self._ids), kind, parse_scope(scope, kind), times, float(delay), int(status))
        with self._lock:
            self.faults.append(fault)
        return fault

    def remove(self, fault_id: int) -> bool:
        """Remove one fault; False when it was not there."""
        with self._lock:
            before = len(self.faults)
            self.faults = [f for f in self.faults if f.id != fault_id]
            return len(self.faults) != before

    def clear(self) -> None:
        """No faults any more (the history is kept)."""
        with self._lock:
            self.faults = []

    def take(self, request_scope: str, path: str = "") -> Fault | None:
        """The first fault matching `request_scope`, with one use consumed; None when none matches."""
        with self._lock:
            for fault in self.faults:
                if request_scope in fault.scope and fault.remaining != 0:
                    if fault.remaining is not None:
                        fault.remaining -= 1
                    fault.fired += 1
                    self.history.append({"fault": fault.id, "kind": fault.kind, "scope": request_scope, "path": path})
                    return fault
        return None

    def fired(self, kind: str | None = None) -> int:
        """How many requests were faulted (of `kind`, or of any kind)."""
        with self._lock:
            return sum(1 for h in self.history if kind is None or h["kind"] == kind)

    def snapshot(self) -> dict[str, Any]:
        """What `GET /_org/faults` answers."""
        with self._lock:
            return {"faults": [f.as_json() for f in self.faults], "history": list(self.history)}

    @classmethod
    def from_spec(cls, spec: str | None) -> Faults:
        """Faults from a settings string: `kind[:scope[:times[:delay-or-status]]]`, comma-separated."""
        faults = cls()
        for item in filter(None, (s.strip() for s in (spec or "").split(","))):
            kind, scope, times, extra = (item.split(":") + [""] * 3)[:4]
            params: dict[str, Any] = {"scope": scope or None, "times": int(times) if times else None}
            if extra:
                params["delay" if kind in ("delay", "slow_commit", "slow_response", "token_slow") else "status"] = (
                    float(extra)
                )
            faults.add(kind, **params)
        return faults


async def _read_body(receive: Receive) -> list[Message]:
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            return messages


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


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
            body = await _read_body(receive)  # read now: a client that gives up must not stop the late commit
            if await _hold(fault.delay, send):
                await self.app(scope, _replay(body, receive), send)
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


def _loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    return host.startswith(LOOPBACK)


def _admin_routes(faults: Faults) -> list[Route]:
    not_found = [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]

    def answer(body: Any, status: int = 200) -> Response:
        return Response(json.dumps(body), status_code=status, media_type=JSON_TYPE)

    async def collection(request: Request) -> Response:
        if not _loopback(request):
            return answer(not_found, 404)
        if request.method == "GET":
            return answer(faults.snapshot())
        if request.method == "DELETE":
            faults.clear()
            return answer(faults.snapshot())
        try:
            spec = await request.json()
            fault = faults.add(
                str(spec["kind"]),
                scope=spec.get("scope"),
                times=spec.get("times", 1),
                delay=float(spec.get("delay", 30.0)),
                status=int(spec.get("status", 503)),
            )
        except (ValueError, KeyError, TypeError) as exc:
            return answer([{"errorCode": "INVALID_FAULT", "message": str(exc)}], 400)
        return answer(fault.as_json(), 201)

    async def item(request: Request) -> Response:
        if not _loopback(request):
            return answer(not_found, 404)
        removed = faults.remove(int(request.path_params["fault_id"]))
        return answer(faults.snapshot(), 200 if removed else 404)

    return [
        Route("/_org/faults", collection, methods=["GET", "POST", "DELETE"]),
        Route("/_org/faults/{fault_id:int}", item, methods=["DELETE"]),
    ]


def install(app: Starlette, faults: Faults) -> None:
    """Add the admin routes and make `FaultMiddleware` the outermost layer of `app`.

    Outermost (around Starlette's error middleware) so a reset can reach the server's raw `send`
    and its transport; `app.state.faults` is the live `Faults`.
    """
    if not faults.faults:
        from service.settings import get_settings

        for fault in Faults.from_spec(get_settings().org_faults).faults:  # ORG_FAULTS, e.g. for `org serve`
            faults.add(fault.kind, scope=fault.scope, times=fault.remaining, delay=fault.delay, status=fault.status)
    app.state.faults = faults
    app.router.routes.extend(_admin_routes(faults))
    build = app.build_middleware_stack

    def build_with_faults() -> ASGIApp:
        return FaultMiddleware(build(), faults)

    setattr(app, "build_middleware_stack", build_with_faults)  # noqa: B010 - mypy forbids assigning a method
    app.middleware_stack = None
