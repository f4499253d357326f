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
(`kind[:scope[:times[:delay-or-status]]]`, scopes joined with `+`, times empty = until cleared), carried
by `OrgConfig.fault_spec` (the caller builds the config; nothing here reads settings) and turned into
`Faults.from_spec(...)` by `create_app` when it is given no faults.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

API_KINDS = frozenset({"query", "get", "create", "describe", "other"})
SCOPES = API_KINDS | {"token"}
GROUPS = {"api": API_KINDS, "any": SCOPES}
DEFAULT_SCOPE = {
    "token_error": "token",
    "token_slow": "token",
    "token_refuse": "token",
    "slow_commit": "create",
    "reset_after_commit": "create",
}
KINDS = frozenset(
    {
        "token_error",
        "token_slow",
        "token_refuse",
        "session_expired",
        "unavailable",
        "limit_exceeded",
        "delay",
        "slow_commit",
        "slow_response",
        "reset",
        "reset_after_commit",
    }
)
SESSION_EXPIRED = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
LIMIT_EXCEEDED = [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
UNAVAILABLE = [
    {"message": "Service temporarily unavailable, please try again later.", "errorCode": "SERVER_UNAVAILABLE"}
]
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
    """Add the admin routes and make `FaultMiddleware` (`service.org.fault_middleware`) the outermost layer.

    Outermost (around Starlette's error middleware) so a reset can reach the server's raw `send`
    and its transport; `app.state.faults` is the live `Faults`.
    """
    from service.org.fault_middleware import FaultMiddleware

    app.state.faults = faults
    app.router.routes.extend(_admin_routes(faults))
    build = app.build_middleware_stack

    def build_with_faults() -> ASGIApp:
        return FaultMiddleware(build(), faults)

    setattr(app, "build_middleware_stack", build_with_faults)  # noqa: B010 - mypy forbids assigning a method
    app.middleware_stack = None
