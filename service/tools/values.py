"""One create value in the form Salesforce stores, by its field's describe type, or a refusal.

`normalize_value` changes a value only in ways that keep its meaning: an address written out from
speech and lower-cased (IDNA for a non-ASCII domain), a phone in E.164, a picklist value as its own
label, a spoken amount or date in digits. Anything else raises `InputError` saying what to confirm
with the caller; the guard (`service.tools.guard.normalize_fields`) collects them into one 422.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from service.errors import InputError
from service.schema import Schema, SField
from service.text.amounts import extract_money
from service.text.dates import extract_date
from service.text.emails import normalize_email, storable_email
from service.text.numbers import parse_number
from service.text.phones import is_phone_text, normalize_phone
from service.tools.ids import article, canonical_id
from service.tools.picklists import match_picklist

NUMERIC = frozenset({"int", "double", "currency", "percent", "long"})
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


def normalize_value(field: SField, value: Any, schema: Schema, today: date) -> Any:
    """One value, by the field's type; raises `InputError` saying what is wrong and what to confirm."""
    kind = field.type
    if isinstance(value, (dict, list)):
        raise InputError(f"{field.name} must be a single value.")
    text = str(value).strip()
    if kind == "email":
        return _email(field, text)
    if kind == "phone":
        return _phone(field, text)
    if kind in ("picklist", "multipicklist"):
        return _picklist(field, text)
    if kind == "boolean":
        return _boolean(field, value, text)
    if kind in NUMERIC:
        return _number(field, value, text)
    if kind == "date":
        return _date(field, text, today)
    if kind == "datetime":
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
        except ValueError:
            return _date(field, text, today) + "T00:00:00Z"
    if kind == "reference":
        return _reference(field, text, schema)
    return _check_length(field, text)


def _email(field: SField, text: str) -> str:
    email = normalize_email(text)
    if email is not None:
        stored = storable_email(email)
        if stored is None:
            raise InputError(
                f"{field.name} '{text[:80]}' has letters before the @ that Salesforce can't store: ask the "
                "caller for the address in plain letters, and confirm it."
            )
        return stored
    shown = text[:80]
    if "@" in text and re.search(r"\S\s+\S", text.strip()):
        reason = "has a space in it"
    elif "@" in text and re.search(r"[<>()\[\]\\,;:\"]", text):
        reason = "has characters an address can't hold"
    else:
        reason = "isn't a complete address I can store unchanged"
    raise InputError(
        f"{field.name} '{shown}' {reason}: read it back to the caller, confirm each part, and send it again."
    )


def _phone(field: SField, text: str) -> str:
    phone = normalize_phone(text) if is_phone_text(text) else None
    if phone is None:
        raise InputError(
            f"{field.name} '{text[:40]}' isn't a phone number I can store: confirm the number with the caller, "
            "with its area code (and country code outside the US)."
        )
    return phone


def _check_length(field: SField, text: str) -> str:
    if field.length and len(text) > field.length:
        raise InputError(f"{field.name} is too long ({len(text)} characters, at most {field.length}).")
    return text


def _picklist(field: SField, text: str) -> str:
    parts = [p.strip() for p in text.split(";")] if field.type == "multipicklist" else [text]
    chosen: list[str] = []
    for part in parts:
        match = match_picklist(part, field.picklist_values)
        if match is None:
            if field.restricted_picklist or not part:
                raise InputError(
                    f"{field.name} '{part[:60]}' isn't one of its values. Ask the caller which fits: "
                    f"{_few(field.picklist_values)}."
                )
            match = part
        chosen.append(match)
    return ";".join(chosen)


def _few(options: tuple[str, ...], count: int = 4) -> str:
    """A few options in words: "Web, Phone Inquiry, Other or one of 5 more"."""
    shown = list(options[:count])
    rest = len(options) - len(shown)
    if rest > 0:
        return ", ".join(shown) + f" or one of {rest} more"
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + f" or {shown[-1]}"


def _boolean(field: SField, value: Any, text: str) -> bool:
    if isinstance(value, bool):
        return value
    if text.lower() in _TRUE:
        return True
    if text.lower() in _FALSE:
        return False
    raise InputError(f"{field.name} must be yes or no.")


def _number(field: SField, value: Any, text: str) -> int | float:
    if isinstance(value, bool):
        raise InputError(f"{field.name} must be a number.")
    number: Decimal | None
    try:
        number = Decimal(text.replace(",", "").replace("$", "").replace("%", "").strip())
    except InvalidOperation:
        number = extract_money(text) if field.type == "currency" else parse_number(text)
    if number is None or not number.is_finite() or abs(number) >= Decimal(10) ** 15:
        raise InputError(f"{field.name} must be a number, e.g. 125000.")
    if field.type in ("int", "long"):
        return int(number)
    return float(number)


def _date(field: SField, text: str, today: date) -> str:
    try:
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        pass
    found = extract_date(text, today)
    if found is None:
        raise InputError(f"{field.name} '{text[:40]}' isn't a date I understand; use YYYY-MM-DD.")
    return found.isoformat()


def _reference(field: SField, text: str, schema: Schema) -> str:
    try:
        rid = canonical_id(text)
    except InputError as exc:
        raise InputError(f"{field.name} must be a record Id from a search result.") from exc
    owner = schema.by_key_prefix(rid[:3])
    targets = field.reference_to
    if owner is not None and targets and owner.name not in targets:
        raise InputError(
            f"{field.name} must be the Id of {article(targets[0])} {targets[0]}, but that id "
            f"belongs to {article(owner.name)} {owner.name}."
        )
    return rid
