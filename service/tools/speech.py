"""Sentences an agent can say: money, dates and phone numbers written for speech; never an id.

Search and get speak a value the same way, by its field's describe type (`say_value`): money as
"199,000 dollars", percentages as "10 percent", other numbers with thousands separators and no
trailing ".0". Aggregate rows are spoken by their group, each aggregate typed by the field it
sums or averages (`service.tools.aggregates`); a page past the end of the matches says so; a
changed email or phone is read back (`read_back`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from service.schema import SObject
from service.text.normalize import spoken_email
from service.tools.aggregates import Column
from service.tools.records import parent_name, record_name

_ID_LIKE = re.compile(r"^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$")
_DIGIT_ID = re.compile(r"\d")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_SKIP_TYPES = frozenset({"id", "reference", "address", "location", "base64"})
_NUMBER_TYPES = frozenset({"int", "long", "double"})


def say_money(value: Any) -> str:
    """125000 → "125,000 dollars"; 2500000 → "2.5 million dollars"."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if abs(amount) >= 1_000_000:
        millions = (amount / 1_000_000).quantize(Decimal("0.01")).normalize()
        return f"{millions:f} million dollars"
    if amount == amount.to_integral_value():
        return f"{int(amount):,} dollars"
    return f"{amount.quantize(Decimal('0.01')):,} dollars"


def say_number(value: Any) -> str:
    """2938000.0 → "2,938,000"; 10.50 → "10.5"; text that is not a number is returned as it is."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.normalize():,f}"


def say_date(value: Any) -> str:
    """ "2026-03-31" (or a datetime) → "March 31, 2026"."""
    text = str(value)
    try:
        day = datetime.fromisoformat(text.replace("Z", "+00:00")).date() if "T" in text else date.fromisoformat(text)
    except ValueError:
        return text
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def say_phone(value: Any) -> str:
    """ "+14155550198" → "4 1 5, 5 5 5, 0 1 9 8" (groups of digits, read one by one)."""
    digits = re.sub(r"\D", "", str(value))
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) == 10:
        groups = [digits[:3], digits[3:6], digits[6:]]
    else:
        groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return ", ".join(" ".join(group) for group in groups if group)


def say_value(value: Any, field_type: str | None) -> str | None:
    """A field value as words, or None when it should not be spoken (empty, an id)."""
    if value is None or value == "" or isinstance(value, (list, dict)) and not parent_name(value):
        return None
    if isinstance(value, dict):
        return parent_name(value)
    if field_type in _SKIP_TYPES:
        return None
    if field_type == "currency":
        return say_money(value)
    if field_type in ("date", "datetime"):
        return say_date(value)
    if field_type == "phone":
        return say_phone(value)
    if field_type == "percent":
        return f"{say_number(value)} percent"
    if field_type == "boolean" or isinstance(value, bool):
        return "yes" if value else "no"
    if field_type in _NUMBER_TYPES or isinstance(value, (int, float)):
        return say_number(value)
    text = str(value).strip()
    if _ID_LIKE.match(text) and _DIGIT_ID.search(text) and any(c.isupper() for c in text):
        return None
    return text or None


def plural(label: str, label_plural: str, n: int) -> str:
    """ "1 contact" / "3 contacts" with the object's own labels."""
    return f"{n} {(label if n == 1 else label_plural).lower()}"


def _field_type(sobject: SObject | None, name: str) -> str | None:
    if sobject is None:
        return None
    field = sobject.field(name)
    return field.type if field is not None else None


def _get(record: dict[str, Any], sobject: SObject | None, name: str) -> str | None:
    return say_value(record.get(name), _field_type(sobject, name))


def summarize(record: dict[str, Any], sobject: SObject | None, columns: Mapping[str, Column] | None = None) -> str:
    """One phrase for one flattened row: "Jane Doe, VP of Sales at Acme"."""
    obj = sobject.name if sobject is not None else ""
    name_field = sobject.name_field if sobject is not None else "Name"
    name = record_name(record, name_field) or "an unnamed record"
    if obj == "Case":
        subject = _get(record, sobject, "Subject")
        status = _get(record, sobject, "Status")
        base = f"case {name}" + (f" about {subject}" if subject else "")
        return base + (f", {status.lower()}" if status else "")
    if columns or name == "an unnamed record" and not record.get("Id"):
        return _aggregate_phrase(record, sobject, columns or {})
    parts = [name]
    title = _get(record, sobject, "Title")
    company = _get(record, sobject, "Company") or parent_name(record.get("Account"))
    if title and company:
        parts.append(f"{title} at {company}")
    elif title:
        parts.append(title)
    elif company and obj == "Opportunity":
        parts.append(f"for {company}")
    elif company and obj != "Account":
        parts.append(f"at {company}")
    if obj == "Opportunity":
        for field, fmt in (("StageName", "{}"), ("Amount", "{}"), ("CloseDate", "closing {}")):
            value = _get(record, sobject, field)
            if value:
                parts.append(fmt.format(value))
    elif obj == "Account":
        for field in ("Type", "Industry"):
            value = _get(record, sobject, field)
            if value:
                parts.append(value)
        city = _get(record, sobject, "BillingCity")
        if city:
            parts.append(f"in {city}")
    elif obj == "Lead":
        status = _get(record, sobject, "Status")
        if status:
            parts.append(f"status {status}")
    for key, value in record.items():
        if isinstance(value, list):
            parts.append(_children_phrase(key, value))
    return ", ".join(parts)


def _children_phrase(relationship: str, rows: list[Any]) -> str:
    """ "with 2 contacts: Jane Doe and Aisha Lewis" for a child subquery's rows."""
    noun = relationship.lower()
    if not rows:
        return f"with no {noun}"
    names = [n for n in (record_name(r) for r in rows[:3] if isinstance(r, dict)) if n]
    listed = " and ".join(names) if len(names) <= 2 else f"{names[0]}, {names[1]} and {names[2]}"
    more = " among others" if len(rows) > len(names) and names else ""
    return f"with {len(rows)} {noun if len(rows) != 1 else noun.rstrip('s')}" + (f": {listed}{more}" if names else "")


def _aggregate_phrase(record: dict[str, Any], sobject: SObject | None, columns: Mapping[str, Column]) -> str:
    """A GROUP BY row: "Closed Won: 14" (grouped values, then the aggregates, each spoken by its type)."""

    def aggregate(key: str) -> bool:
        column = columns.get(key)
        return column.aggregate if column is not None else key.lower().startswith("expr")

    def spoken(key: str, value: Any) -> str | None:
        column = columns.get(key)
        return say_value(value, column.type if column is not None else _field_type(sobject, key))

    groups = [spoken(k, v) for k, v in record.items() if not aggregate(k)]
    values = [spoken(k, v) for k, v in record.items() if aggregate(k)]
    head = ", ".join(g for g in groups if g)
    tail = ", ".join(v for v in values if v)
    return f"{head}: {tail}" if head and tail else head or tail or "a result"


def join_phrases(phrases: list[str]) -> str:
    """ "a", "a and b", "a; b; and c" (semicolons because phrases contain commas)."""
    if len(phrases) <= 1:
        return "".join(phrases)
    if len(phrases) == 2:
        return f"{phrases[0]}; and {phrases[1]}"
    return "; ".join(phrases[:-1]) + f"; and {phrases[-1]}"


def search_speech(
    records: list[dict[str, Any]],
    total: int,
    sobject: SObject | None,
    *,
    speak_max: int = 5,
    offset: int = 0,
    columns: Mapping[str, Column] | None = None,
) -> str:
    """ "I found 2 contacts: …" / "No leads matched …" / "… showing 10 of 37" / past the end of the matches."""
    label = sobject.label if sobject is not None else "record"
    label_plural = sobject.label_plural if sobject is not None else "records"
    if not records and offset and total:
        return (
            f"There are no more {label_plural.lower()}: the search matched {plural(label, label_plural, total)} "
            f"in all, and this page starts after number {offset:,}. Use a smaller OFFSET to go back."
        )
    if not records and total > 0:  # SELECT COUNT() answers with a total and no rows
        return f"There {'is' if total == 1 else 'are'} {plural(label, label_plural, total)} matching that."
    if not records:
        return (
            f"I found no {label_plural.lower()} matching that. Try a broader search, for example "
            "a LIKE '%part%' match on the name, or check the spelling."
        )
    shown = records[:speak_max]
    listed = join_phrases([summarize(row, sobject, columns) for row in shown])
    count = max(total, len(records) + offset)
    if columns or not any(row.get("Id") for row in records) and not any(record_name(row) for row in records):
        n = len(records)
        speech = end_sentence(f"Here {'is' if n == 1 else 'are'} {n} result{'s' if n != 1 else ''}: {listed}")
        return speech + (f" And {n - len(shown)} more in the results." if n > len(shown) else "")
    speech = end_sentence(f"I found {plural(label, label_plural, count)}: {listed}")
    if offset:
        speech += f" These are numbers {offset + 1:,} to {offset + len(records):,} of {count:,}."
    elif count > len(records):
        speech += f" I'm showing {len(records)} of {count}; narrow the search to see the rest."
    elif len(records) > len(shown):
        speech += f" And {len(records) - len(shown)} more in the results."
    return speech


def suggestion_speech(said: str, closest: dict[str, Any], sobject: SObject) -> str:
    """The "did you mean" question for the closest suggestion.

    "I didn't find Jon Smyth exactly. The closest is John Smith at Acme Robotics. Is that who you're
    speaking with?"
    """
    name = record_name(closest, sobject.name_field) or "a record"
    company = parent_name(closest.get("Company")) or parent_name(closest.get("Account"))
    who = f"{name} at {company}" if company and sobject.name != "Account" else name
    question = "Is that the company you mean?" if sobject.name == "Account" else "Is that who you're speaking with?"
    head = f"I didn't find {said} exactly." if said else "I didn't find an exact match."
    return f"{head} {end_sentence(f'The closest is {who}')} {question}"


def record_speech(record: dict[str, Any], sobject: SObject, fields: list[str]) -> str:
    """A description of one record: its summary, then "Email: …, Phone: …" for speakable fields."""
    head = summarize(record, sobject)
    used = {"Name", "FirstName", "LastName", "Title", "Company", "Account", sobject.name_field}
    details = []
    for name in fields:
        if name in used or name.endswith("Id"):
            continue
        key = name.split(".")[0] if "." in name else name
        value = record.get(key)
        if "." in name and isinstance(value, dict):
            value = value.get(name.split(".", 1)[1])
        field = sobject.field(name) if "." not in name else None
        spoken = say_value(value, field.type if field else None)
        if spoken:
            label = _spoken_label(field.label) if field else _relationship_label(name)
            details.append(f"{label}: {spoken}")
    body = end_sentence(f"{sobject.label} {head}" if sobject.name != "Case" else f"{head[0].upper()}{head[1:]}")
    return body + (" " + end_sentence("; ".join(details)) if details else "")


def end_sentence(text: str) -> str:
    """`text` with exactly one closing full stop ("Acme Inc." stays "Acme Inc.")."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _spoken_label(label: str) -> str:
    """ "Probability (%)" → "Probability": the unit is spoken with the value ("10 percent")."""
    return re.sub(r"\s*\((?:%|\$)\)\s*$", "", label) or label


def _relationship_label(path: str) -> str:
    """ "Owner.Name" → "Owner"; "Account.Type" → "Account type"."""
    parent, _, leaf = path.partition(".")
    return parent if leaf == "Name" else f"{parent} {leaf.lower()}"


class StoredChange(Protocol):
    """What read-back needs of a guard change (`service.tools.guard.FieldChange`)."""

    @property
    def field(self) -> str: ...
    @property
    def after(self) -> str: ...
    @property
    def kind(self) -> str: ...


def read_back(changes: list[StoredChange], sobject: SObject | None = None) -> str:
    """ "I saved the email as jane dot doe at acme dot com, and the phone as 4 1 5, …." ("" if none changed).

    Only emails and phones are read back: they are what a caller can check by ear and a typo in
    them loses the lead. An IDNA domain is read in its own letters, not as `xn--`.
    """
    parts = []
    for change in changes:
        if change.kind not in ("email", "phone"):
            continue
        field = sobject.field(change.field) if sobject is not None else None
        label = (field.label if field is not None else change.field).lower()
        said = spoken_email(_unicode_domain(change.after)) if change.kind == "email" else say_phone(change.after)
        parts.append(f"the {label} as {said}")
    if not parts:
        return ""
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f", and {parts[-1]}"
    return end_sentence(f"I saved {listed}")


def _unicode_domain(address: str) -> str:
    local, _, domain = address.rpartition("@")
    try:
        return f"{local}@{domain.encode('ascii').decode('idna')}"
    except UnicodeError:
        return address
