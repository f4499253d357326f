"""salesforce_create_record: guard → idempotency → check-before-create → create → reconcile.

Order of locks: the idempotency key, then the duplicate key (object + email or name), always in
that order, so concurrent identical creates make one record and concurrent creates of the same
person under different keys still see each other's record.
"""

from __future__ import annotations

import logging
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx2

from service.deadline import Deadline
from service.errors import DuplicateDetected, OutcomeUnknown, ServiceError
from service.schema import SObject
from service.settings import Settings
from service.soql.quoting import fill_query, id_query
from service.tools.context import ToolContext
from service.tools.get_record import allowed_object
from service.tools.guard import check_required, normalize_fields, resolve_names, split_person_name
from service.tools.idempotency import body_hash, idempotency_key
from service.tools.records import record_name
from service.tools.schemas import CREATE_OBJECTS, CreateRecordResponse
from service.tools.speech import end_sentence

log = logging.getLogger("service.tools")

# Time kept back from a create to reconcile a lost answer within the same call.
_RECONCILE_RESERVE = 3.0

# Without a conversation id or key, a pending marker (keyed by the body) guards retries this long.
_ANON_PENDING_TTL = 600.0

# Who else a person may already be: creating a Lead also checks Contacts, and the other way round.
_ALSO_CHECK = {"Lead": "Contact", "Contact": "Lead"}


@dataclass(frozen=True)
class Existing:
    object: str
    id: str
    name: str | None


async def create_record(
    object_type: str, body: dict[str, Any], ctx: ToolContext, *, dry_run: bool = False
) -> CreateRecordResponse:
    """Validate, then create at most once; answers `created: false` for records that already exist."""
    allowed = tuple(o for o in ctx.settings.allowed_object_names if o in CREATE_OBJECTS)
    sobject = allowed_object(object_type, allowed, ctx.schema)
    fields = resolve_names(sobject, split_person_name(sobject, body))
    normalized = normalize_fields(sobject, fields, ctx.schema, date.today())
    fields = normalized.fields  # normalized.changes: for the answer's `changes` and the read-back
    fields = _defaults(sobject, fields, ctx.settings)
    check_required(sobject, fields)
    key = idempotency_key(sobject.name, fields, ctx.conversation_id, ctx.idempotency_key)
    final = _with_conversation_id(sobject, fields, ctx.settings.conversation_id_field, ctx.conversation_id)
    if dry_run:
        existing = await find_existing(sobject, fields, ctx)
        return _exists_answer(existing, dry_run=True) if existing else _answer(sobject, None, final, dry_run=True)
    pending_key = f"pending:{key or 'body:' + body_hash(sobject.name, fields)}"
    async with AsyncExitStack() as stack:
        if key is not None:
            await stack.enter_async_context(ctx.store.lock(key))
            cached = await ctx.store.get(key)
            if cached is not None:
                return CreateRecordResponse.model_validate(cached)
        dup = _duplicate_key(sobject, fields)
        if dup is not None:
            await stack.enter_async_context(ctx.duplicate_locks.lock(dup))
        existing = await find_existing(sobject, fields, ctx)
        if existing is not None:
            answer = _exists_answer(existing)
        else:
            earlier = await _reconcile(sobject, final, ctx) if await ctx.store.get(pending_key) else None
            if earlier is not None:
                answer = _answer(sobject, earlier.id, final, name=earlier.name)
            else:
                ttl = ctx.settings.idempotency_ttl if key else min(ctx.settings.idempotency_ttl, _ANON_PENDING_TTL)
                await ctx.store.put(pending_key, {"object": sobject.name}, ttl)
                answer = await _create(sobject, fields, final, ctx)
        await ctx.store.delete(pending_key)
        if key is not None:
            await ctx.store.put(key, answer.model_dump(), ctx.settings.idempotency_ttl)
    if answer.id:
        await ctx.note_records(answer.object, [answer.id], created=answer.created)
    return answer


def _defaults(sobject: SObject, fields: dict[str, Any], settings: Settings) -> dict[str, Any]:
    out = dict(fields)
    source = sobject.field("LeadSource")
    if settings.lead_source_default and source is not None and source.createable and "LeadSource" not in out:
        out["LeadSource"] = settings.lead_source_default
    return out


def _with_conversation_id(
    sobject: SObject, fields: dict[str, Any], field_name: str | None, conversation_id: str | None
) -> dict[str, Any]:
    """Record the conversation id in the configured field (appended to free text already there)."""
    field = sobject.field(field_name) if field_name else None
    if not conversation_id or field is None or not field.createable:
        return dict(fields)
    out = dict(fields)
    tag = f"[conversation {conversation_id[:80]}]"
    current = out.get(field.name)
    if isinstance(current, str) and current and field.type in ("textarea", "string"):
        room = (field.length or 32000) - len(tag) - 2
        out[field.name] = f"{current[: max(room, 0)]}\n\n{tag}"
    else:
        out[field.name] = tag if field.type in ("textarea", "string") else conversation_id
    return out


def _duplicate_criterion(sobject: SObject, fields: dict[str, Any]) -> tuple[str, str] | None:
    if sobject.name in ("Lead", "Contact") and isinstance(fields.get("Email"), str):
        return "Email", fields["Email"]
    if sobject.name == "Account" and isinstance(fields.get("Name"), str):
        return "Name", fields["Name"]
    return None


def _duplicate_key(sobject: SObject, fields: dict[str, Any]) -> str | None:
    criterion = _duplicate_criterion(sobject, fields)
    if criterion is None:
        return None
    # Lead and Contact share one key space: a person is one person whichever object holds them.
    group = "person" if sobject.name in _ALSO_CHECK else sobject.name
    return f"dup:{group}:{criterion[0]}:{criterion[1].strip().lower()}"


async def find_existing(sobject: SObject, fields: dict[str, Any], ctx: ToolContext) -> Existing | None:
    """The record that makes this create a duplicate (same email / same account name), if any."""
    criterion = _duplicate_criterion(sobject, fields)
    if criterion is None:
        return None
    objects = [sobject.name]
    other = _ALSO_CHECK.get(sobject.name)
    if other and ctx.schema.get(other) is not None:
        objects.append(other)
    for name in objects:
        found = await _lookup(name, criterion[0], criterion[1], ctx)
        if found is not None:
            return found
    return None


async def _lookup(object_name: str, field: str, value: str, ctx: ToolContext) -> Existing | None:
    sobject = ctx.schema.get(object_name)
    name_field = sobject.name_field if sobject is not None else "Name"
    soql = fill_query(
        f"SELECT Id, {name_field} FROM {object_name} WHERE {field} = {{}} ORDER BY CreatedDate LIMIT 1", value
    )
    result = await ctx.client.query(soql, deadline=ctx.deadline)
    if not result.records:
        return None
    row = result.records[0]
    return Existing(object_name, str(row["Id"]), record_name(row, name_field))


async def _name_by_id(record_id: str, ctx: ToolContext) -> Existing | None:
    sobject = ctx.schema.by_key_prefix(record_id[:3])
    if sobject is None:
        return None
    try:
        soql = id_query(sobject.name, ["Id", sobject.name_field], record_id)
        result = await ctx.client.query(soql, deadline=ctx.deadline)
    except (ServiceError, ValueError):  # not an id we can look up: answer without its name
        return Existing(sobject.name, record_id, None)
    row = result.records[0] if result.records else {}
    return Existing(sobject.name, record_id, record_name(row, sobject.name_field) if row else None)


async def _create(
    sobject: SObject, fields: dict[str, Any], final: dict[str, Any], ctx: ToolContext
) -> CreateRecordResponse:
    """Create once; after a lost answer look the record up, and create again only when the first
    request provably never ran (a reset, not a timeout: a timed-out create may still commit)."""
    for attempt in range(2):
        try:
            record_id = await ctx.client.create(sobject.name, final, deadline=_create_deadline(ctx.deadline))
        except DuplicateDetected as exc:
            ids = [i for i in exc.match_ids if isinstance(i, str)]
            found = await _name_by_id(ids[0], ctx) if ids else None
            if found is None:
                found = await find_existing(sobject, fields, ctx)
            return _exists_answer(found or Existing(sobject.name, "", None))
        except OutcomeUnknown as exc:
            log.warning("create outcome unknown for %s; reconciling", sobject.name)
            found = await _reconcile(sobject, final, ctx)
            if found is not None:
                return _answer(sobject, found.id, final, name=found.name)
            if _may_still_commit(exc) or attempt == 1 or ctx.deadline.remaining() < 2.0:
                raise
            continue
        return _answer(sobject, record_id, final, name=await _case_number(sobject, record_id, ctx))
    raise OutcomeUnknown("the create could not be confirmed")  # pragma: no cover - loop always returns


def _may_still_commit(exc: OutcomeUnknown) -> bool:
    """True when the lost create may still be running in the org (a timeout, a proxy's 502/504):
    sending it again could make a second record once the first commits. Only a reset or refused
    connection, after a lookup found nothing, is safe to send again."""
    return isinstance(exc.__cause__, httpx2.TimeoutException) or exc.http_status in (502, 504)


def _create_deadline(deadline: Deadline) -> Deadline:
    """The create's share of the budget: what is left minus time to look the record up after."""
    remaining = deadline.remaining()
    return Deadline(deadline.at - min(_RECONCILE_RESERVE, remaining / 3))


async def _reconcile(sobject: SObject, final: dict[str, Any], ctx: ToolContext) -> Existing | None:
    """Look the record up after a lost answer: by its duplicate criterion, or by its own values today."""
    criterion = _duplicate_criterion(sobject, final)
    if criterion is not None:
        return await _lookup(sobject.name, criterion[0], criterion[1], ctx)
    conditions = []
    values = []
    for name, value in final.items():
        field = sobject.field(name)
        if field is not None and field.filterable and field.type in ("string", "picklist", "email", "phone"):
            conditions.append(f"{field.name} = {{}}")
            values.append(value)
    if not conditions:
        return None
    soql = fill_query(
        f"SELECT Id, {sobject.name_field} FROM {sobject.name} WHERE {' AND '.join(conditions)} "
        "AND CreatedDate = TODAY ORDER BY CreatedDate DESC LIMIT 1",
        *values,
    )
    try:
        result = await ctx.client.query(soql, deadline=ctx.deadline)
    except ServiceError as exc:
        raise OutcomeUnknown("the create could not be confirmed") from exc
    if not result.records:
        return None
    row = result.records[0]
    return Existing(sobject.name, str(row["Id"]), record_name(row, sobject.name_field))


async def _case_number(sobject: SObject, record_id: str, ctx: ToolContext) -> str | None:
    if sobject.name != "Case" or ctx.deadline.remaining() < 1.0:
        return None
    found = await _name_by_id(record_id, ctx)
    return found.name if found else None


def _display_name(sobject: SObject, fields: dict[str, Any]) -> str | None:
    if sobject.name == "Case":
        return None
    return record_name(fields, "Name")


def _answer(
    sobject: SObject,
    record_id: str | None,
    final: dict[str, Any],
    *,
    name: str | None = None,
    dry_run: bool = False,
) -> CreateRecordResponse:
    name = name or _display_name(sobject, final)
    what = _describe(sobject, name, final)
    speech = (
        end_sentence(f"Everything checks out: I would create {what}") + " Nothing was written."
        if dry_run
        else end_sentence(f"I've created {what}")
    )
    if sobject.name == "Case" and not dry_run:
        speech = end_sentence(f"I've opened {what}")
    return CreateRecordResponse(
        speech=speech,
        created=not dry_run,
        id=record_id,
        object=sobject.name,
        name=name,
        dry_run=dry_run,
        fields=final,
    )


def _describe(sobject: SObject, name: str | None, final: dict[str, Any]) -> str:
    label = sobject.label.lower()
    if sobject.name == "Case":
        subject = final.get("Subject")
        head = f"case {name}" if name else "a case"
        return head + (f" about {subject}" if subject else "")
    if sobject.name == "Lead":
        company = final.get("Company")
        return f"a lead for {name}" + (f" at {company}" if company else "")
    if sobject.name == "Contact":
        return f"a contact for {name}"
    return f"the {label} {name}" if name else f"a new {label}"


def _exists_answer(existing: Existing, *, dry_run: bool = False) -> CreateRecordResponse:
    who = existing.name or "That record"
    speech = f"{who} is already in the CRM as {_a(existing.object)} {existing.object}, so I didn't create a new one."
    return CreateRecordResponse(
        speech=speech,
        created=False,
        id=existing.id or None,
        object=existing.object,
        name=existing.name,
        dry_run=dry_run,
    )


def _a(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"
