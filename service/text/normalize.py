"""Text to the words a speaker says, and the comparison form used for word error rate.

`spoken_form` is the inverse of the entity extractors, for TTS and for fair WER: "$50,000" → "fifty thousand
dollars", "jane.doe@acme.com" → "jane dot doe at acme dot com", "+1 (415) 555-0198" → "plus one four one
five five five five zero one nine eight", "2025-06-30" → "June thirtieth twenty twenty five".
"""

from __future__ import annotations

import calendar
import re
from decimal import Decimal

from service.text.address import spoken_address
from service.text.numbers import number_to_words, ordinal_words

_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}")
_MONEY = re.compile(r"\$\s*(\d[\d,]*)(\.\d+)?(?:\s*([kKmM]\b|million\b|thousand\b|billion\b))?")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_PHONE = re.compile(r"(?<![\w$])\+?\d[\d\s().-]{5,}\d(?!\d)")
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(k|m|st|nd|rd|th|%)?(?![\w])", re.IGNORECASE)
_SYMBOL_WORDS = {".": "dot", "_": "underscore", "-": "dash", "+": "plus", "@": "at", "%": "percent", "'": ""}
_DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_SCALE = {"k": 1_000, "m": 1_000_000, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}


def _digits(s: str) -> str:
    return " ".join(_DIGIT_WORDS[int(c)] for c in s if c.isdigit())


def spoken_email(address: str) -> str:
    """ "jane.doe@acme.com" → "jane dot doe at acme dot com" (digits one by one)."""
    words: list[str] = []
    for part in re.findall(r"[a-z]+|\d|[._%+@'-]", address.lower()):
        if part.isdigit():
            words.append(_DIGIT_WORDS[int(part)])
        elif part in _SYMBOL_WORDS:
            if _SYMBOL_WORDS[part]:
                words.append(_SYMBOL_WORDS[part])
        else:
            words.append(part)
    return " ".join(words)


def spoken_phone(number: str) -> str:
    """ "+14155550198" → "plus one four one five five five five zero one nine eight"."""
    prefix = "plus " if number.strip().startswith("+") else ""
    return prefix + _digits(number)


def spoken_money(whole: str, fraction: str | None = None, scale: str | None = None) -> str:
    """Money digits to words: ("50,000") → "fifty thousand dollars"; ("19", ".99") → "... and ninety nine cents"."""
    amount = Decimal(whole.replace(",", "") + (fraction or ""))
    if scale:
        return f"{number_to_words(amount * _SCALE[scale.lower()])} dollars"
    dollars = int(amount)
    cents = int((amount - dollars) * 100)
    text = f"{number_to_words(dollars)} dollar{'' if dollars == 1 else 's'}"
    if cents:
        text += f" and {number_to_words(cents)} cent{'' if cents == 1 else 's'}"
    return text


def _year_words(year: int) -> str:
    if 2000 <= year <= 2009 or year % 1000 == 0:
        return number_to_words(year)
    hundreds, rest = divmod(year, 100)
    if rest == 0:
        return f"{number_to_words(hundreds)} hundred"
    return f"{number_to_words(hundreds)} {'oh ' if rest < 10 else ''}{number_to_words(rest)}"


def _number(m: re.Match[str]) -> str:
    whole, fraction, suffix = m.group(1), m.group(2), (m.group(3) or "").lower()
    value = Decimal(whole.replace(",", "") + (fraction or ""))
    if suffix in ("k", "m"):
        return number_to_words(value * _SCALE[suffix])
    if suffix in ("st", "nd", "rd", "th") and not fraction:
        return ordinal_words(int(value))
    return number_to_words(value) + (" percent" if suffix == "%" else "")


def _phone(m: re.Match[str]) -> str:
    text = m.group(0)
    if sum(c.isdigit() for c in text) < 7 or not re.search(r"[\s().+-]", text.strip()) and not text.startswith("+"):
        # A plain long numeral (no separators, no +) is a quantity, not a phone number.
        if not (text.isdigit() and len(text) >= 10):
            return text
    return spoken_phone(text)


def spoken_form(text: str) -> str:
    """Rewrite emails, money, ISO dates, addresses, phone numbers and numerals as the words a speaker says."""
    text = spoken_address(text)
    text = _EMAIL.sub(lambda m: spoken_email(m.group(0)), text)
    text = _MONEY.sub(lambda m: spoken_money(m.group(1), m.group(2), m.group(3)), text)
    text = _ISO_DATE.sub(
        lambda m: (
            f"{calendar.month_name[int(m.group(2))]} {ordinal_words(int(m.group(3)))} {_year_words(int(m.group(1)))}"
            if 1 <= int(m.group(2)) <= 12 and 1 <= int(m.group(3)) <= 31
            else m.group(0)
        ),
        text,
    )
    text = _PHONE.sub(_phone, text)
    return _NUMBER.sub(_number, text)


def wer_form(text: str) -> str:
    """Lower-case spoken words without punctuation: the form both sides take before computing WER."""
    text = spoken_form(text).lower().replace("-", " ")
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    return " ".join(text.split())
