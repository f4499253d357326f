"""`/mcp`: the ASGI endpoint in front of the SDK's Streamable HTTP serving, and its lifespan.

The server runs stateless with JSON answers: every POST is one self-contained exchange, so any
gateway process can answer any call (no session affinity behind a load balancer) and nothing is
held between the calls of a phone conversation; the conversation id, not an MCP session, is what
makes a repeated create safe. One `ToolServer` and one session manager are built and run inside the
app's lifespan, next to the clients they use, and stored on `app.state` as an `McpService`.

A handshake-era request (what ElevenLabs and most clients send) is answered in the request's own
task by `exchange.answer`, through the SDK's `serve_one`, instead of the manager's per-request
transport, streams and server task; whatever that entry doesn't take (GET, DELETE, notifications,
malformed bodies, 2026-07-28 requests) goes to the manager with the body it already read.

Authentication is the webhook's: the same secret, as `Authorization: Bearer` (or `X-Webhook-Secret`),
checked by the same function before the SDK sees the request; without it the answer is 401 with the
gateway's error body and `WWW-Authenticate: Bearer`. The SDK's OAuth resource-server support is for
per-user tokens, which phone callers don't have. The SDK's DNS-rebinding check (Host/Origin
allow-list) stays off: it guards unauthenticated local servers, and this one answers nothing
without the secret.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from service.asgi import body_of, read_body, replay
from service.errors import WebhookAuthError
from service.settings import Settings
from service.tools.auth import check_secret, presented_secret
from service.tools.errors import error_body

from . import exchange
from .server import ToolServer

MCP_PATH = "/mcp"


class McpService:
    """The tool server and the SDK's session manager for one app, as the ASGI app of `/mcp`."""

    def __init__(self, settings: Settings) -> None:
        self.tools = ToolServer(settings)
        self.manager = StreamableHTTPSessionManager(
            app=self.tools.server,
            json_response=True,
            stateless=True,
            max_request_body_size=settings.max_body_bytes,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one `/mcp` request; the gateway middleware has already refused a body over the limit."""
        if scope["method"] != "POST":
            await self.manager.handle_request(scope, receive, send)
            return
        messages = await read_body(receive)
        body = body_of(messages)
        response = await exchange.answer(self.tools.server, self.tools.lifespan_state, Request(scope, receive), body)
        if response is not None:
            await response(scope, receive, send)
            return
        await self.manager.handle_request(scope, replay(messages, receive), send)  # the body once more


@asynccontextmanager
async def run_mcp(settings: Settings) -> AsyncIterator[McpService]:
    """The MCP service for `settings`' tools, running until the block ends (nest in the lifespan)."""
    service = McpService(settings)
    async with service.manager.run():
        yield service


class McpEndpoint:
    """ASGI app for `/mcp`: refuses without the webhook secret, then hands over to the running service."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope["app"].state
        try:
            check_secret(presented_secret(Request(scope)), state.gateway.webhook_secret)
        except WebhookAuthError as exc:
            status, body, headers = error_body(exc)
            response = JSONResponse(body, status_code=status, headers={**headers, "WWW-Authenticate": "Bearer"})
            await response(scope, receive, send)
            return
        service: McpService = state.mcp
        await service(scope, receive, send)
