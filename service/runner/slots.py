"""Slot extraction from a caller's free text: names, emails (spoken forms too), phones, numbers,
money, dates, yes/no.

Entities go through the shared normaliser `service.text` (the same code the create tool and the voice
loop use); what is here is conversation-specific: names, cues, yes and no.
"""

from __future__ import annotations

import datetime as dt
import re

from service import text

_NOT_NAMES = {"with", "the", "a", "an", "from", "calling", "at", "in", "not", "just", "looking", "here", "sorry"}
_YES = re.compile(r"\b(yes|yeah|yep|correct|right|that's right|that is right|exactly|sure|go ahead|perfect)\b", re.I)
_NO = re.compile(r"\b(no|nope|not quite|wrong|incorrect|actually)\b", re.I)


def extract_email(text_: str) -> str | None:
    """The email address in the text (written or spoken: "jane dot doe at acme dot com"), lower-cased."""
    return text.extract_email(text_)


def looks_like_email_attempt(text: str) -> bool:
    """True when the caller seems to be giving an email, even a malformed one."""
    return bool(re.search(r"@|\bat\b.*\b(dot|com|net|org|io)\b|\bemail\b", text, re.I))


def extract_phone(text_: str) -> str | None:
    """A phone number in E.164 form, or None."""
    return text.extract_phone(text_)


def words_to_number(text_: str) -> int | None:
    """ "two hundred fifty" → 250; "45" → 45; "1.5 million" → 1500000."""
    value = text.words_to_number(text_)
    return int(value) if value is not None else None


def extract_money(text_: str) -> float | None:
    """An amount of money: "$250k", "250,000 dollars", "two hundred thousand"."""
    value = text.extract_money(text_)
    return float(value) if value is not None else None


def extract_date(text_: str, today: dt.date | None = None) -> dt.date | None:
    """A date: ISO, "March 31", "end of June", "next quarter", "in 3 months"."""
    return text.extract_date(text_, today or dt.date.today())


def extract_name(text: str) -> tuple[str, str] | None:
    """(first, last) from "I'm Jane Doe", "my name is Jane Doe", "Jane Doe here", "Jane Doe"; after a cue
    the last name is every capitalised word that follows ("I'm Priya Nata Rajan" → Priya, Nata Rajan)."""
    # A surname may come in several capitalised words: a recogniser's "Nata Rajan" for Natarajan.
    match = re.search(
        r"(?i:name is|i'm|i am|this is|it's)\s+([A-Z][\w'\-]+)\s+([A-Z][\w'\-]+(?:\s+[A-Z][\w'\-]+)*)", text
    )
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
