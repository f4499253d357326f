"""Salesforce's standard matching rules for Lead, Contact and Account, as the duplicate rules use them.

Standard Contact / Lead Matching Rule (Salesforce Help, "Standard Contact Matching Rule and Standard
Lead Matching Rule"): matching equation
    (First AND Last AND Title AND Company) OR (First AND Last AND Email)
    OR (First AND Last AND Phone AND Company) OR (First AND Last AND Street AND (City OR ZIP OR Phone))
    OR (First AND Last AND Street AND Title) OR (First AND Last AND Title AND Email)
    OR (First AND Last AND Phone)
with criteria: First Name fuzzy (exact, initials, Jaro-Winkler) ≥ 85; Last Name exact; Title fuzzy ≥ 50;
Company (Lead Company, Contact Account.Name) fuzzy ≥ 70; Email exact; Phone exact on its digits;
Street fuzzy ≥ 80; City fuzzy ≥ 85; ZIP exact. Blank fields never match, except that a blank First
Name is ignored in a group that holds Email.
Standard Account Matching Rule: (Name AND Billing Street) OR (Name AND City AND ZIP) OR (Name AND Phone),
Name fuzzy ≥ 70 ignoring legal suffixes (Inc, Corp, LLC, Ltd, Co). Similarity scores come from RapidFuzz.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler

from service.org.search_index import TABLE, phone_key, words
from service.org.store import Store, live, quote
from service.schema import SObject

Row = Mapping[str, Any]
SUFFIXES = re.compile(r"\b(inc|incorporated|corp|corporation|llc|ltd|limited|co|company|gmbh|plc)\b\.?", re.I)
PERSON_FIELDS = {
    "Lead": {"street": "Street", "city": "City", "zip": "PostalCode"},
    "Contact": {"street": "MailingStreet", "city": "MailingCity", "zip": "MailingPostalCode"},
}
RULES = frozenset({"Lead", "Contact", "Account"})


def _text(row: Row, name: str) -> str:
    value = row.get(name)
    return value.strip().lower() if isinstance(value, str) else ""


def _fuzzy(a: str, b: str, threshold: float) -> bool:
    return bool(a and b) and (a == b or fuzz.token_set_ratio(a, b) >= threshold)


def first_name(a: str, b: str) -> bool:
    """Exact, initials (J = John) or Jaro-Winkler ≥ 0.85."""
    if not a or not b:
        return False
    if a == b or (len(a.rstrip(".")) == 1 and b.startswith(a[0])) or (len(b.rstrip(".")) == 1 and a.startswith(b[0])):
        return True
    return JaroWinkler.similarity(a, b) >= 0.85


def _phone(row: Row, name: str = "Phone") -> str:
    value = row.get(name)
    return (phone_key(value) or "") if isinstance(value, str) else ""


def _zip(row: Row, name: str) -> str:
    return _text(row, name)[:5]


def person_match(new: Row, old: Row, fields: Mapping[str, str]) -> bool:
    """The Contact/Lead matching equation between a new record and a stored one (with `Company`)."""
    last = _text(new, "LastName") and _text(new, "LastName") == _text(old, "LastName")
    if not last:
        return False
    first = first_name(_text(new, "FirstName"), _text(old, "FirstName"))
    first_or_blank = first or not _text(new, "FirstName") or not _text(old, "FirstName")
    email = bool(_text(new, "Email")) and _text(new, "Email") == _text(old, "Email")
    title = _fuzzy(_text(new, "Title"), _text(old, "Title"), 50)
    company = _fuzzy(_text(new, "Company"), _text(old, "Company"), 70)
    phone = bool(_phone(new)) and _phone(new) == _phone(old)
    street = _fuzzy(_text(new, fields["street"]), _text(old, fields["street"]), 80)
    city = _fuzzy(_text(new, fields["city"]), _text(old, fields["city"]), 85)
    postal = bool(_zip(new, fields["zip"])) and _zip(new, fields["zip"]) == _zip(old, fields["zip"])
    return (
        (first and title and company)
        or (first_or_blank and email)
        or (first and phone and company)
        or (first and street and (city or postal or phone))
        or (first and street and title)
        or (first_or_blank and title and email)
        or (first and phone)
    )


def account_name(text: str) -> str:
    """An account name without legal suffixes and punctuation."""
    return " ".join(words(SUFFIXES.sub(" ", text)))


def account_match(new: Row, old: Row) -> bool:
    """The Account matching equation."""
    name = _fuzzy(account_name(_text(new, "Name")), account_name(_text(old, "Name")), 70)
    if not name:
        return False
    street = _fuzzy(_text(new, "BillingStreet"), _text(old, "BillingStreet"), 80)
    city = _fuzzy(_text(new, "BillingCity"), _text(old, "BillingCity"), 85)
    postal = bool(_zip(new, "BillingPostalCode")) and _zip(new, "BillingPostalCode") == _zip(old, "BillingPostalCode")
    phone = bool(_phone(new)) and _phone(new) == _phone(old)
    return street or (city and postal) or phone


def _rows(store: Store, obj: SObject, where: str, params: list[Any], limit: int = 200) -> list[dict[str, Any]]:
    sql = f"SELECT * FROM {quote(obj.name)} WHERE {where} AND {live(obj)} LIMIT {limit}"
    with store.lock:
        cur = store.conn.execute(sql, params)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def find_duplicates(store: Store, obj: SObject, values: Row, account_of: Callable[[Any], str]) -> list[str]:
    """Ids of stored records the object's standard matching rule matches with `values` (a create)."""
    if obj.name == "Account":
        names = words(account_name(_text(values, "Name")))
        if not names:
            return []
        sub = f"SELECT rid FROM {TABLE} WHERE token IN ({', '.join('?' * len(names))}) AND grp = 'N' AND obj = ?"
        candidates = _rows(store, obj, f"rowid IN ({sub})", [*names, obj.name])
        return [c["Id"] for c in candidates if account_match(values, c)]
    fields = PERSON_FIELDS[obj.name]
    last = values.get("LastName")
    if not isinstance(last, str) or not last.strip():
        return []
    candidates = _rows(store, obj, f"{quote('LastName')} = ?", [last.strip()])
    new = dict(values)
    if obj.name == "Contact":
        new["Company"] = account_of(values.get("AccountId"))
        for c in candidates:
            c["Company"] = account_of(c.get("AccountId"))
    return [c["Id"] for c in candidates if person_match(new, c, fields)]
