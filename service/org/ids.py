"""Salesforce record ids: 15-character case-sensitive base-62 ids and their 18-character form.

The 3-character suffix makes the id case-insensitive: for each 5-character chunk, bit j is set when
character j is an upper-case letter, and the 5-bit number indexes `ALPHABET`. Ids made here are
`<key prefix><pod "5g"><"0"><9 base-62 digits>`, then the suffix.
"""

from __future__ import annotations

import re
import string

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
POD = "5g0"
ORG_ID = "00D5g000004Ux9AEAS"

_ID_RE = re.compile(r"^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$")


def checksum(id15: str) -> str:
    """The 3-character case-safe suffix of a 15-character id."""
    out = []
    for i in range(3):
        chunk = id15[i * 5 : i * 5 + 5]
        out.append(ALPHABET[sum(1 << j for j, c in enumerate(chunk) if "A" <= c <= "Z")])
    return "".join(out)


def to18(id15: str) -> str:
    """The 18-character form of a 15-character id."""
    return id15 + checksum(id15)


def looks_like_id(value: str) -> bool:
    """True when `value` has the length and alphabet of an id (15 or 18 alphanumerics)."""
    return bool(_ID_RE.match(value))


def normalize(value: str) -> str | None:
    """The canonical 18-character id for a 15- or 18-character id, None if malformed.

    An 18-character id must carry the right suffix for its first 15 characters.
    """
    if not looks_like_id(value):
        return None
    if len(value) == 15:
        return to18(value)
    if value[15:].upper() != checksum(value[:15]):
        return None
    return value[:15] + checksum(value[:15])


def make_id(key_prefix: str, number: int) -> str:
    """The 18-character id number `number` of an object with `key_prefix`."""
    digits = []
    n = number
    for _ in range(9):
        n, r = divmod(n, 62)
        digits.append(BASE62[r])
    if n:
        raise ValueError(f"id number {number} out of range")
    return to18(key_prefix + POD[:2] + POD[2] + "".join(reversed(digits)))


def number_of(record_id: str) -> int:
    """The sequence number encoded in an id made by `make_id`."""
    n = 0
    for c in record_id[6:15]:
        n = n * 62 + BASE62.index(c)
    return n


INTEGRATION_USER_ID = make_id("005", 1)
"""The Run As user every client-credentials session acts as (the first seeded user)."""
