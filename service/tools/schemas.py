"""Request and response models of the three webhook tools: the single source of truth.

The tool JSON generator (`service/tool_json/`) reads the names, descriptions and per-object rules
here, and the FastAPI routes use the same models, so `/docs` and the generated tool definitions can
never describe different tools. Limits and the object list are the settings' (`SOQL_*`,
`ALLOWED_OBJECTS`): the descriptions that name them are functions of the `Settings` in force.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from service.settings import Settings

# --- Tool names, paths and headers -----------------------------------------------------------

SEARCH_TOOL = "salesforce_search_records"
GET_TOOL = "salesforce_get_record"
CREATE_TOOL = "salesforce_create_record"

SEARCH_PATH = f"/tools/{SEARCH_TOOL}"
GET_PATH = f"/tools/{GET_TOOL}/{{object_type}}/{{record_id}}"
CREATE_PATH = f"/tools/{CREATE_TOOL}/{{object_type}}"

SECRET_HEADER = "X-Webhook-Secret"  # noqa: S105 - a header name, not a secret
CONVERSATION_HEADER = "X-Conversation-Id"
IDEMPOTENCY_HEADER = "Idempotency-Key"
# The platform fills this from its `system__conversation_id` dynamic variable.
CONVERSATION_DYNAMIC_VARIABLE = "system__conversation_id"

# --- Object rules --------------------------------------------------------------------------

# The objects the create tool knows how to make (the allow-list, `ALLOWED_OBJECTS`, is the settings').
CREATE_OBJECTS: tuple[str, ...] = ("Lead", "Contact", "Account", "Opportunity", "Case")

# What the caller must be asked for before a create (describe's required fields, plus Case.Subject,
# which the describe leaves optional but a case without one is useless to a human).
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "Lead": ("LastName", "Company"),
    "Contact": ("LastName",),
    "Account": ("Name",),
    "Opportunity": ("Name", "StageName", "CloseDate"),
    "Case": ("Subject",),
}

# The field that names a record (what speech says instead of an id).
NAME_FIELDS: dict[str, str] = {
    "Lead": "Name",
    "Contact": "Name",
    "Account": "Name",
    "Opportunity": "Name",
    "Case": "CaseNumber",
    "User": "Name",
}

# --- Descriptions the agent's LLM reads ----------------------------------------------------

SEARCH_DESCRIPTION = (
    "Searches for existing Salesforce records with one SOQL query. Answers with a sentence to speak "
    "('speech'), the flattened records (with Ids for salesforce_get_record), the number found and the "
    "query that actually ran. Use it before creating anything to check the person or company is not "
    "already in the CRM. When a Lead, Contact or Account search by name, company, email or phone finds "
    "nothing exactly, 'suggestions' may hold up to 3 close records (speech recognition often mishears "
    "names), closest first, each with 'matched_on' and a 'score': ask the caller to confirm one (the "
    "speech does) before using its Id, and never create a new record while a suggestion is unconfirmed."
)
GET_DESCRIPTION = (
    "Retrieves the details of one Salesforce record by object type and Id (an Id from a search "
    "result). Answers with a sentence to speak and the record's fields, lookups given as names "
    "(Account.Name, Owner.Name)."
)
RECORD_ID_DESCRIPTION = (
    "The 15- or 18-character Salesforce record Id, exactly as returned in a search result's records."
)
BODY_DESCRIPTION = (
    "The new record's fields, by Salesforce API name. Only send what the caller confirmed. Unknown or "
    "read-only fields are refused with their names; missing required fields are named so you can ask."
)
CONVERSATION_ID_DESCRIPTION = "The conversation id; makes repeated creates in one conversation safe."
IDEMPOTENCY_KEY_DESCRIPTION = "Optional explicit key: repeats with the same key return the first result."
DRY_RUN_DESCRIPTION = "Validate and answer what would be created, without writing anything."


def _either(names: Iterable[str], last: str = "or") -> str:
    """`a`, `a or b`, `a, b or c`."""
    items = list(names) or ["none"]
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {last} {items[-1]}"


def create_objects(settings: Settings) -> tuple[str, ...]:
    """The objects the create tool may make: the allow-list's createable ones, in its order."""
    return tuple(o for o in settings.allowed_object_names if o in CREATE_OBJECTS)


def create_description(settings: Settings) -> str:
    """The create tool's description, naming the objects it may create."""
    return (
        f"Creates a new Salesforce record ({_either(create_objects(settings))}) after the caller "
        "confirmed the details. Never creates a duplicate: if a Lead or Contact with the same email (or an "
        "Account with the same name) exists, answers created=false with the existing record's name and Id. "
        "Repeating the same create in one conversation returns the first result."
    )


def q_description(settings: Settings) -> str:
    """The search tool's `q`: the allowed objects and the LIMIT / OFFSET the policy enforces."""
    return (
        f"One SOQL SELECT on {_either(settings.allowed_object_names)}. Always include Id and the Name field "
        "(Case: CaseNumber) plus human-readable fields; use relationship names for lookups (Account.Name, "
        f"Owner.Name) instead of raw Ids. LIMIT defaults to {settings.soql_default_limit} and is at most "
        f"{settings.soql_max_limit}; OFFSET at most {settings.soql_max_offset}. Put "
        "string values in single quotes. Examples: SELECT Id, Name, Email, Phone, Title, Account.Name FROM "
        "Contact WHERE Email = 'customer@example.com'. SELECT Id, Name, StageName, Amount, CloseDate, "
        "Account.Name FROM Opportunity WHERE Account.Name LIKE '%Acme%'"
    )


def object_type_description(settings: Settings) -> str:
    """The get tool's `object_type`: the allow-list."""
    return f"The Salesforce object type: {_either(settings.allowed_object_names)}."


def create_object_type_description(settings: Settings) -> str:
    """The create tool's `object_type`: each createable object and the fields it needs."""
    needs = [
        f"{name} (needs {_either(REQUIRED_FIELDS[name], 'and')})" if REQUIRED_FIELDS.get(name) else name
        for name in create_objects(settings)
    ]
    return f"The Salesforce object type to create: {_either(needs)}."


class CreateFields(BaseModel):
    """The record fields a create accepts by name (any other createable field is also accepted)."""

    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True)

    FirstName: str | None = Field(None, description="First name of the contact or lead.")
    LastName: str | None = Field(None, description="Last name of the contact or lead (required for Lead and Contact).")
    Email: str | None = Field(
        None,
        description="Email address, e.g. jane.doe@acme.com; spoken forms like 'jane dot doe at acme dot "
        "com' are understood. Read it back to the caller before creating.",
    )
    Phone: str | None = Field(None, description="Phone number; stored in international (E.164) form.")
    Company: str | None = Field(None, description="Company name (required for Lead).")
    Title: str | None = Field(None, description="Job title of the contact or lead.")
    Industry: str | None = Field(
        None, description="Industry, e.g. Technology, Manufacturing, Healthcare, Finance, Retail."
    )
    Description: str | None = Field(
        None, description="Notes: the caller's needs, challenges, budget, timeline and authority."
    )
    Name: str | None = Field(
        None, description="Record name (required for Account and Opportunity), e.g. 'Acme Q1 Enterprise Deal'."
    )
    StageName: str | None = Field(
        None, description="Opportunity stage (required for Opportunity), e.g. Prospecting, Qualification."
    )
    CloseDate: str | None = Field(None, description="Expected close date of an Opportunity (required), as YYYY-MM-DD.")
    Amount: float | None = Field(None, description="Opportunity amount in the org's currency.")
    AccountId: str | None = Field(None, description="Id of the related Account (from a search result).")
    Subject: str | None = Field(None, description="Case subject (required for Case).")
    Website: str | None = Field(None, description="Company website.")
    LeadSource: str | None = Field(None, description="How the lead came in; defaults to Phone Inquiry.")
    NumberOfEmployees: int | None = Field(None, description="Company size: number of employees (Lead, Account).")
    Street: str | None = Field(
        None, description="Street address (Lead; stored as MailingStreet on a Contact, BillingStreet on an Account)."
    )
    City: str | None = Field(None, description="City of the address (Lead, Contact, Account).")
    State: str | None = Field(None, description="State or province of the address, e.g. CA.")
    PostalCode: str | None = Field(None, description="ZIP or postal code of the address.")
    Country: str | None = Field(None, description="Country of the address.")


class SearchResponse(BaseModel):
    """Answer of salesforce_search_records."""

    speech: str = Field(description="One or two sentences to say to the caller; never reads Ids.")
    count: int = Field(description="Number of records returned in `records`.")
    total: int = Field(description="Number of records that matched (may exceed `count`).")
    records: list[dict[str, Any]] = Field(
        description="Flattened records: no `attributes`; a lookup becomes its name, or a small object "
        "when more than its name was asked. Ids are kept for salesforce_get_record."
    )
    query: str = Field(description="The SOQL that actually ran (after any repair).")
    changes: list[str] = Field(description="What the gateway changed in the query, in words.")
    suggestions: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Only when nothing matched exactly: up to 3 close records (closest first), each a "
        "flattened record plus `matched_on` (name, company, email or phone) and `score` (0-1). They are "
        "guesses from a misheard name: confirm with the caller before using one.",
    )


class GetRecordResponse(BaseModel):
    """Answer of salesforce_get_record."""

    speech: str = Field(description="A sentence describing the record, for the caller; never reads Ids.")
    object: str = Field(description="The record's object type.")
    record: dict[str, Any] = Field(description="The record's speakable fields, lookups as names.")


class CreateRecordResponse(BaseModel):
    """Answer of salesforce_create_record."""

    speech: str = Field(description="A sentence confirming what happened, for the caller.")
    created: bool = Field(
        description="True when a new record was written; false if it already existed or on a dry run."
    )
    id: str | None = Field(description="Id of the new or already existing record (null on a dry run).")
    object: str = Field(description="The object type.")
    name: str | None = Field(description="The record's name.")
    dry_run: bool = Field(False, description="True when nothing was written (dry_run=true).")
    fields: dict[str, Any] = Field(
        default_factory=dict, description="The fields as written (or as they would be written)."
    )
    changes: list[dict[str, str]] = Field(
        default_factory=list,
        description="Each value stored differently from how it was sent: field, from, to and why.",
    )


class ErrorDetail(BaseModel):
    """One error, speakable."""

    code: str = Field(description="Stable machine code, e.g. soql_rejected, invalid_record, timeout.")
    message: str = Field(description="What went wrong and how to fix it, in words the agent can use.")
    fields: list[str] | None = Field(None, description="Fields the error is about, when any.")
    suggested_query: str | None = Field(None, description="A corrected query to try, when one exists.")


class ErrorResponse(BaseModel):
    """Every non-2xx answer."""

    error: ErrorDetail


class HealthResponse(BaseModel):
    """Liveness / readiness answer."""

    status: str
    checks: dict[str, Any] = Field(default_factory=dict)
