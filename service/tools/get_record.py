"""salesforce_get_record: one record's speakable fields, lookups resolved in the same query.

One `SELECT Name, Email, Account.Name, Owner.Name FROM Contact` by Id (built by
`service.soql.quoting.id_query`) costs one API call, where fetching the record and then each
parent would cost one per lookup.
"""

from __future__ import annotations

from service.errors import InputError, RecordNotFound, UnknownObject
from service.schema import Schema, SObject
from service.soql.quoting import id_query
from service.tools.context import ToolContext
from service.tools.ids import canonical_id, check_prefix
from service.tools.records import flatten
from service.tools.schemas import GetRecordResponse
from service.tools.speech import record_speech

# Fields worth speaking, per object (overridden by the GET_RECORD_FIELDS setting).
DEFAULT_FIELDS: dict[str, tuple[str, ...]] = {
    "Contact": (
        "Name",
        "FirstName",
        "LastName",
        "Title",
        "Account.Name",
        "Email",
        "Phone",
        "MobilePhone",
        "Department",
        "MailingCity",
        "MailingState",
        "LeadSource",
        "Owner.Name",
        "Description",
    ),
    "Lead": (
        "Name",
        "FirstName",
        "LastName",
        "Title",
        "Company",
        "Email",
        "Phone",
        "Status",
        "Industry",
        "LeadSource",
        "Rating",
        "City",
        "State",
        "NumberOfEmployees",
        "AnnualRevenue",
        "Owner.Name",
        "Description",
    ),
    "Account": (
        "Name",
        "Type",
        "Industry",
        "Phone",
        "Website",
        "BillingCity",
        "BillingState",
        "NumberOfEmployees",
        "AnnualRevenue",
        "Owner.Name",
        "Description",
    ),
    "Opportunity": (
        "Name",
        "StageName",
        "Amount",
        "CloseDate",
        "Probability",
        "NextStep",
        "Type",
        "Account.Name",
        "Owner.Name",
        "Description",
    ),
    "Case": (
        "CaseNumber",
        "Subject",
        "Status",
        "Priority",
        "Origin",
        "Type",
        "Contact.Name",
        "Account.Name",
        "Owner.Name",
        "Description",
        "CreatedDate",
    ),
    "User": ("Name", "Title", "Email", "Phone"),
}


def parse_field_sets(text: str | None) -> dict[str, tuple[str, ...]]:
    """`"Contact=Name,Email;Lead=Name,Company"` → per-object field tuples (merged over defaults)."""
    sets = dict(DEFAULT_FIELDS)
    for part in (text or "").split(";"):
        obj, _, fields = part.partition("=")
        names = tuple(f.strip() for f in fields.split(",") if f.strip())
        if obj.strip() and names:
            sets[obj.strip()] = names
    return sets


def allowed_object(name: str, allowed: tuple[str, ...], schema: Schema) -> SObject:
    """The object named `name` if the tools may touch it; else a speakable error."""
    sobject = schema.get(name.strip())
    allowed_lower = {a.lower() for a in allowed}
    if sobject is None or sobject.name.lower() not in allowed_lower:
        raise UnknownObject(
            f"I can't work with '{name[:40]}' records; use one of: {', '.join(allowed)}.",
            fields=["object_type"],
        )
    return sobject


def select_fields(sobject: SObject, wanted: tuple[str, ...]) -> list[str]:
    """`wanted` minus fields and relationships the org doesn't have; Id and the name field first."""
    chosen = ["Id", sobject.name_field]
    for name in wanted:
        if "." in name:
            rel = sobject.parent_relationship(name.split(".", 1)[0])
            if rel is None or not rel.relationship_name:
                continue
            name = f"{rel.relationship_name}.{name.split('.', 1)[1]}"
        else:
            field = sobject.field(name)
            if field is None:
                continue
            name = field.name
        if name not in chosen:
            chosen.append(name)
    return chosen


async def get_record(object_type: str, record_id: str, ctx: ToolContext) -> GetRecordResponse:
    """Fetch one record with one query and describe it for speech."""
    sobject = allowed_object(object_type, ctx.settings.allowed_object_names, ctx.schema)
    rid = canonical_id(record_id)
    check_prefix(rid, sobject.name, ctx.schema)
    fields = select_fields(sobject, tuple(ctx.field_sets.get(sobject.name, ("Name",))))
    result = await ctx.client.query(id_query(sobject.name, fields, rid), deadline=ctx.deadline)
    if not result.records:
        raise RecordNotFound(
            f"I couldn't find {_article(sobject.label)} {sobject.label.lower()} with that id; it may have "
            "been deleted. Search again to get its current Id."
        )
    record = flatten(result.records[0])
    if not isinstance(record.get("Id"), str):
        raise InputError("The CRM answered without the record's Id.")
    await ctx.note_records(sobject.name, [record["Id"]])
    return GetRecordResponse(speech=record_speech(record, sobject, fields), object=sobject.name, record=record)


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"
