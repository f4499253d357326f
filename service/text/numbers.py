"""Numbers in speech: spoken or written cardinals to values, and values back to words.

Pure Python. A number is read from a run of tokens: numerals ("50,000", "1.5", "50k"), number words
("two hundred and fifty", "fifty thousand"), decimals ("one point five million") and scale words after
numerals ("1.5 million"). Runs of single digits ("four one five") are *not* summed: each digit after a
digit starts a new number, so a phone number never becomes one cardinal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

UNITS = {
    "zero": 0,
    "oh": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}
TEENS = {
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
SUFFIXES = {"k": 1_000, "m": 1_000_000, "mm": 1_000_000, "mn": 1_000_000, "b": 1_000_000_000, "bn": 1_000_000_000}

_TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?[a-z]*|[a-z]+(?:'[a-z]+)?")
_NUMERAL = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?([a-z]*)$")


def tokenize(text: str) -> list[str]:
    """Lower-case word and numeral tokens; hyphenated number words are split ("twenty-five")."""
    text = text.lower().replace("\u2019", "'").replace("$", " ")
    return _TOKEN.findall(text)


@dataclass(frozen=True)
class NumberSpan:
    """A number found in a token list: tokens[start:end] read as `value`."""

    start: int
    end: int
    value: Decimal


def _numeral(token: str) -> Decimal | None:
    m = _NUMERAL.match(token)
    if not m:
        return None
    try:
        value = Decimal(m.group(1).replace(",", "") + (m.group(2) or ""))
    except InvalidOperation:
        return None
    suffix = m.group(3)
    if suffix in SUFFIXES:
        return value * SUFFIXES[suffix]
    if suffix in ("", "st", "nd", "rd", "th"):
        return value
    return None


def _is_number_word(word: str) -> bool:
    return word in UNITS or word in TEENS or word in TENS or word in SCALES or word == "hundred"


def find_numbers(tokens: list[str]) -> list[NumberSpan]:
    """All numbers in `tokens`, left to right."""
    spans: list[NumberSpan] = []
    i = 0
    while i < len(tokens):
        span = _read_number(tokens, i)
        if span is None:
            i += 1
            continue
        spans.append(span)
        i = span.end
    return spans


def _read_number(tokens: list[str], start: int) -> NumberSpan | None:
    """Read the longest number starting at `start`, or None if no number starts there."""
    total = Decimal(0)  # completed scale groups (thousands, millions)
    current = Decimal(0)  # the group under construction (< 1000)
    last = ""  # kind of the previous token: unit, teen, tens, hundred, scale, numeral
    i = start
    first = tokens[start]
    if first == "oh" or (first == "a" and start + 1 < len(tokens) and tokens[start + 1] in ("hundred", *SCALES)):
        if first == "oh":
            return None  # a bare "oh" is an interjection; it only counts as 0 inside digit runs
        current, last, i = Decimal(1), "unit", start + 1
    while i < len(tokens):
        tok = tokens[i]
        value = _numeral(tok)
        if value is not None:
            if last:
                break
            current, last = value, "numeral"
            if _NUMERAL.match(tok).group(3) in SUFFIXES:  # type: ignore[union-attr]
                last = "scale"
                total, current = total + current, Decimal(0)
        elif tok in UNITS and tok != "oh":
            if last in ("unit", "teen", "numeral"):
                break
            current += UNITS[tok]
            last = "unit"
        elif tok in TEENS:
            if last in ("unit", "teen", "tens", "numeral"):
                break
            current += TEENS[tok]
            last = "teen"
        elif tok in TENS:
            if last in ("unit", "teen", "tens", "numeral"):
                break
            current += TENS[tok]
            last = "tens"
        elif tok == "hundred":
            if last not in ("unit", "teen", "tens", "numeral") or current >= 100:
                break
            current *= 100
            last = "hundred"
        elif tok in SCALES:
            if last not in ("unit", "teen", "tens", "numeral", "hundred"):
                break
            total += current * SCALES[tok]
            current = Decimal(0)
            last = "scale"
        elif tok == "and" and last in ("hundred", "scale") and i + 1 < len(tokens) and _is_number_word(tokens[i + 1]):
            pass
        elif (
            tok == "point"
            and last in ("unit", "teen", "tens", "numeral")
            and i + 1 < len(tokens)
            and (tokens[i + 1] in UNITS)
        ):
            digits = ""
            j = i + 1
            while j < len(tokens) and tokens[j] in UNITS:
                digits += str(UNITS[tokens[j]])
                j += 1
            current += Decimal("0." + digits)
            last = "numeral"
            i = j
            continue
        else:
            break
        i += 1
    if not last:
        return None
    # A trailing "and" is not part of the number.
    end = i
    while end > start and tokens[end - 1] == "and":
        end -= 1
    value = total + current
    if value == value.to_integral_value():
        value = Decimal(int(value))
    return NumberSpan(start, end, value)


def parse_number(text: str) -> Decimal | None:
    """The first number in `text` as a Decimal ("1.5 million" → 1500000), or None."""
    spans = find_numbers(tokenize(text))
    return spans[0].value if spans else None


def words_to_number(text: str) -> int | None:
    """The first number in `text` as an int ("two hundred" → 200, "1.5 million" → 1500000), or None.

    Fractions are truncated ("2.5" → 2); use `parse_number` to keep them.
    """
    value = parse_number(text)
    return int(value) if value is not None else None


_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS_WORDS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
# "ten" … "nineteen", "twenty" … "ninety": the words a spoken number uses past its digits.
TEENS_AND_TENS: tuple[str, ...] = (*_ONES[10:], *_TENS_WORDS[2:])
_ORDINAL_IRREGULAR = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}


def _below_thousand(n: int) -> list[str]:
    words: list[str] = []
    if n >= 100:
        words += [_ONES[n // 100], "hundred"]
        n %= 100
    if n >= 20:
        words.append(_TENS_WORDS[n // 10])
        if n % 10:
            words.append(_ONES[n % 10])
    elif n or not words:
        words.append(_ONES[n])
    return words


def number_to_words(value: int | Decimal) -> str:
    """Spell a number: 50000 → "fifty thousand", Decimal("1.5") → "one point five"."""
    value = Decimal(value)
    negative = value < 0
    value = abs(value)
    whole = int(value)
    words: list[str] = []
    if whole == 0:
        words = ["zero"]
    for scale_name, scale in (("billion", 10**9), ("million", 10**6), ("thousand", 10**3), ("", 1)):
        group = whole // scale % 1000 if scale < 10**9 else whole // scale
        if group:
            words += _below_thousand(group) if group < 1000 else number_to_words(group).split()
            if scale_name:
                words.append(scale_name)
    fraction = value - whole
    if fraction:
        digits = format(fraction.normalize(), "f").split(".")[1]
        words += ["point", *(_ONES[int(d)] for d in digits)]
    return " ".join((["minus"] if negative else []) + words)


def ordinal_words(n: int) -> str:
    """Spell an ordinal: 30 → "thirtieth", 21 → "twenty first"."""
    words = number_to_words(n).split()
    last = words[-1]
    if last in _ORDINAL_IRREGULAR:
        words[-1] = _ORDINAL_IRREGULAR[last]
    elif last.endswith("y"):
        words[-1] = last[:-1] + "ieth"
    else:
        words[-1] = last + "th"
    return " ".join(words)
