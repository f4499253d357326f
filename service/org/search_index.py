"""The token table SOSL searches: one row per (word, field group, record), in the org's SQLite file.

SQLite's FTS5 would match words too, but SOSL needs per-group matching (NAME, EMAIL, PHONE, ALL
FIELDS), phone numbers matched on their digits and one index across every object; a plain table
`_sosl(token, grp, obj, rid)` with an index on `(token, grp)` does all of that with indexed
equality and prefix-range lookups. Groups: `N` name fields, `E` email, `P` phone, `O` other text.

Words are Unicode `\\w+` runs, lower-cased; an email is also indexed whole; a phone is indexed as
its national number's digits (phonenumbers, default region US), so "(617) 555-0142",
"617-555-0142" and "+16175550142" are one token.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import phonenumbers

from service.schema import SField, SObject

TABLE = "_sosl"
WORD = re.compile(r"\w+", re.UNICODE)
TEXT_TYPES = frozenset({"string", "textarea", "email", "phone", "url", "combobox"})
NAME_FIELDS = frozenset({"Name", "FirstName", "LastName", "MiddleName", "Suffix", "Company", "Subject"})
PHONE_DIGITS = re.compile(r"^\+?[\d\s().\-]{7,}$")
NON_DIGITS = re.compile(r"\D")
MAX_TEXT = 4000  # long descriptions: only their start is searchable


def group(f: SField) -> str | None:
    """The SOSL field group of a field, None when it is not searched."""
    if f.type not in TEXT_TYPES:
        return None
    if f.type == "email":
        return "E"
    if f.type == "phone":
        return "P"
    if f.name in NAME_FIELDS or f.name_field:
        return "N"
    return "O"


def phone_key(text: str) -> str | None:
    """The national-number digits of a phone-shaped text, None when it is not a phone number.

    North American numbers (10 digits, or 11 starting with 1) are read directly, which is what
    phonenumbers answers for them and keeps bulk loads fast; every other number goes to phonenumbers.
    """
    if not PHONE_DIGITS.match(text.strip()):
        return None
    digits = NON_DIGITS.sub("", text)
    if len(digits) == 10 and not text.lstrip().startswith("+"):
        return digits
    if len(digits) == 11 and digits[0] == "1" and text.lstrip()[:2] in ("+1", "1", "1-", "1 ", "1(", "1."):
        return digits[1:]
    try:
        number = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        digits = re.sub(r"\D", "", text)
        return digits or None
    return str(number.national_number)


def words(text: str) -> list[str]:
    """The lower-cased words of a text."""
    return [w.lower() for w in WORD.findall(text[:MAX_TEXT])]


_SEARCHED: dict[int, tuple[SObject, tuple[tuple[str, str], ...]]] = {}


def searched_fields(obj: SObject) -> tuple[tuple[str, str], ...]:
    """(field name, group) of every field SOSL searches on an object (cached per object)."""
    cached = _SEARCHED.get(id(obj))
    if cached is None or cached[0] is not obj:
        cached = _SEARCHED[id(obj)] = (obj, tuple((f.name, g) for f in obj.fields.values() if (g := group(f))))
    return cached[1]


def tokens(obj: SObject, row: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(token, group) pairs of one record."""
    for name, grp in searched_fields(obj):
        value = row.get(name)
        if not isinstance(value, str) or not value:
            continue
        if grp == "P":
            key = phone_key(value)
            if key:
                yield key, "P"
            continue
        if grp == "E":
            yield value.lower(), "E"
        for word in words(value):
            yield word, grp


class SearchIndex:
    """Maintains `_sosl` on a connection owned (and locked) by the store."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def create(self) -> None:
        """The table and its index (idempotent)."""
        self.conn.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} "
            "(token TEXT NOT NULL, grp TEXT NOT NULL, obj TEXT NOT NULL, rid INTEGER NOT NULL)"
        )
        # covering: a term's matches for one object are read from the index alone
        self.conn.execute(f"CREATE INDEX IF NOT EXISTS ix_sosl_term ON {TABLE} (token, obj, grp, rid)")
        self.conn.execute(f"CREATE INDEX IF NOT EXISTS ix_sosl_record ON {TABLE} (obj, rid)")

    def add(self, obj: SObject, rows: Iterable[tuple[int, Mapping[str, Any]]]) -> None:
        """Index records given as (rowid, values); call inside the store's transaction."""
        params = [(token, grp, obj.name, rowid) for rowid, row in rows for token, grp in set(tokens(obj, row))]
        self.conn.executemany(f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?)", params)

    def replace(self, obj: SObject, rowid: int, row: Mapping[str, Any]) -> None:
        """Re-index one record after an update."""
        self.conn.execute(f"DELETE FROM {TABLE} WHERE obj = ? AND rid = ?", (obj.name, rowid))
        self.add(obj, [(rowid, row)])

    def is_empty(self) -> bool:
        """True when nothing is indexed yet."""
        return self.conn.execute(f"SELECT 1 FROM {TABLE} LIMIT 1").fetchone() is None
