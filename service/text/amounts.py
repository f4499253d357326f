"""Amounts in caller speech: money and counts tied to a keyword ("two hundred employees")."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from service.text.numbers import NumberSpan, find_numbers, tokenize

_DOLLAR = re.compile(r"\$\s*(\d[\d,]*(?:\.\d+)?(?:\s*(?:[kKmM]|million|thousand|billion)\b)?)")
_CURRENCY_WORDS = {"dollar", "dollars", "bucks", "usd", "k", "grand"}


def extract_money(text: str) -> Decimal | None:
    """An amount of money ("$50,000", "fifty thousand dollars", "50k", "1.5 million") as a Decimal, or None.

    A number marked as money ("$", "dollars", "k") wins; otherwise the largest number in the turn.
    "cents" after "and" are added ("nineteen dollars and ninety nine cents").
    """
    text = _DOLLAR.sub(r"\1 dollars", text)
    tokens = tokenize(text)
    spans = find_numbers(tokens)
    if not spans:
        return None
    marked = [s for s in spans if _is_money(tokens, s)]
    pick = marked[0] if marked else max(spans, key=lambda s: s.value)
    value = pick.value
    if tokens[pick.end : pick.end + 1] == ["grand"]:
        value *= 1000
    # "... dollars and ninety nine cents"
    for later in spans:
        if later.start > pick.end and tokens[later.end : later.end + 1] == ["cents"]:
            value += later.value / 100
            break
    return Decimal(int(value)) if value == value.to_integral_value() else value


def _is_money(tokens: list[str], span: NumberSpan) -> bool:
    after = tokens[span.end : span.end + 1]
    if after and after[0] in _CURRENCY_WORDS:
        return True
    return any(t[-1:] in ("k", "m") and t[:1].isdigit() for t in tokens[span.start : span.end])


def _keyword_positions(tokens: list[str], keyword: str) -> list[tuple[int, int]]:
    words = tokenize(keyword)
    if not words:
        return []
    found = []
    for i in range(len(tokens) - len(words) + 1):
        window = tokens[i : i + len(words)]
        if all(_word_matches(t, w) for t, w in zip(window, words, strict=True)):
            found.append((i, i + len(words)))
    return found


def _word_matches(token: str, word: str) -> bool:
    return token == word or (len(word) >= 4 and token.startswith(word) and len(token) - len(word) <= 3)


def extract_number_after(text: str, keywords: Iterable[str]) -> int | None:
    """The number tied to one of `keywords`: the nearest number after it, or just before it.

    "we have about two hundred employees" with ("employees",) → 200; "budget is 50k" with ("budget",) → 50000.
    Ties go to the number after the keyword.
    """
    tokens = tokenize(text)
    spans = find_numbers(tokens)
    best: tuple[int, int, NumberSpan] | None = None
    for keyword in keywords:
        for kw_start, kw_end in _keyword_positions(tokens, keyword):
            for span in spans:
                if span.start >= kw_end:
                    key = (span.start - kw_end, 0)
                elif span.end <= kw_start:
                    key = (kw_start - span.end, 1)
                else:
                    continue
                if key[0] > 8:
                    continue
                if best is None or key < best[:2]:
                    best = (key[0], key[1], span)
    if best is None:
        return None
    value = best[2].value
    if tokens[best[2].end : best[2].end + 1] == ["grand"]:
        value *= 1000
    return int(value)
