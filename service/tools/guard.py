"""The create guard: field allow-list from describe, required fields, value normalisation.

Everything the agent sends is checked against the org's describe: unknown or read-only fields are
refused by name, missing required fields are named as what to ask the caller, and values are put
into the form Salesforce stores (E.164 phones, lower-case emails, picklist values, ISO dates).
A value is changed only in ways that keep its meaning (case, spoken to written form, E.164, the
picklist's own label), and `normalize_fields` returns each such change (`Normalized.changes`);
anything else (a space inside an address, characters that would be dropped, a number that can't be
dialled, a value outside a restricted picklist) is a `RecordInvalid` saying what to confirm.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from service.errors import InputError, RecordInvalid
from service.schema import Schema, SField, SObject
from service.tools.ids import article
from service.tools.schemas import REQUIRED_FIELDS
from service.tools.values import normalize_value

# How to ask a caller for a field (default: the field's label, lower case).
ASK_FOR: dict[str, str] = {
    "LastName": "their last name",
    "FirstName": "their first name",
    "Company": "the company name",
    "Email": "their email address",
    "Phone": "their phone number",
    "StageName": "the stage of the deal",
    "CloseDate": "the expected close date",
    "Subject": "what the case is about",
}
_NAME_ASK = {"Account": "the company name", "Opportunity": "a name for the opportunity"}
# What to do instead, for fields agents commonly send to the wrong object.
_HINTS: dict[tuple[str, str], str] = {
    ("Contact", "company"): "To link a contact to its company, search for the Account and send its Id as AccountId.",
    ("Opportunity", "company"): "To link an opportunity to a company, send the Account's Id as AccountId.",
    ("Case", "company"): "To link a case to a company, send the Account's Id as AccountId.",
    ("Account", "email"): "Accounts have no email; create a Contact for the person instead.",
}
# The tools declare one set of address fields; each object stores them under its own names.
_ADDRESS_PARTS = frozenset({"street", "city", "state", "postalcode", "country"})
_ADDRESS_PREFIX = {"Contact": "Mailing", "Account": "Billing"}


def _key(name: str) -> str:
    return re.sub(r"[\s_-]+", "", name.lower())


def resolve_names(sobject: SObject, body: dict[str, Any]) -> dict[str, Any]:
    """Map the agent's keys to field names (case and spacing forgiven); refuse unknown / read-only ones."""
    by_key = {_key(f.name): f for f in sobject.fields.values()}
    out: dict[str, Any] = {}
    unknown: list[str] = []
    forbidden: list[str] = []
    for raw_key, value in body.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        field = sobject.field(raw_key) or by_key.get(_key(raw_key))
        if field is None and _key(raw_key) in _ADDRESS_PARTS and sobject.name in _ADDRESS_PREFIX:
            field = by_key.get(_key(_ADDRESS_PREFIX[sobject.name] + raw_key))
        if field is None:
            unknown.append(raw_key[:60])
        elif not field.createable:
            forbidden.append(field.name)
        else:
            out[field.name] = value
    problems = []
    hints = [_HINTS[(sobject.name, k.lower())] for k in unknown if (sobject.name, k.lower()) in _HINTS]
    if unknown:
        problems.append(
            f"{', '.join(unknown)} {'is not a field' if len(unknown) == 1 else 'are not fields'} of {sobject.name}"
        )
    if forbidden:
        problems.append(f"{', '.join(forbidden)} can't be set on a new {sobject.name}")
    if problems:
        raise RecordInvalid(
            "; ".join(problems) + ". Leave them out and try again." + "".join(f" {h}" for h in hints),
            fields=unknown + forbidden,
        )
    return out


def split_person_name(sobject: SObject, body: dict[str, Any]) -> dict[str, Any]:
    """For Lead/Contact, a full `Name` becomes FirstName + LastName; for Account, Company becomes Name."""
    body = dict(body)
    name = body.get("Name") if isinstance(body.get("Name"), str) else None
    if sobject.name in ("Lead", "Contact") and name:
        body.pop("Name")
        parts = name.strip().split()
        if parts and not body.get("LastName"):
            body["LastName"] = parts[-1]
            if len(parts) > 1 and not body.get("FirstName"):
                body["FirstName"] = " ".join(parts[:-1])
    if sobject.name == "Account" and not body.get("Name") and isinstance(body.get("Company"), str):
        body["Name"] = body.pop("Company")
    return body


def required_fields(sobject: SObject) -> tuple[str, ...]:
    """The describe's required fields plus the gateway's per-object extras."""
    extra = tuple(f for f in REQUIRED_FIELDS.get(sobject.name, ()) if sobject.field(f) is not None)
    return tuple(dict.fromkeys((*sobject.required_on_create, *extra)))


def check_required(sobject: SObject, fields: dict[str, Any]) -> None:
    """Raise naming what to ask the caller for when a required field is missing."""
    missing = [f for f in required_fields(sobject) if f not in fields]
    if not missing:
        return
    asks = [f"{name} ({_ask(sobject, name)})" for name in missing]
    raise RecordInvalid(
        f"To create {article(sobject.name)} {sobject.name} I still need {_join(asks)}: ask the caller, then try again.",
        fields=missing,
    )


def _ask(sobject: SObject, name: str) -> str:
    if name == "Name" and sobject.name in _NAME_ASK:
        return _NAME_ASK[sobject.name]
    if name in ASK_FOR:
        return ASK_FOR[name]
    field = sobject.field(name)
    return f"the {(field.label if field else name).lower()}"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


@dataclass(frozen=True)
class FieldChange:
    """One value stored differently from how the caller gave it, and the meaning-keeping reason why."""

    field: str
    before: str
    after: str
    why: str
    kind: str = "string"  # the field's describe type, so speech can read back emails and phones

    def to_json(self) -> dict[str, str]:
        """The answer's shape: field, from, to, why."""
        return {"field": self.field, "from": self.before, "to": self.after, "why": self.why}


@dataclass(frozen=True)
class Normalized:
    """The fields as Salesforce will store them, and every change made to the caller's values."""

    fields: dict[str, Any]
    changes: tuple[FieldChange, ...] = ()

    def to_read_back(self) -> tuple[FieldChange, ...]:
        """The changed emails and phones: the ones speech should read back to the caller."""
        return tuple(c for c in self.changes if c.kind in ("email", "phone"))


def normalize_fields(sobject: SObject, fields: dict[str, Any], schema: Schema, today: date) -> Normalized:
    """Every value in the form Salesforce stores, with the changes; one `RecordInvalid` listing every bad value."""
    out: dict[str, Any] = {}
    changes: list[FieldChange] = []
    problems: list[str] = []
    bad: list[str] = []
    for name, value in fields.items():
        sfield = sobject.field(name)
        assert sfield is not None
        try:
            out[name] = normalize_value(sfield, value, schema, today)
        except InputError as exc:
            problems.append(exc.message)
            bad.append(name)
            continue
        change = _change(sfield, value, out[name])
        if change is not None:
            changes.append(change)
    if problems:
        raise RecordInvalid(" ".join(problems), fields=bad)
    return Normalized(out, tuple(changes))


_WHY = {
    "email": "written as an email address",
    "phone": "phone number in international (E.164) form",
    "picklist": "the picklist's own label",
    "multipicklist": "the picklist's own labels",
    "date": "spoken date as a calendar date",
    "datetime": "spoken date as a calendar date",
}


def _change(sfield: SField, value: Any, stored: Any) -> FieldChange | None:
    """The change from `value` to `stored`, if the caller would see one (not trimming or type alone)."""
    if isinstance(value, (bool, int, float)) or isinstance(stored, bool) or sfield.type == "reference":
        return None
    before = str(value).strip()
    after = str(stored)
    if isinstance(stored, (int, float)):
        try:
            if Decimal(before) == Decimal(after):
                return None
        except InvalidOperation:
            pass
        return FieldChange(sfield.name, before, after, "number written in digits", sfield.type)
    if before == after:
        return None
    why = _WHY.get(sfield.type, "normalised")
    if sfield.type == "email":
        why = _email_why(before, after)
    elif before.lower() == after.lower():
        why = "the picklist's own capitalisation" if "picklist" in sfield.type else "capitalisation"
    return FieldChange(sfield.name, before, after, why, sfield.type)


def _email_why(before: str, after: str) -> str:
    """Why an address reads differently: spoken, case, punctuation, lead-in or IDNA (first that fits)."""
    if "@" not in before:
        return "spoken address written out"
    *lead, last = before.split()
    word = last.rstrip(".,;:!?")
    reasons = []
    if lead:
        reasons.append("the words before the address left out")
    if word != last:
        reasons.append("the punctuation after it removed")
    if "xn--" in after and "xn--" not in word.lower():
        reasons.append("domain in its ASCII (IDNA) form")
    elif word != after:
        reasons.append("lower case")
    return " and ".join(reasons) or "written as an email address"
