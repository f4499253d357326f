"""The MCP `Server` (official SDK, low-level API): `tools/list` and `tools/call` over the webhook tools.

`tools/call` does what a webhook route does, through the same functions: `tool_context` builds the
`ToolContext` (secret check, budget, cached schema, caller headers), `within` runs the tool in that
budget, and a `ServiceError` becomes the status table's `{"error": …}` body (`error_body`). The
answer's structured content is the webhook's JSON answer; an error is a result with `isError` and
the error body, so the agent hears the same sentence either way. The conversation id comes from the
`X-Conversation-Id` header or, failing that, from the call's `_meta` (`conversation_id`).

The low-level API rather than `MCPServer` (FastMCP): FastMCP derives schemas from function
signatures and turns exceptions into its own error text; here both must be the webhook's.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import mcp_types as types
import pydantic_core
from fastapi.exceptions import RequestValidationError
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from service.deps import tool_context
from service.errors import ServiceError
from service.settings import Settings
from service.tools import schemas as s
from service.tools.context import ToolContext, within
from service.tools.create_record import create_record
from service.tools.errors import (
    error_body,
    validation_message,  # one wording for both
)
from service.tools.get_record import get_record
from service.tools.metrics import Metrics
from service.tools.search import search_records

from .catalog import CONVERSATION_META_KEY, CreateArgs, GetArgs, SearchArgs, ToolModels, tool_list, tool_models

log = logging.getLogger("service.mcp")

_Call = Callable[[BaseModel, ToolContext], Awaitable[BaseModel]]


async def _search(args: BaseModel, ctx: ToolContext) -> BaseModel:
    assert isinstance(args, SearchArgs)
    return await search_records(args.q, ctx)


async def _get(args: BaseModel, ctx: ToolContext) -> BaseModel:
    assert isinstance(args, GetArgs)
    return await get_record(args.object_type, args.record_id, ctx)


async def _create(args: BaseModel, ctx: ToolContext) -> BaseModel:
    assert isinstance(args, CreateArgs)
    fields = args.record_data.model_dump(exclude_none=True)
    return await create_record(args.object_type, fields, ctx, dry_run=args.dry_run)


def _result(body: dict[str, Any], *, error: bool = False) -> dict[str, Any]:
    """A `CallToolResult` in its wire form: the body as structured content and as its JSON text.

    Built as the dict the SDK would dump from the model (it validates and sieves the result against
    the protocol's schema either way), so the answer is not modelled and dumped once more on the way.
    """
    text = pydantic_core.to_json(body).decode()  # compact UTF-8, as `json.dumps(ensure_ascii=False)`
    content = [{"type": "text", "text": text}]
    return {"content": content, "structuredContent": body, "isError": error, "resultType": "complete"}


def invalid_arguments(exc: ValidationError) -> dict[str, Any]:
    """The webhook's 422 body for arguments that failed validation, worded by the webhook's own handler.

    `record_data` stands for the webhook's JSON body, so its fields are named as the body's are.
    """
    errors = [
        {**err, "loc": ("body", *err["loc"][1:]) if err["loc"][:1] == ("record_data",) else err["loc"]}
        for err in exc.errors()
    ]
    message, fields = validation_message(RequestValidationError(errors))
    return {"error": {"code": "invalid_input", "message": message, "fields": fields}}


def _conversation_id(ctx: ServerRequestContext[Any, Any], params: types.CallToolRequestParams) -> str | None:
    meta = params.meta or ctx.meta or {}
    value = meta.get(CONVERSATION_META_KEY)
    return (value.strip() or None) if isinstance(value, str) else None


class ToolServer:
    """The three tools for one app's settings; `server` is what the session manager runs."""

    def __init__(self, settings: Settings) -> None:
        models: ToolModels = tool_models(settings)
        self.tools = tool_list(settings, models)
        self.calls: dict[str, tuple[type[BaseModel], _Call]] = {
            s.SEARCH_TOOL: (models.search, _search),
            s.GET_TOOL: (models.get, _get),
            s.CREATE_TOOL: (models.create, _create),
        }
        self.schemas = {tool.name: tool.input_schema for tool in self.tools}
        # What the manager's lifespan yields, and what the single-exchange entry hands to the SDK's kernel.
        self.lifespan_state: dict[str, Any] = {}
        self.server: Server[Any] = Server(
            "salesforce-tools",
            version="1.0",
            instructions="Search, get and create Salesforce records; every answer has a sentence to speak.",
            lifespan=self._lifespan,
            # For the 2026-07-28 entry's `Mcp-Param-*` check: without it the SDK runs tools/list per call.
            get_tool_input_schema=self.schemas.get,
            on_list_tools=self.list_tools,
        )
        # Registered by method, as the SDK's typed `on_call_tool` would, to answer with the wire dict.
        self.server.add_request_handler("tools/call", types.CallToolRequestParams, self.call_tool)
        # The SDK wraps every message in an OpenTelemetry span (a no-op without an exporter, but work
        # on the hot path); the gateway has no exporter and keeps its own access log and metrics.
        self.server.middleware = []

    @asynccontextmanager
    async def _lifespan(self, server: Server[Any]) -> AsyncIterator[dict[str, Any]]:
        yield self.lifespan_state

    async def list_tools(
        self, ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=self.tools)

    async def call_tool(
        self, ctx: ServerRequestContext[Any, Any], params: types.CallToolRequestParams
    ) -> dict[str, Any]:
        entry = self.calls.get(params.name)
        if entry is None:
            message = f"There is no tool named {params.name}; use {', '.join(self.calls)}."
            return _result({"error": {"code": "not_found", "message": message}}, error=True)
        model, call = entry
        try:
            args = model.model_validate(params.arguments or {})
        except ValidationError as exc:
            return _result(invalid_arguments(exc), error=True)
        request = ctx.request
        assert isinstance(request, Request)  # the Streamable HTTP transport hands over the HTTP request
        started = time.perf_counter()
        metrics: Metrics = request.app.state.metrics
        path = f"/tools/{params.name}"  # counted with the webhook calls of the same tool
        try:
            context = await tool_context(request)
            if context.conversation_id is None and (conversation := _conversation_id(ctx, params)) is not None:
                context = dataclasses.replace(context, conversation_id=conversation)
            answer = await within(context.deadline, call(args, context))
        except ServiceError as exc:
            status, body, _ = error_body(exc)
            log.log(logging.WARNING if status >= 500 else logging.INFO, "mcp tool error %s: %s", status, exc.message)
            metrics.error(path, body["error"]["code"])
            metrics.observe(path, status, time.perf_counter() - started)
            return _result(body, error=True)
        metrics.observe(path, 200, time.perf_counter() - started)
        return _result(answer.model_dump(mode="json"))
