"""One matcher for people and companies: the search's "did you mean" and the create's duplicate check.

Scores are 0–1. Edit distance comes from RapidFuzz and sounds from Double Metaphone (the
`doublemetaphone` package, a wrapper of Lawrence Philips' C++ original); this module only decides
which measure applies to which field and how high is close enough:

* a name is compared with its spaces removed (split and merged words: "Nata Rajan" = "Natarajan"),
  word order forgiven, and as a sound (Double Metaphone codes of its words: "Smyth" = "Smith");
* a company, after dropping legal suffixes (Inc, LLC, Ltd, ...), the same way;
* an email's domain must agree and its local part be close;
* phones are equal when their last ten digits are ("+16175550142" = "(617) 555-0142").

The thresholds were tuned on `tests/tools/fixtures/misheard_lookups.jsonl` (recall) against its
absent names (a wrong suggestion is worse than none): see `python -m benchmarks.lookup`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from doublemetaphone import doublemetaphone
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler

# A suggestion must be at least this close: below it a caller is more likely someone else.
SUGGEST_AT = 0.82
# Salesforce's standard matching rules' thresholds (first name Jaro-Winkler 0.85, company 0.70).
FIRST_NAME_AT = 0.85
COMPANY_AT = 0.70
# An Account matched on its name alone needs more than the standard rule's 0.70 with a second field.
ACCOUNT_NAME_AT = 0.90

_SUFFIXES = re.compile(r"\b(inc|incorporated|corp|corporation|llc|ltd|limited|co|gmbh|plc)\b\.?", re.I)
_NOT_WORD = re.compile(r"[^a-z0-9 ]+")


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Lower case, accents and punctuation dropped, single spaces: "O'Brien-Núñez" → "obrien nunez"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    plain = re.sub(r"[-_.]", " ", plain.replace("'", ""))
    return " ".join(_NOT_WORD.sub("", plain).split())


@lru_cache(maxsize=8192)
def _sound(text: str) -> str:
    """The Double Metaphone primary codes of the text without spaces (split words sound the same)."""
    compact = text.replace(" ", "")
    return doublemetaphone(compact)[0] if compact else ""


def name_score(said: str, stored: str) -> float:
    """How close two names are, forgiving split/merged words, word order and spelling by sound."""
    a, b = fold(said), fold(stored)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    edit = max(fuzz.ratio(a.replace(" ", ""), b.replace(" ", "")), fuzz.token_sort_ratio(a, b)) / 100
    sa, sb = _sound(a), _sound(b)
    if sa and sa == sb:
        # the same sound confirms a close spelling ("Jon Smyth"/"John Smith"); it can't make a far one
        return max(edit, min(1.0, edit + 0.15)) if edit >= 0.7 else edit
    return edit


def company_key(name: str) -> str:
    """A company name without its legal suffix, folded: "Acme Robotics, Inc." → "acme robotics"."""
    return fold(_SUFFIXES.sub(" ", name))


def company_score(said: str, stored: str) -> float:
    """How close two company names are, legal suffixes ignored."""
    a, b = company_key(said), company_key(stored)
    if not a or not b:
        return 0.0
    return name_score(a, b)


def email_score(said: str, stored: str) -> float:
    """Same domain and a close local part ("priya.nataraj@x" ~ "priya.natarajan@x"), else 0."""
    local_a, _, domain_a = said.strip().lower().rpartition("@")
    local_b, _, domain_b = stored.strip().lower().rpartition("@")
    if not local_a or not local_b or domain_a != domain_b:
        return 0.0
    return fuzz.ratio(local_a, local_b) / 100


def phone_key(text: str) -> str:
    """The last ten digits of a phone (the national number in North America), for equality."""
    return re.sub(r"\D", "", text)[-10:]


def same_phone(a: Any, b: Any) -> bool:
    """True when both are phones with the same last ten (at least seven) digits."""
    if not isinstance(a, str) or not isinstance(b, str):
        return False
    ka, kb = phone_key(a), phone_key(b)
    return len(ka) >= 7 and ka == kb


def first_name_matches(a: str, b: str) -> bool:
    """Salesforce's fuzzy first name: exact, an initial ("J" = "John"), Jaro-Winkler ≥ 0.85 or same sound."""
    fa, fb = fold(a), fold(b)
    if not fa or not fb:
        return False
    if fa == fb or (len(fa) == 1 and fb.startswith(fa)) or (len(fb) == 1 and fa.startswith(fb)):
        return True
    return JaroWinkler.similarity(fa, fb) >= FIRST_NAME_AT or _sound(fa) == _sound(fb)


def _text(row: Mapping[str, Any], key: str) -> str:
    value = row.get(key)
    if isinstance(value, dict):
        value = value.get("Name")
    return value.strip() if isinstance(value, str) else ""


def person_duplicate(new: Mapping[str, Any], row: Mapping[str, Any], row_company: str = "") -> str | None:
    """Why `row` is the person `new` describes (standard Lead/Contact rule), or None.

    Email exact; or phone on its digits; or fuzzy first name + exact last name + fuzzy company
    (Lead.Company, or the Contact's Account.Name as `row_company`). With no company on either side,
    the same AccountId stands in for it (a Contact created under a known Account).
    """
    email = _text(new, "Email")
    if email and email.lower() == _text(row, "Email").lower():
        return "email"
    if same_phone(new.get("Phone"), row.get("Phone")):
        return "phone"
    last = fold(_text(new, "LastName"))
    if not last or last != fold(_text(row, "LastName")):
        return None
    first, row_first = _text(new, "FirstName"), _text(row, "FirstName")
    if (first or row_first) and not first_name_matches(first, row_first):
        return None
    company = _text(new, "Company")
    stored = row_company or _text(row, "Company")
    if company and stored and company_score(company, stored) >= COMPANY_AT:
        return "name and company"
    account = _text(new, "AccountId")
    if account and account[:15] == _text(row, "AccountId")[:15]:
        return "name and account"
    return None


def account_duplicate(name: str, stored: str) -> bool:
    """An Account is the same company when its name (legal suffix ignored) is very close."""
    return company_score(name, stored) >= ACCOUNT_NAME_AT


# --- ranking the tolerant search's candidates -------------------------------------------------


def _person_name(row: Mapping[str, Any]) -> str:
    parts = [_text(row, "FirstName"), _text(row, "LastName")]
    return " ".join(p for p in parts if p) or _text(row, "Name")


def best_match(probe: Mapping[str, str], row: Mapping[str, Any], object_name: str) -> tuple[float, str] | None:
    """(score, matched_on) of a candidate row against what was asked, or None when it is not close.

    `probe` holds what the query asked for: `name`, `first`, `last`, `company`, `email`, `phone`.
    An identifier the caller gave must itself match: a name asked for is never replaced by a
    company that happens to match, so "Jon Smyth at Acme" doesn't suggest another Acme employee.
    """
    if probe.get("phone"):
        stored = [row.get(f) for f in ("Phone", "MobilePhone")]
        return (1.0, "phone") if any(same_phone(probe["phone"], s) for s in stored) else None
    if probe.get("email"):
        score = email_score(probe["email"], _text(row, "Email"))
        return (score, "email") if score >= SUGGEST_AT else None
    company_name = _text(row, "Company") or _text(row, "Account")
    if object_name == "Account":
        said = probe.get("name") or probe.get("company", "")
        score = company_score(said, _text(row, "Name")) if said else 0.0
        return (score, "name") if score >= SUGGEST_AT else None
    said, stored = probe.get("name", ""), _person_name(row)
    if not said and probe.get("last"):
        said = " ".join(p for p in (probe.get("first", ""), probe["last"]) if p)
        stored = stored if probe.get("first") else _text(row, "LastName")
    elif not said and probe.get("first"):
        said, stored = probe["first"], _text(row, "FirstName")
    if said:
        score = name_score(said, stored)
        if score < SUGGEST_AT:
            return None
        if probe.get("company") and company_name:
            # the company only orders people of the same name; it never lifts a far one
            score = (3 * score + company_score(probe["company"], company_name)) / 4
        return score, "name"
    if probe.get("company"):
        score = company_score(probe["company"], company_name)
        return (score, "company") if score >= SUGGEST_AT else None
    return None
