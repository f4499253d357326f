"""Slot extraction from a caller's free text: names, emails (spoken forms too), phones, numbers,
money, dates, yes/no.

Entity normalisation is engineer G's `service.text` when it is importable; the small fallbacks
here cover the same spoken forms so the runner works on its own.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

try:  # pragma: no cover - depends on which parts have landed
    from service import text as _text
except ImportError:  # pragma: no cover
    _text = None  # type: ignore[assignment]

_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_SPOKEN = (
    (r"\s+at\s+", "@"),
    (r"\s+dot\s+", "."),
    (r"\s+underscore\s+", "_"),
    (r"\s+(?:dash|hyphen)\s+", "-"),
)
_NOT_NAMES = {"with", "the", "a", "an", "from", "calling", "at", "in", "not", "just", "looking", "here", "sorry"}
_YES = re.compile(r"\b(yes|yeah|yep|correct|right|that's right|that is right|exactly|sure|go ahead|perfect)\b", re.I)
_NO = re.compile(r"\b(no|nope|not quite|wrong|incorrect|actually)\b", re.I)
_SMALL = {
    "zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1000, "k": 1000, "million": 1_000_000, "m": 1_000_000}
_MONTHS = {m.lower(): i for i, m in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
     "November", "December"], start=1)}


def _ext(name: str) -> Any:
    return getattr(_text, name, None) if _text is not None else None


def extract_email(text: str) -> str | None:
    """The email address in `text` (written or spoken: "jane dot doe at acme dot com"), lower-cased."""
    fn = _ext("extract_email")
    if fn is not None:
        try:
            found = fn(text)
        except Exception:  # a normaliser bug must not end the call
            found = None
        if found and _EMAIL_RE.fullmatch(str(found)):
            return str(found).lower()
        if found is None and _text is not None:
            return None
    match = _EMAIL_RE.search(text)
    if match:
        return match.group(0).rstrip(".").lower()
    spoken = " " + text.lower() + " "
    for pattern, repl in _SPOKEN:
        spoken = re.sub(pattern, repl, spoken)
    match = _EMAIL_RE.search(spoken.replace(" @", "@").replace("@ ", "@"))
    return match.group(0).rstrip(".").lower() if match else None


def looks_like_email_attempt(text: str) -> bool:
    """True when the caller seems to be giving an email, even a malformed one."""
    return bool(re.search(r"@|\bat\b.*\b(dot|com|net|org|io)\b|\bemail\b", text, re.I))


def extract_phone(text: str) -> str | None:
    """A phone number as digits with an optional leading +, or None."""
    fn = _ext("extract_phone")
    if fn is not None:
        try:
            found = fn(text)
        except Exception:
            found = None
        if found:
            return str(found)
    words = re.sub(r"[^\w+]+", " ", text.lower()).split()
    digits = ""
    for word in words:
        if word.isdigit() or (word.startswith("+") and word[1:].isdigit()):
            digits += word
        elif word in _SMALL and _SMALL[word] < 10:
            digits += str(_SMALL[word])
        elif word == "double" or word == "triple":
            digits += "?" + word[0]
    digits = re.sub(r"\?d(\d)", r"\1\1", digits)
    digits = re.sub(r"\?t(\d)", r"\1\1\1", digits)
    digits = digits.replace("?d", "").replace("?t", "")
    count = len(digits.lstrip("+"))
    return digits if 7 <= count <= 15 else None


def words_to_number(text: str) -> int | None:
    """"two hundred fifty" → 250; "45" → 45; "1.5 million" → 1500000."""
    fn = _ext("words_to_number")
    if fn is not None:
        try:
            value = fn(text)
        except Exception:
            value = None
        if value is not None:
            return int(value)
    cleaned = text.lower().replace(",", "").replace("-", " ")
    match = re.search(r"(\d+(?:\.\d+)?)\s*(k|m|thousand|million|hundred)?\b", cleaned)
    if match:
        value_f = float(match.group(1)) * _SCALES.get(match.group(2) or "", 1)
        return int(value_f)
    total, current, seen = 0, 0, False
    for word in cleaned.split():
        if word in _SMALL:
            current += _SMALL[word]
            seen = True
        elif word in _SCALES and seen:
            scale = _SCALES[word]
            if scale == 100:
                current *= 100
            else:
                total += current * scale
                current = 0
        elif word == "and":
            continue
        elif seen:
            break
    return total + current if seen else None


def extract_money(text: str) -> float | None:
    """An amount of money: "$250k", "250,000 dollars", "two hundred thousand"."""
    fn = _ext("extract_money")
    if fn is not None:
        try:
            value = fn(text)
        except Exception:
            value = None
        if value is not None:
            return float(value)
    number = words_to_number(text)
    return float(number) if number is not None else None


def extract_date(text: str, today: dt.date | None = None) -> dt.date | None:
    """A date: ISO, "March 31", "end of June", "next quarter", "in 3 months"."""
    today = today or dt.date.today()
    fn = _ext("extract_date")
    if fn is not None:
        try:
            value = fn(text, today)
        except Exception:
            value = None
        if isinstance(value, dt.date):
            return value
    lower = text.lower()
    iso = re.search(r"(\d{4})-(\d{2})-(\d{2})", lower)
    if iso:
        return dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    for name, month in _MONTHS.items():
        if name in lower:
            year = today.year if month >= today.month else today.year + 1
            day_m = re.search(name + r"\s+(\d{1,2})", lower)
            if day_m:
                return dt.date(year, month, int(day_m.group(1)))
            nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
            return nxt - dt.timedelta(days=1)
    months = re.search(r"(\d+|\w+)\s+months?", lower)
    if months:
        n = words_to_number(months.group(1)) or 3
        return today + dt.timedelta(days=30 * n)
    if "quarter" in lower:
        return today + dt.timedelta(days=90)
    if "year" in lower:
        return today + dt.timedelta(days=365)
    return None


def extract_name(text: str) -> tuple[str, str] | None:
    """(first, last) from "I'm Jane Doe", "my name is Jane Doe", "Jane Doe here", "Jane Doe"."""
    match = re.search(r"(?i:name is|i'm|i am|this is|it's)\s+([A-Z][\w'\-]+)\s+([A-Z][\w'\-]+)", text)
    if not match:  # a bare name; with a stray word in front ("Pine Tom Becker"), the last two words
        match = re.search(r"^\s*(?:[A-Z][\w'\-]+\s+)*?([A-Z][\w'\-]+)\s+([A-Z][\w'\-]+)\W*(?:here)?\W*$", text)
    if not match:
        match = re.search(r"^\s*([A-Z][\w'\-]+)\s+([A-Z][\w'\-]+)\b", text)
    if not match:  # recognisers often give lower case: "i'm priya natarajan"
        match = re.search(r"(?:name is|i'm|i am|this is|it's)\s+([a-z][\w'\-]+)\s+([a-z][\w'\-]+)", text, re.I)
        if match and {match.group(1).lower(), match.group(2).lower()} & _NOT_NAMES:
            match = None
    if not match:
        return None
    return match.group(1)[:1].upper() + match.group(1)[1:], match.group(2)[:1].upper() + match.group(2)[1:]


def after_cue(text: str, cues: tuple[str, ...]) -> str:
    """The phrase after the first cue ("we're called Acme" → "Acme"), trimmed of trailing punctuation."""
    for cue in cues:
        match = re.search(re.escape(cue) + r"\s+(.+)", text, re.I)
        if match:
            return re.sub(r"^the\s+", "", match.group(1).strip().rstrip(".!"), flags=re.I)
    return text.strip().rstrip(".!")


def is_yes(text: str) -> bool:
    """The caller agreed."""
    return bool(_YES.search(text)) and not re.search(r"\b(no|not|wrong|actually)\b", text, re.I)


def is_no(text: str) -> bool:
    """The caller disagreed or is correcting."""
    return bool(_NO.search(text))
