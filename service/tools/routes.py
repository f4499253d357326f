"""The three webhook routes, built per app from its settings (the descriptions name the limits and
objects in force). Each runs inside the tool's time budget with one `ToolContext` and answers a
model of `service/tools/schemas.py` or an error of the one table in `service/tools/status.py`.

Not `from __future__ import annotations`: the parameter annotations name this app's settings, so
they must be evaluated where the routes are defined, not later by FastAPI from module globals.
"""

from typing import Annotated

from fastapi import APIRouter, Body, Header, Path, Query

from service.deps import ToolCtx
from service.settings import Settings
from service.tools import schemas as s
from service.tools.context import within
from service.tools.create_record import create_record
from service.tools.get_record import get_record
from service.tools.search import search_records
from service.tools.status import openapi_responses


def build_router(settings: Settings) -> APIRouter:
    """The `/tools/` router; every route takes `ToolCtx`, whose dependency checks the webhook secret."""
    router = APIRouter(prefix="/tools", responses=openapi_responses())

    @router.get(
        "/" + s.SEARCH_TOOL,
        operation_id=s.SEARCH_TOOL,
        summary=s.SEARCH_TOOL,
        description=s.SEARCH_DESCRIPTION,
        response_model=s.SearchResponse,
    )
    async def search_route(
        ctx: ToolCtx,
        q: Annotated[str, Query(description=s.q_description(settings), min_length=1, max_length=4000)],
    ) -> s.SearchResponse:
        return await within(ctx.deadline, search_records(q, ctx))

    @router.get(
        f"/{s.GET_TOOL}/{{object_type}}/{{record_id}}",
        operation_id=s.GET_TOOL,
        summary=s.GET_TOOL,
        description=s.GET_DESCRIPTION,
        response_model=s.GetRecordResponse,
    )
    async def get_route(
        ctx: ToolCtx,
        object_type: Annotated[str, Path(description=s.object_type_description(settings), max_length=80)],
        record_id: Annotated[str, Path(description=s.RECORD_ID_DESCRIPTION, max_length=40)],
    ) -> s.GetRecordResponse:
        return await within(ctx.deadline, get_record(object_type, record_id, ctx))

    @router.post(
        f"/{s.CREATE_TOOL}/{{object_type}}",
        operation_id=s.CREATE_TOOL,
        summary=s.CREATE_TOOL,
        description=s.create_description(settings),
        response_model=s.CreateRecordResponse,
    )
    async def create_route(
        ctx: ToolCtx,
        object_type: Annotated[str, Path(description=s.create_object_type_description(settings), max_length=80)],
        body: Annotated[s.CreateFields, Body(description=s.BODY_DESCRIPTION)],
        dry_run: Annotated[bool, Query(description=s.DRY_RUN_DESCRIPTION)] = False,
        # Declared for the docs and the length check; the values reach the tool through `ctx`.
        _conversation_id: Annotated[
            str | None, Header(alias=s.CONVERSATION_HEADER, description=s.CONVERSATION_ID_DESCRIPTION, max_length=200)
        ] = None,
        _idempotency_key: Annotated[
            str | None, Header(alias=s.IDEMPOTENCY_HEADER, description=s.IDEMPOTENCY_KEY_DESCRIPTION, max_length=200)
        ] = None,
    ) -> s.CreateRecordResponse:
        return await within(
            ctx.deadline, create_record(object_type, body.model_dump(exclude_none=True), ctx, dry_run=dry_run)
        )

    return router
