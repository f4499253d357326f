"""Salesforce record ids: 15-character case-sensitive base-62 ids and their 18-character form.

The 3-character suffix makes an id case-insensitive: for each 5-character chunk, bit j is set when
character j is an upper-case letter, and the 5-bit number indexes `ALPHABET`. Shared by the
gateway (checking ids agents send) and the embedded org (making and reading ids).
"""

from __future__ import annotations

import re

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

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
