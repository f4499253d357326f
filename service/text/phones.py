"""Phone numbers from caller text, written or spoken, in E.164 by `phonenumbers`.

"plus one four one five five five five zero one nine eight" → "+14155550198". Reading spoken digits
("oh", "double five", "ninety eight") is written here because no maintained library does it; the
number itself is parsed, checked (possible *and* valid for its region) and formatted by
`phonenumbers`. `normalize_phone` is faithful: besides digit words it allows only a short lead-in
("my number is"), so "call me maybe" or "415 555 0198 after six" is not a phone.
"""

from __future__ import annotations

import re

import phonenumbers

from service.text.numbers import TEENS, TENS, UNITS, find_numbers, tokenize

_DIGIT_WORDS = frozenset({*UNITS, *TEENS, *TENS, "o", "double", "triple", "hundred", "thousand", "plus"})
_LEAD_IN = frozenset("my phone number is it's its it the call me at on mobile cell work office tel telephone".split())


def spoken_digits(text: str) -> str:
    """Digits (and a leading "+") spoken or written in `text`, in order.

    "plus one four one five" → "+1415"; "oh" → 0; "double five" → "55"; "triple oh" → "000";
    "ninety eight" → "98"; "eight hundred" → "800". Words that are not digits are skipped.
    """
    tokens = re.findall(r"\+|[a-z]+|\d+", text.lower().replace("-", " "))
    out: list[str] = []
    repeat = 1
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok in ("+", "plus") and not any(c.isdigit() for c in out):
            out = ["+"]
        elif tok == "double":
            repeat = 2
        elif tok == "triple":
            repeat = 3
        elif tok.isdigit():
            out.append(tok * repeat if len(tok) == 1 else tok)
            repeat = 1
        elif tok in UNITS or tok == "o":
            out.append(str(UNITS.get(tok, 0)) * repeat)
            repeat = 1
        elif tok in TEENS:
            out.append(str(TEENS[tok]))
        elif tok in TENS:
            if i + 1 < len(tokens) and tokens[i + 1] in UNITS and tokens[i + 1] not in ("zero", "oh"):
                out.append(str(TENS[tok] + UNITS[tokens[i + 1]]))
                i += 1
            else:
                out.append(str(TENS[tok]))
        elif tok == "hundred" and out:
            out.append("00")
        elif tok == "thousand" and out:
            out.append("000")
        i += 1
    return "".join(out)


def _e164(digits: str, region: str) -> str | None:
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return None
    # A local-only number ("555 0123", no area code) can't be dialled back from anywhere: not E.164.
    if phonenumbers.is_possible_number_with_reason(number) != phonenumbers.ValidationResult.IS_POSSIBLE:
        return None
    if not phonenumbers.is_valid_number(number):  # possible length, but no such range (e.g. +1 234 ...)
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def is_phone_text(text: str) -> bool:
    """True if `text` holds nothing but a phone number: digits, separators, digit words, a lead-in."""
    if re.search(r"[^\w\s+().,:/-]", text):
        return False
    words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text.lower())
    return all(word in _DIGIT_WORDS or word in _LEAD_IN for word in words)


def normalize_phone(text: str, region: str = "US") -> str | None:
    """E.164 form of a phone number given as text or speech ("+1 (415) 555-0198", "four one five ..."), or None."""
    digits = spoken_digits(text)
    if len(digits.lstrip("+")) < 7:
        return None
    result = _e164(digits, region)
    if result is None and digits.startswith("+") is False and digits.startswith("1") and region == "US":
        result = _e164("+" + digits, region)
    return result


def extract_phone(text: str, region: str = "US") -> str | None:
    """The phone number in a caller turn (literal or spoken) in E.164, or None.

    Digits are read from the first digit word onwards, so "my number is ..." and other words are ignored;
    cardinals elsewhere in the turn ("two hundred employees") would be mixed in, so callers give the
    phone turn on its own.
    """
    literal = re.search(r"\+?\d[\d\s().-]{5,}\d", text)
    if literal:
        found = normalize_phone(literal.group(0), region)
        if found:
            return found
    tokens = tokenize(text)
    # Skip cardinals that are clearly not part of a digit string ("two hundred employees").
    spans = [
        s
        for s in find_numbers(tokens)
        if s.value >= 100 and any(t == "hundred" or t in ("thousand", "million") for t in tokens[s.start : s.end])
    ]
    kept = [t for i, t in enumerate(tokens) if not any(s.start <= i < s.end for s in spans)]
    return normalize_phone(" ".join(kept), region)
