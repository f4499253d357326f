"""salesforce_create_record: guard → idempotency → check-before-create → create → reconcile.

Order of locks: the idempotency key, then the duplicate keys (email, last name, or an Account's
name; sorted), always in that order, so concurrent identical creates make one record
and concurrent creates of the same person under different keys still see each other's record.
Without any key, identical concurrent bodies share one flight. The check before create applies
Salesforce's standard matching rules through `service.tools.matching` (the search's matcher too);
every normalisation the guard made is listed in `changes` and a changed email or phone is read back.
"""

from __future__ import annotations

import asyncio
import logging
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
from service.tools.guard import Normalized, check_required, normalize_fields, resolve_names, split_person_name
from service.tools.idempotency import body_hash, idempotency_key
from service.tools.matching import account_duplicate, company_key, fold, person_duplicate
from service.tools.records import flatten, parent_name, record_name
from service.tools.schemas import CREATE_OBJECTS, CreateRecordResponse
from service.tools.speech import end_sentence, read_back

log = logging.getLogger("service.tools")

# Time kept back from a create to reconcile a lost answer within the same call.
_RECONCILE_RESERVE = 3.0

# Without a conversation id or key, a pending marker (keyed by the body) guards retries this long.
_ANON_PENDING_TTL = 600.0

# Who else a person may already be: creating a Lead also checks Contacts, and the other way round.
_ALSO_CHECK = {"Lead": "Contact", "Contact": "Lead"}
# What the person matching rule reads of each candidate.
_PERSON_COLUMNS = ("Id", "Name", "FirstName", "LastName", "Email", "Phone", "Company", "AccountId", "Account.Name")


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
    fields = _defaults(sobject, normalized.fields, ctx.settings)
    check_required(sobject, fields)
    key = idempotency_key(sobject.name, fields, ctx.conversation_id, ctx.idempotency_key)
    final = _with_conversation_id(sobject, fields, ctx.settings.conversation_id_field, ctx.conversation_id)
    if dry_run:
        existing = await find_existing(sobject, fields, ctx)
        answer = _exists_answer(existing, dry_run=True) if existing else _answer(sobject, None, final, dry_run=True)
        return _with_changes(answer, normalized, sobject)
    if key is None:
        # no key to scope it: identical concurrent bodies share one flight (and so one record)
        flight = f"flight:{body_hash(sobject.name, fields)}"
        answer = await ctx.duplicate_locks.single_flight(
            flight, lambda: _create_once(sobject, fields, final, None, ctx)
        )
    else:
        answer = await _create_once(sobject, fields, final, key, ctx)
    return _with_changes(answer, normalized, sobject)


async def _create_once(
    sobject: SObject, fields: dict[str, Any], final: dict[str, Any], key: str | None, ctx: ToolContext
) -> CreateRecordResponse:
    """In one create section (the key's and the duplicate keys' locks): replay, already exists,
    reconcile or create; the answer, the pending marker and the ledger note are written on leaving."""
    pending_key = f"pending:{key or 'body:' + body_hash(sobject.name, fields)}"
    ttl = ctx.settings.idempotency_ttl
    section_of = ctx.store.create_section(
        key,
        duplicate_keys(sobject, fields),  # sorted: every create takes them in one order
        pending_key,
        pending_ttl=ttl if key else min(ttl, _ANON_PENDING_TTL),
        answer_ttl=ttl,
        deadline=ctx.deadline,
        check=lambda: find_existing(sobject, fields, ctx),
    )
    async with section_of as section:
        if section.cached is not None:
            return CreateRecordResponse.model_validate(section.cached)
        existing = await section.checked()
        if existing is not None:
            answer = _exists_answer(existing)
        else:
            earlier = await _reconcile(sobject, final, ctx) if section.pending else None
            if earlier is not None:
                answer = _answer(sobject, earlier.id, final, name=earlier.name)
            else:
                answer = await _create(sobject, fields, final, ctx)
        note = ctx.record_note(answer.object, [answer.id], created=answer.created) if answer.id else None
        section.finish(answer.model_dump(), note)
    return answer


def _with_changes(answer: CreateRecordResponse, normalized: Normalized, sobject: SObject) -> CreateRecordResponse:
    """The answer with the guard's changes listed, and a changed email or phone read back when stored."""
    if not normalized.changes:
        return answer
    speech = answer.speech
    if answer.created or answer.dry_run and answer.id is None:
        said = read_back(list(normalized.to_read_back()), sobject)
        speech = f"{speech} {said}" if said else speech
    return answer.model_copy(update={"changes": [c.to_json() for c in normalized.changes], "speech": speech})


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
    """The exact field a lost create is looked up by (email, or an Account's name)."""
    if sobject.name in ("Lead", "Contact") and isinstance(fields.get("Email"), str):
        return "Email", fields["Email"]
    if sobject.name == "Account" and isinstance(fields.get("Name"), str):
        return "Name", fields["Name"]
    return None


def duplicate_keys(sobject: SObject, fields: dict[str, Any]) -> list[str]:
    """The lock keys of everyone this create could duplicate: its email and last name, or company name.

    Lead and Contact share one key space (a person is one person whichever object holds them); the
    last name is the matching rule's one exact part, so "Jon" and "John" Smith take the same lock.
    """
    group = "person" if sobject.name in _ALSO_CHECK else sobject.name
    keys = []
    if sobject.name in _ALSO_CHECK:
        for name, value in (("email", fields.get("Email")), ("last", fields.get("LastName"))):
            if isinstance(value, str) and value.strip():
                keys.append(f"dup:{group}:{name}:{fold(value)}")
    elif sobject.name == "Account" and isinstance(fields.get("Name"), str):
        keys.append(f"dup:Account:name:{company_key(fields['Name'])}")
    return sorted(set(keys))


async def find_existing(sobject: SObject, fields: dict[str, Any], ctx: ToolContext) -> Existing | None:
    """The record that makes this create a duplicate (Salesforce's standard matching rules), if any.

    One query per object fetches the candidates (same email or same last name, or for an Account
    the same first letters); `service.tools.matching` decides which one matches.
    """
    objects = [sobject.name]
    other = _ALSO_CHECK.get(sobject.name)
    if other and ctx.schema.get(other) is not None:
        objects.append(other)
    targets = [t for t in (ctx.schema.get(name) for name in objects) if t is not None]
    # both objects at once: the check costs one org round trip, not two
    found = await asyncio.gather(*(_match(target, fields, ctx) for target in targets))
    return next((f for f in found if f is not None), None)


def _candidate_query(target: SObject, fields: dict[str, Any]) -> str | None:
    if target.name == "Account":
        name = company_key(str(fields.get("Name") or ""))
        if not name:
            return None
        return fill_query("SELECT Id, Name FROM Account WHERE Name LIKE {} LIMIT 200", name[:2] + "%")
    conditions, values = [], []
    for field_name in ("Email", "LastName"):
        if isinstance(fields.get(field_name), str) and target.field(field_name) is not None:
            conditions.append(f"{field_name} = {{}}")
            values.append(fields[field_name])
    if not conditions:
        return None
    columns = [
        c for c in _PERSON_COLUMNS if target.field(c) is not None or c == "Account.Name" and target.name == "Contact"
    ]
    return fill_query(
        f"SELECT {', '.join(columns)} FROM {target.name} WHERE {' OR '.join(conditions)} "
        "ORDER BY CreatedDate LIMIT 200",
        *values,
    )


async def _match(target: SObject, fields: dict[str, Any], ctx: ToolContext) -> Existing | None:
    soql = _candidate_query(target, fields)
    if soql is None:
        return None
    result = await ctx.client.query(soql, deadline=ctx.deadline, max_records=200)
    for row in result.records:
        flat = flatten(row)
        if target.name == "Account":
            hit = account_duplicate(str(fields.get("Name") or ""), str(flat.get("Name") or ""))
        else:
            hit = person_duplicate(fields, flat, parent_name(flat.get("Account")) or "") is not None
        if hit:
            return Existing(target.name, str(row["Id"]), record_name(flat, target.name_field))
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
