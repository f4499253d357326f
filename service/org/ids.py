"""Ids the embedded org makes: `<key prefix><pod "5g"><"0"><9 base-62 digits>` plus the case-safe
suffix (`service.schema.ids`), and their validation on input."""

from __future__ import annotations

import string

from service.schema.ids import ALPHABET, checksum, looks_like_id, to18

__all__ = ["ALPHABET", "checksum", "looks_like_id", "make_id", "normalize", "number_of", "to18"]

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
POD = "5g0"
ORG_ID = "00D5g000004Ux9AEAS"


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
