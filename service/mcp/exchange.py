"""One handshake-era JSON-RPC request answered in the request's own task, by the SDK's `ServerRunner`.

The SDK's stateless manager serves every handshake-era (≤ 2025-11-25) POST by building a transport,
two pairs of memory streams, a dispatcher with its task group and a server task, and tearing them
down again (`_handle_stateless_request`): about 1 ms of CPU for one request answered by one JSON
body, as much as the tool call itself. Its 2026-07-28 entry serves the same kind of exchange in the
ASGI task (`serve_one`); the SDK has no such entry for the handshake era, so this module is that
entry, put together from the SDK's own parts:

- the legacy transport's checks: `Accept` takes JSON, `Content-Type` is JSON (both of its checks),
  the body is one `JSONRPCRequest`; its answer: status 200 and the JSON-RPC response or error;
- a born-ready `Connection` at the header's version with no channel back, as the manager makes;
- the SDK's kernel, `ServerRunner.on_request` (surface and params validation, handler lookup, the
  result's validation and serialisation), which is what `serve_one` runs;
- the dispatcher's exception-to-error ladder (`modern_error_data`). One difference, on purpose: an
  exception outside that ladder (a bug; the tools answer every failure as a result) is logged and
  answered with the generic internal error, where the legacy dispatcher puts its text on the wire.

Anything else (GET, DELETE, a notification, a batch, a body that isn't JSON, headers the SDK must
refuse, a 2026-07-28 request) gets None, and the caller hands it to the SDK's manager unchanged, so
those answers stay the SDK's. `tests/mcp/test_mcp_exchange.py` checks the answers are the manager's."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import anyio
import pydantic_core
from mcp.server.connection import Connection
from mcp.server.lowlevel import Server
from mcp.server.runner import ServerRunner, modern_error_data
from mcp.server.streamable_http import check_accept_headers
from mcp.shared.dispatcher import CallOptions
from mcp.shared.exceptions import NoBackChannelError
from mcp.shared.inbound import MCP_PROTOCOL_VERSION_HEADER
from mcp.shared.message import MessageMetadata, ServerMessageMetadata
from mcp.shared.transport_context import TransportContext
from mcp_types import DEFAULT_NEGOTIATED_VERSION, JSONRPCError, JSONRPCRequest, RequestId
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

log = logging.getLogger("service.mcp")

_TRANSPORT = TransportContext(kind="streamable-http", can_send_request=False)  # what the stateless manager stamps
_JSON = "application/json"


@dataclass(slots=True)
class SingleExchange:
    """The `DispatchContext` of one request answered by one JSON body: nothing can ride back before it.

    In JSON-response mode the legacy transport drops notifications tied to a request and a stateless
    server has no channel for a request to the client; both are refused here the same way.
    """

    request_id: RequestId
    message_metadata: MessageMetadata
    transport: TransportContext = _TRANSPORT
    can_send_request: bool = False
    _cancel: anyio.Event | None = None

    @property
    def cancel_requested(self) -> anyio.Event:
        """Never set (nothing can cancel a single exchange); made only if asked for, as it costs a few µs."""
        if self._cancel is None:
            self._cancel = anyio.Event()
        return self._cancel

    async def send_raw_request(
        self, method: str, params: Mapping[str, Any] | None, opts: CallOptions | None = None
    ) -> dict[str, Any]:
        raise NoBackChannelError(method)

    async def notify(self, method: str, params: Mapping[str, Any] | None, opts: CallOptions | None = None) -> None:
        log.debug("dropped %s: a JSON answer carries only the response", method)

    async def progress(self, progress: float, total: float | None = None, message: str | None = None) -> None:
        return None


def handshake_version(request: Request) -> str | None:
    """The request's protocol version if it is one the legacy path serves (absent: the spec's default)."""
    version = request.headers.get(MCP_PROTOCOL_VERSION_HEADER)
    if version is None:
        return DEFAULT_NEGOTIATED_VERSION
    return version if version in HANDSHAKE_PROTOCOL_VERSIONS else None


def _json_request(request: Request, body: bytes) -> JSONRPCRequest | None:
    """The body as one JSON-RPC request, if the legacy transport would dispatch it as one."""
    if request.method != "POST" or not check_accept_headers(request)[0]:
        return None
    # Both of the legacy path's checks: the security middleware's prefix (400) and the transport's media type (415).
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith(_JSON) or _JSON not in (
        part.strip() for part in content_type.split(";")[0].split(",")
    ):
        return None
    try:
        decoded = pydantic_core.from_json(body)
    except ValueError:
        return None
    if not isinstance(decoded, dict) or "id" not in decoded or "method" not in decoded:
        return None
    try:
        return JSONRPCRequest.model_validate(decoded, by_name=False)
    except ValidationError:
        return None


async def answer(server: Server[Any], lifespan_state: Any, request: Request, body: bytes) -> Response | None:
    """The JSON answer to a handshake-era request, or None when the SDK's manager must serve it."""
    version = handshake_version(request)
    message = _json_request(request, body) if version is not None else None
    if version is None or message is None:
        return None
    context = SingleExchange(message.id, ServerMessageMetadata(request_context=request, can_send_request=False))
    # Born ready with no channel back, as `Connection.from_envelope(version, None, None)` makes it
    # without validating the absent client info and capabilities into two discarded errors.
    connection = Connection(context, protocol_version=version)
    connection.initialized.set()
    try:
        result = await ServerRunner(server, connection, lifespan_state).on_request(
            context, message.method, message.params
        )
    except Exception as exc:
        error = JSONRPCError(jsonrpc="2.0", id=message.id, error=modern_error_data(exc))
        return Response(error.model_dump_json(by_alias=True, exclude_unset=True), media_type=_JSON)
    finally:
        # `serve_one` unwinds this under a shielded 5 s bound for cleanups a handler registered; the
        # tools register none, so the empty stack closes at once and needs neither.
        await connection.exit_stack.aclose()
    # The result is the kernel's wire dict; `JSONRPCResponse(...).model_dump_json()` writes the same.
    return Response(pydantic_core.to_json({"jsonrpc": "2.0", "id": message.id, "result": result}), media_type=_JSON)
