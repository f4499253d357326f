"""The agent server: the ElevenLabs conversation protocol for the embedded agent.

`WS /v1/convai/conversation` (selects subprotocol `convai` when offered) and
`GET /v1/convai/conversation/get-signed-url` (a ws:// URL back to this server). Tools run through
the gateway over HTTP via the webhook executor, like everywhere else.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, WebSocket

from service.runner.agent import QualificationAgent
from service.runner.conversation import AgentFactory, Conversation, ConversationHook
from service.runner.protocol import InitData
from service.runner.speech import SpeechFactory
from service.runner.webhooks import WebhookExecutor

CONVERSATION_PATH = "/v1/convai/conversation"


SUMMARY_TOOL = "show_summary"


def rules_agent_factory(init: InitData, client_tools: frozenset[str] = frozenset()) -> QualificationAgent:
    """The deterministic agent, honouring the first-message override and dynamic variables; it calls the
    `show_summary` client tool after a create when the server offers it."""
    return QualificationAgent(
        first_message=init.first_message,
        dynamic_variables=init.dynamic_variables,
        summary_tool=SUMMARY_TOOL if SUMMARY_TOOL in client_tools else None,
    )


def create_agent_server(
    executor: WebhookExecutor,
    *,
    agent_factory: AgentFactory | None = None,
    speech_factory: SpeechFactory | None = None,
    client_tools: Iterable[str] = (),
    ping_interval: float = 10.0,
    keep_conversations: int = 200,
    max_duration: float = 1800.0,
    on_event: ConversationHook | None = None,
    on_session_end: Callable[[Conversation], Awaitable[None]] | None = None,
) -> FastAPI:
    """The agent server app; `app.state.conversations` keeps the last conversations (newest last).
    `on_event` sees each conversation's events as they happen (see `ConversationHook`).

    The executor's HTTP client is closed when the app shuts down (its connections belong to this loop)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await executor.aclose()

    app = FastAPI(title="Embedded agent server (ElevenLabs conversation protocol)", lifespan=lifespan)
    app.state.conversations = []
    tools = frozenset(client_tools)
    factory = agent_factory or (lambda init: rules_agent_factory(init, tools))

    @app.get(CONVERSATION_PATH + "/get-signed-url")
    async def signed_url(request: Request, agent_id: str = "embedded-agent") -> dict[str, Any]:
        base = str(request.base_url).rstrip("/")
        ws_base = "wss" + base[5:] if base.startswith("https") else "ws" + base[4:]
        signature = secrets.token_urlsafe(16)
        return {"signed_url": f"{ws_base}{CONVERSATION_PATH}?agent_id={agent_id}&conversation_signature={signature}"}

    @app.websocket(CONVERSATION_PATH)
    async def conversation(ws: WebSocket) -> None:
        conv = Conversation(
            ws,
            executor,
            factory,
            speech_factory=speech_factory,
            client_tools=tools,
            ping_interval=ping_interval,
            max_duration=max_duration,
            on_event=on_event,
            on_end=on_session_end,
        )
        app.state.conversations.append(conv)
        del app.state.conversations[:-keep_conversations]
        await conv.run()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
