"""The three webhook routes. Each runs inside the tool's time budget and answers a model of
`service/tools/schemas.py` or an error of the one mapping in `service/tools/errors.py`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Depends, Header, Path, Query
from starlette.requests import Request

from service.deadline import Deadline
from service.deps import Gateway, get_gateway
from service.errors import DeadlineExceeded, ServiceError
from service.tools import schemas as s
from service.tools.auth import check_secret, presented_secret
from service.tools.create_record import CreateContext, create_record
from service.tools.errors import SLOW
from service.tools.get_record import get_record
from service.tools.search import search_records

log = logging.getLogger("service.tools")
T = TypeVar("T")

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": s.ErrorResponse, "description": text}
    for status, text in (
        (400, "Not a valid HTTP request"),
        (401, "Missing or wrong webhook secret"),
        (404, "Record or object not found"),
        (408, "The request body did not arrive in time"),
        (413, "Request body too large"),
        (414, "Request URL too long"),
        (422, "Input the agent can correct (the message says how)"),
        (429, "The org's API limit is used up (Retry-After)"),
        (500, "Gateway failure"),
        (502, "The CRM returned an error"),
        (503, "The CRM is unavailable (Retry-After)"),
        (504, "The time budget ran out: the CRM is slow"),
    )
}


async def authorized_gateway(request: Request) -> Gateway:
    """The gateway, once the request carried the webhook secret (401 otherwise).

    One leaf dependency for both the router (every /tools/ route is guarded) and the routes'
    `gateway` parameter: FastAPI solves it once per request (cached), instead of four nested
    solves for the secret check and the gateway separately.
    """
    gateway = await get_gateway(request)
    check_secret(presented_secret(request), gateway.webhook_secret)
    return gateway


AuthorizedGateway = Annotated[Gateway, Depends(authorized_gateway)]

router = APIRouter(prefix="/tools", dependencies=[Depends(authorized_gateway)], responses=_ERRORS)

# Leave time to write the answer before the platform's own timeout.
_ANSWER_MARGIN = 0.25


def budget(gateway: Any) -> Deadline:
    """The deadline of one tool call."""
    return Deadline.after(max(0.5, float(gateway.settings.tool_timeout) - _ANSWER_MARGIN))


async def within(deadline: Deadline, work: Awaitable[T]) -> T:
    """Run `work` inside the budget; anything unexpected becomes a speakable internal error."""
    try:
        async with asyncio.timeout(deadline.remaining()):
            return await work
    except TimeoutError as exc:
        raise DeadlineExceeded(SLOW) from exc
    except ServiceError:
        raise
    except Exception as exc:
        log.exception("tool failed unexpectedly")
        raise ServiceError("Something went wrong in the gateway. Please try again.") from exc


@router.get(
    "/" + s.SEARCH_TOOL,
    operation_id=s.SEARCH_TOOL,
    summary=s.SEARCH_TOOL,
    description=s.SEARCH_DESCRIPTION,
    response_model=s.SearchResponse,
)
async def search_route(
    gateway: AuthorizedGateway,
    q: Annotated[str, Query(description=s.Q_DESCRIPTION, min_length=1, max_length=4000)],
) -> s.SearchResponse:
    deadline = budget(gateway)

    async def work() -> s.SearchResponse:
        schema = await gateway.schemas.get(deadline)
        return await search_records(
            q, client=gateway.salesforce, schema=schema, policy_config=gateway.policy, deadline=deadline
        )

    return await within(deadline, work())


@router.get(
    f"/{s.GET_TOOL}/{{object_type}}/{{record_id}}",
    operation_id=s.GET_TOOL,
    summary=s.GET_TOOL,
    description=s.GET_DESCRIPTION,
    response_model=s.GetRecordResponse,
)
async def get_route(
    gateway: AuthorizedGateway,
    object_type: Annotated[str, Path(description=s.OBJECT_TYPE_DESCRIPTION, max_length=80)],
    record_id: Annotated[str, Path(description=s.RECORD_ID_DESCRIPTION, max_length=40)],
) -> s.GetRecordResponse:
    deadline = budget(gateway)

    async def work() -> s.GetRecordResponse:
        schema = await gateway.schemas.get(deadline)
        return await get_record(
            object_type,
            record_id,
            client=gateway.salesforce,
            schema=schema,
            allowed=gateway.settings.allowed_object_names,
            field_sets=gateway.field_sets,
            deadline=deadline,
        )

    return await within(deadline, work())


@router.post(
    f"/{s.CREATE_TOOL}/{{object_type}}",
    operation_id=s.CREATE_TOOL,
    summary=s.CREATE_TOOL,
    description=s.CREATE_DESCRIPTION,
    response_model=s.CreateRecordResponse,
)
async def create_route(
    gateway: AuthorizedGateway,
    object_type: Annotated[str, Path(description=s.CREATE_OBJECT_TYPE_DESCRIPTION, max_length=80)],
    body: Annotated[s.CreateFields, Body(description=s.BODY_DESCRIPTION)],
    dry_run: Annotated[bool, Query(description=s.DRY_RUN_DESCRIPTION)] = False,
    conversation_id: Annotated[
        str | None, Header(alias=s.CONVERSATION_HEADER, description=s.CONVERSATION_ID_DESCRIPTION, max_length=200)
    ] = None,
    idempotency_key: Annotated[
        str | None, Header(alias=s.IDEMPOTENCY_HEADER, description=s.IDEMPOTENCY_KEY_DESCRIPTION, max_length=200)
    ] = None,
) -> s.CreateRecordResponse:
    deadline = budget(gateway)

    async def work() -> s.CreateRecordResponse:
        schema = await gateway.schemas.get(deadline)
        ctx = CreateContext(
            client=gateway.salesforce,
            schema=schema,
            settings=gateway.settings,
            store=gateway.idempotency,
            duplicate_locks=gateway.duplicate_locks,
            deadline=deadline,
            conversation_id=(conversation_id or "").strip() or None,
            explicit_key=(idempotency_key or "").strip() or None,
            dry_run=dry_run,
        )
        return await create_record(object_type, body.model_dump(exclude_none=True), ctx)

    return await within(deadline, work())
