"""Dates in caller speech, resolved against `today` (always in the future or today for relative forms).

Close-date semantics: a bare month, "end of <month>", a quarter ("Q3") or "end of the year" mean the
*last* day of that period; a weekday means its next occurrence ("next Friday" on a Wednesday is two days
away, like "this Friday" — callers rarely mean "a week on Friday").
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from service.text.numbers import find_numbers, tokenize

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_ORDINAL_WORDS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "thirtieth": 30,
}
_QUARTER_WORDS = {
    "first": 1,
    "one": 1,
    "1": 1,
    "second": 2,
    "two": 2,
    "2": 2,
    "third": 3,
    "three": 3,
    "3": 3,
    "fourth": 4,
    "four": 4,
    "4": 4,
    "last": 4,
}


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _upcoming(candidate: date, today: date) -> date:
    """Move a date without a stated year into the future (next year if it has passed)."""
    if candidate < today:
        try:
            return candidate.replace(year=candidate.year + 1)
        except ValueError:  # 29 February
            return candidate.replace(year=candidate.year + 1, day=28)
    return candidate


def _year_after(tokens: list[str], i: int) -> int | None:
    if i < len(tokens) and re.fullmatch(r"(19|20)\d\d", tokens[i]):
        return int(tokens[i])
    return None


def _day_at(tokens: list[str], i: int) -> tuple[int, int] | None:
    """A day of month at tokens[i] ("30", "30th", "thirtieth", "twenty first") → (day, tokens used)."""
    if i >= len(tokens):
        return None
    m = re.fullmatch(r"(\d{1,2})(st|nd|rd|th)?", tokens[i])
    if m and 1 <= int(m.group(1)) <= 31:
        return int(m.group(1)), 1
    if tokens[i] in ("twenty", "thirty") and i + 1 < len(tokens) and tokens[i + 1] in _ORDINAL_WORDS:
        return (20 if tokens[i] == "twenty" else 30) + _ORDINAL_WORDS[tokens[i + 1]], 2
    if tokens[i] in _ORDINAL_WORDS:
        return _ORDINAL_WORDS[tokens[i]], 1
    return None


def _numeric_date(text: str, today: date) -> date | None:
    m = re.search(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", text)
    if m:
        return _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.search(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b", text)  # US order: month/day[/year]
    if m:
        year = int(m.group(3)) if m.group(3) else today.year
        year += 2000 if year < 100 else 0
        found = _safe_date(year, int(m.group(1)), int(m.group(2)))
        return _upcoming(found, today) if found and not m.group(3) else found
    return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def extract_date(text: str, today: date) -> date | None:
    """The date a caller means ("next Friday", "end of March", "Q3", "June 30th", "2025-06-30"), or None."""
    found = _numeric_date(text, today)
    if found:
        return found
    tokens = tokenize(text)
    joined = " ".join(tokens)
    if re.search(r"\b(today|tonight)\b", joined):
        return today
    if "tomorrow" in tokens:
        return today + timedelta(days=1)
    for i, tok in enumerate(tokens):
        # Quarters: "q3", "q three", "third quarter", "end of q3 2026".
        quarter = None
        if re.fullmatch(r"q[1-4]", tok):
            quarter, after = int(tok[1]), i + 1
        elif tok == "q" and i + 1 < len(tokens) and tokens[i + 1] in _QUARTER_WORDS:
            quarter, after = _QUARTER_WORDS[tokens[i + 1]], i + 2
        elif tok == "quarter" and i > 0 and tokens[i - 1] in _QUARTER_WORDS:
            quarter, after = _QUARTER_WORDS[tokens[i - 1]], i + 1
            if i > 1 and tokens[i - 2] in ("this", "the") and tokens[i - 1] == "last":
                quarter = None
        if quarter is not None:
            year = (
                _year_after(tokens, after)
                or (after < len(tokens) and tokens[after] == "of" and _year_after(tokens, after + 1))
                or None
            )
            end = _month_end(year or today.year, quarter * 3)
            return end if year else _upcoming(end, today)
        if tok in MONTHS and not (
            tok == "may"
            and i + 1 < len(tokens)
            and not _day_at(tokens, i + 1)
            and not _year_after(tokens, i + 1)
            and not (i > 0 and tokens[i - 1] in ("of", "in"))
        ):
            month = MONTHS[tok]
            day_info = _day_at(tokens, i + 1)
            if day_info is None and i > 1 and tokens[i - 1] == "of":
                day_info = _day_at(tokens, i - 2)  # "the thirtieth of June"
            elif day_info is None and i > 0:
                prev = _day_at(tokens, i - 1)  # "30 June"
                day_info = prev if prev and re.fullmatch(r"\d{1,2}(st|nd|rd|th)?", tokens[i - 1]) else None
            year_at = i + 1 + (day_info[1] if day_info and _day_at(tokens, i + 1) else 0)
            year = _year_after(tokens, year_at)
            if day_info:
                candidate = _safe_date(year or today.year, month, day_info[0])
            else:
                candidate = _month_end(year or today.year, month)
            if candidate is None:
                return None
            beginning = i > 1 and tokens[i - 2] in ("beginning", "start", "early") and tokens[i - 1] == "of"
            if beginning and not day_info:
                candidate = candidate.replace(day=1)
            return candidate if year else _upcoming(candidate, today)
        if tok in WEEKDAYS:
            if tokens[i + 1 : i + 3] == ["next", "week"]:  # "Friday next week"
                return today + timedelta(days=7 - today.weekday() + WEEKDAYS[tok])
            ahead = (WEEKDAYS[tok] - today.weekday()) % 7 or 7
            return today + timedelta(days=ahead)
    return _relative(tokens, today)


def _relative(tokens: list[str], today: date) -> date | None:
    joined = " ".join(tokens)
    if re.search(r"\bend of (the |this )?month\b", joined):
        return _month_end(today.year, today.month)
    if re.search(r"\bend of (the |this )?quarter\b", joined):
        return _month_end(today.year, ((today.month - 1) // 3 + 1) * 3)
    if re.search(r"\b(end of (the |this )?year|year end|year's end)\b", joined):
        return date(today.year, 12, 31)
    if re.search(r"\bnext year\b", joined):
        return date(today.year + 1, 12, 31)
    if re.search(r"\bnext quarter\b", joined):
        month_index = ((today.month - 1) // 3 + 1) * 3 + 2  # last month of the next quarter, 0-based
        return _month_end(today.year + month_index // 12, month_index % 12 + 1)
    if re.search(r"\bnext month\b", joined):
        month = today.month % 12 + 1
        return _month_end(today.year + (today.month == 12), month)
    if re.search(r"\bnext week\b", joined):
        return today + timedelta(days=7 - today.weekday())
    m = re.search(r"\b(?:in|within) (\S+(?: \S+)?) (day|week|month)s?\b", joined)
    if m:
        spans = find_numbers(m.group(1).split()) if m.group(1) not in ("a", "one") else []
        count = int(spans[0].value) if spans else 1
        unit = m.group(2)
        if unit == "day":
            return today + timedelta(days=count)
        if unit == "week":
            return today + timedelta(weeks=count)
        month_index = today.month - 1 + count
        year, month = today.year + month_index // 12, month_index % 12 + 1
        return _safe_date(year, month, min(today.day, calendar.monthrange(year, month)[1]))
    return None
