"""Pronunciations for the call's vocabulary, so grammars may use any word the caller might say.

A word in pocketsphinx's dictionary is used as is; a compound of dictionary words ("acmerobotics")
is the concatenation of its parts; anything else gets flite's letter-to-sound rules (`t2p`), and
without flite, the spelled letters.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable, Iterable
from functools import lru_cache

Lookup = Callable[[str], "str | None"]

# flite's phone set is CMU's apart from the schwa and pauses.
_FLITE_PHONES = {"ax": "AH", "pau": ""}
_LETTER_OK = re.compile(r"^[a-z]+$")


def words_of(texts: Iterable[str]) -> list[str]:
    """Lower-case alphabetic words from names, companies and emails ("jane.doe@acme.com" → jane, doe, acme, com)."""
    seen: dict[str, None] = {}
    for text in texts:
        for word in re.findall(r"[a-z]+", str(text).lower()):
            seen.setdefault(word, None)
    return list(seen)


def segment(word: str, lookup: Lookup, min_part: int = 2) -> list[str] | None:
    """Split `word` into the fewest dictionary words ("acmerobotics" → ["acme", "robotics"]), or None."""
    n = len(word)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for end in range(1, n + 1):
        for start in range(max(0, end - 20), end):
            head = best[start]
            part = word[start:end]
            if head is None or len(part) < min_part or lookup(part) is None:
                continue
            candidate = [*head, part]
            current = best[end]
            if current is None or len(candidate) < len(current):
                best[end] = candidate
    return best[n]


@lru_cache(maxsize=4096)
def flite_phones(word: str) -> str | None:
    """CMU phones for `word` from flite's letter-to-sound rules, or None without flite."""
    if not _LETTER_OK.match(word) or shutil.which("t2p") is None:
        return None
    done = subprocess.run(["t2p", word], capture_output=True, text=True, timeout=10, check=False)
    phones = [_FLITE_PHONES.get(p, re.sub(r"\d", "", p).upper()) for p in done.stdout.split()]
    phones = [p for p in phones if p]
    return " ".join(phones) or None


def pronounce(word: str, lookup: Lookup) -> str | None:
    """A pronunciation for `word`: the dictionary's, a compound's, flite's, or the spelled letters'."""
    found = lookup(word)
    if found:
        return found
    # Parts of four letters or more: "acme|robotics", never "pri|ya" (flite's rules do names better).
    parts = segment(word, lookup, min_part=4)
    if parts:
        return " ".join(str(lookup(p)) for p in parts)
    phones = flite_phones(word)
    if phones:
        return phones
    letters = [lookup(c) for c in word if c.isalpha()]
    return " ".join(p for p in letters if p) or None
