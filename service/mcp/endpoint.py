"""`/mcp`: the ASGI endpoint in front of the SDK's Streamable HTTP session manager, and its lifespan.

The manager runs stateless with JSON answers: every POST is one self-contained exchange, so any
gateway process can answer any call (no session affinity behind a load balancer) and nothing is
held between the calls of a phone conversation; the conversation id, not an MCP session, is what
makes a repeated create safe. The manager is built and run inside the app's lifespan, next to the
clients it uses, and stored on `app.state`.

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

from service.errors import WebhookAuthError
from service.settings import Settings
from service.tools.auth import check_secret, presented_secret
from service.tools.errors import error_body

from .server import ToolServer

MCP_PATH = "/mcp"


@asynccontextmanager
async def run_mcp(settings: Settings) -> AsyncIterator[StreamableHTTPSessionManager]:
    """The session manager for `settings`' tools, running until the block ends (nest in the lifespan)."""
    manager = StreamableHTTPSessionManager(
        app=ToolServer(settings).server,
        json_response=True,
        stateless=True,
        max_request_body_size=settings.max_body_bytes,
    )
    async with manager.run():
        yield manager


class McpEndpoint:
    """ASGI app for `/mcp`: refuses without the webhook secret, then hands over to the running manager."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope["app"].state
        try:
            check_secret(presented_secret(Request(scope)), state.gateway.webhook_secret)
        except WebhookAuthError as exc:
            status, body, headers = error_body(exc)
            response = JSONResponse(body, status_code=status, headers={**headers, "WWW-Authenticate": "Bearer"})
            await response(scope, receive, send)
            return
        manager: StreamableHTTPSessionManager = state.mcp
        await manager.handle_request(scope, receive, send)
