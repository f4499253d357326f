"""Delivering one post-call event: find the records, apply mapped field updates, create the Task.

Each step is safe to repeat: the Task is looked up by its `CallObject` (the conversation id) before
it is created, and a PATCH with the same values changes nothing. `Undeliverable` marks an event
that can never land as things stand (no record, refused by the org); anything else is retried.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from service.calls_log.events import AUDIO, PostCallEvent
from service.calls_log.ledger import CallLedger
from service.calls_log.task import Target, pick_target, task_fields
from service.deadline import Deadline
from service.errors import InputError, LimitExceeded, MalformedRequest, RecordNotFound, RefusedRequest, ServiceError
from service.schema import Schema
from service.soql.quoting import quote_value
from service.tools.ports import SalesforcePort
from service.tools.values import normalize_value

_LOOKUP_OBJECTS = ("Lead", "Contact", "Opportunity", "Account", "Case")
_SOSL_RESERVED = frozenset("?&|!{}[]()^~*:\\\"'+-")


class Undeliverable(InputError):
    """The event cannot land until something changes (kept as dead, retried by hand)."""

    code = "undeliverable"


class CallLogPort(SalesforcePort, Protocol):
    """The tools' port plus SOSL search and PATCH."""

    async def search(self, sosl: str, *, deadline: Deadline) -> list[dict[str, Any]]: ...

    async def update(
        self, object_name: str, record_id: str, fields: Mapping[str, Any], *, deadline: Deadline
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class FieldMap:
    """One mapped data-collection item: `budget` → `Opportunity.Amount`."""

    item: str
    object_name: str
    field: str


def parse_field_map(text: str | None) -> tuple[FieldMap, ...]:
    """`budget=Opportunity.Amount,timeline=Opportunity.CloseDate` → maps; a malformed pair is an error."""
    maps = []
    for pair in (p.strip() for p in (text or "").split(",")):
        if not pair:
            continue
        item, _, target = pair.partition("=")
        obj, _, field = target.strip().partition(".")
        if not item.strip() or not obj or not field:
            raise ValueError(f"{pair!r} is not item=Object.Field")
        maps.append(FieldMap(item.strip(), obj, field.strip()))
    return tuple(maps)


def is_permanent(exc: ServiceError) -> bool:
    """True for refusals that repeating cannot fix."""
    if isinstance(exc, LimitExceeded):
        return False
    return isinstance(exc, (InputError, MalformedRequest, RecordNotFound, RefusedRequest))


async def deliver(
    event: PostCallEvent,
    *,
    client: CallLogPort,
    schema: Schema,
    ledger: CallLedger,
    conversation_field: str | None,
    field_maps: Sequence[FieldMap],
    agent_name: str,
    deadline: Deadline,
) -> str | None:
    """Land `event`; the Task id (None for events that make no Task)."""
    if event.type == AUDIO:
        return None  # the transcription event of the same call makes the Task
    existing = await client.query(
        f"SELECT Id FROM Task WHERE CallObject = {quote_value(event.conversation_id)} LIMIT 1", deadline=deadline
    )
    if existing.records:
        return str(existing.records[0]["Id"])
    records = list(await ledger.records(event.conversation_id))
    if not records:
        records = await _by_conversation_field(event.conversation_id, client, schema, conversation_field, deadline)
    target = pick_target(records)
    if target is None:
        raise Undeliverable(f"No record was created or read in conversation {event.conversation_id}.")
    notes = await _apply_updates(event, records, field_maps, client, schema, deadline)
    return await client.create(
        "Task", task_fields(event, target, event.agent_name or agent_name, notes), deadline=deadline
    )


async def _by_conversation_field(
    conversation_id: str, client: CallLogPort, schema: Schema, field_name: str | None, deadline: Deadline
) -> list[tuple[str, str, bool]]:
    """The records whose conversation-id field carries this conversation (what create writes).

    A filterable field is queried; a long text area (Description: Salesforce refuses to filter on
    it) is found with SOSL, which indexes it.
    """
    if not field_name:
        return []
    found: list[tuple[str, str, bool]] = []
    unfiltered: list[str] = []
    for name in _LOOKUP_OBJECTS:
        sobject = schema.get(name)
        sfield = sobject.field(field_name) if sobject else None
        if sfield is None:
            continue
        if not sfield.filterable or sfield.type == "textarea":
            unfiltered.append(name)
            continue
        op, value = (
            ("LIKE", f"%[conversation {conversation_id[:80]}]%") if sfield.type == "string" else ("=", conversation_id)
        )
        soql = f"SELECT Id FROM {name} WHERE {sfield.name} {op} {quote_value(value)} LIMIT 5"
        found += [(name, str(row["Id"]), True) for row in (await client.query(soql, deadline=deadline)).records]
    if unfiltered:
        returning = ", ".join(f"{name}(Id)" for name in unfiltered)
        rows = await client.search(
            f"FIND {{{_sosl_term(conversation_id)}}} IN ALL FIELDS RETURNING {returning}", deadline=deadline
        )
        found += [(str(row["attributes"]["type"]), str(row["Id"]), True) for row in rows]
    return found


def _sosl_term(text: str) -> str:
    """`text` with SOSL's reserved characters escaped."""
    return "".join("\\" + ch if ch in _SOSL_RESERVED else ch for ch in text[:80])


async def _apply_updates(
    event: PostCallEvent,
    records: Sequence[tuple[str, str, bool]],
    maps: Sequence[FieldMap],
    client: CallLogPort,
    schema: Schema,
    deadline: Deadline,
) -> list[str]:
    """PATCH each mapped answer through the create guards; one note per change or refusal."""
    notes: list[str] = []
    for fmap in maps:
        said = event.data_collection.get(fmap.item)
        record = next((rid for obj, rid, _ in reversed(records) if obj == fmap.object_name), None)
        sobject = schema.get(fmap.object_name)
        if said is None or record is None or sobject is None:
            continue
        sfield = sobject.field(fmap.field)
        if sfield is None or not sfield.updateable:
            notes.append(f"{fmap.item} not applied: {fmap.object_name}.{fmap.field} cannot be updated")
            continue
        try:
            value = normalize_value(sfield, said, schema, date.today())
        except InputError as exc:
            notes.append(f"{fmap.item} not applied to {fmap.object_name}.{sfield.name}: {exc.message}")
            continue
        await client.update(sobject.name, record, {sfield.name: value}, deadline=deadline)
        notes.append(f"{sobject.name}.{sfield.name} set to {value} (from {fmap.item}: {said!r})")
    return notes


__all__ = ["CallLogPort", "FieldMap", "Target", "Undeliverable", "deliver", "is_permanent", "parse_field_map"]
