"""Homophones in the call vocabulary ("sofia" / "sophia"): a grammar cannot tell them apart by sound,
so a spelling cue in the same utterance ("spelled with an f") picks the variant that has the letter."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

# "spelled with an f" (recognisers often miss "spelled": "... with n f" still counts at the end of a turn).
_CUE = re.compile(r"\b(?:spelled with|with) (?:an? |n )?([a-z])\b(?: not (?:an? |n )?([a-z])\b)?")


def groups(words: Iterable[str], lookup: Callable[[str], str | None]) -> list[list[str]]:
    """Sets of vocabulary words that share one pronunciation."""
    by_sound: dict[str, list[str]] = {}
    for word in dict.fromkeys(words):
        phones = lookup(word)
        if phones:
            by_sound.setdefault(phones, []).append(word)
    return [g for g in by_sound.values() if len(g) > 1]


def disambiguate(text: str, homophone_groups: list[list[str]]) -> str:
    """Swap a homophone for the variant holding the letter the caller spelled out ("spelled with an f")."""
    cue = _CUE.search(text)
    if not cue:
        return text
    letter, not_letter = cue.group(1), cue.group(2)
    tokens = text.split()
    for i, token in enumerate(tokens):
        for group in homophone_groups:
            if token in group:
                fits = [w for w in group if letter in w and (not not_letter or not_letter not in w)]
                if fits and token not in fits:
                    tokens[i] = fits[0]
    return " ".join(tokens)


def prefer_first(text: str, homophone_groups: list[list[str]]) -> str:
    """Use each group's first word (the vocabulary lists names before email parts): "sophia" → "sofia"."""
    first = {w: g[0] for g in homophone_groups for w in g}
    return " ".join(first.get(t, t) for t in text.split())
