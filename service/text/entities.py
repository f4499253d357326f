"""Entities from caller speech: emails and phone numbers, literal or spoken.

"jane dot doe at acme robotics dot com" → "jane.doe@acmerobotics.com";
"plus one four one five five five five zero one nine eight" → "+14155550198" (E.164 via phonenumbers).
Pure Python apart from the optional `phonenumbers` package (a plain digit check is used without it).
"""

from __future__ import annotations

import re

from service.text.numbers import TEENS, TENS, UNITS, find_numbers, tokenize

_EMAIL = re.compile(
    r"^[a-z0-9](?:[a-z0-9._%+'-]{0,62}[a-z0-9_])?@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}$"
)
_LITERAL_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}")

# Spoken symbol words inside an email address.
_SYMBOLS = {
    "dot": ".",
    "period": ".",
    "point": ".",
    "underscore": "_",
    "dash": "-",
    "hyphen": "-",
    "minus": "-",
    "plus": "+",
}
# Words that end the local part when reading backwards from "at" (lead-in phrases, fillers).
_LEAD_IN = {
    "is",
    "email",
    "mail",
    "address",
    "it's",
    "its",
    "it",
    "me",
    "my",
    "reach",
    "use",
    "that's",
    "thats",
    "to",
    "the",
    "send",
    "sorry",
    "actually",
    "no",
    "correction",
    "should",
    "be",
    "instead",
    "yes",
    "yeah",
    "so",
    "um",
    "uh",
    "okay",
    "ok",
    "oops",
    "meant",
    "mean",
    "said",
    "was",
    "wrong",
    "right",
    "correct",
    "sure",
    "new",
    "of",
    "on",
    "at",
    "and",
    "write",
    "please",
    "from",
    "for",
    "with",
}
_TLDS = {
    "com",
    "org",
    "net",
    "io",
    "co",
    "ai",
    "us",
    "uk",
    "edu",
    "gov",
    "biz",
    "info",
    "dev",
    "app",
    "de",
    "fr",
    "ca",
    "au",
    "in",
    "me",
    "tv",
    "eu",
    "nl",
    "es",
    "it",
    "jp",
    "ch",
    "se",
    "no",
    "xyz",
    "tech",
    "cloud",
}
_MAX_LOCAL_WORDS = 12


def is_valid_email(s: str) -> bool:
    """A plausible address: one @, a dotted domain with an alphabetic TLD, no spaces or double dots."""
    return bool(_EMAIL.match(s)) and ".." not in s and len(s) <= 254


def _spoken_email_tokens(text: str) -> list[str]:
    text = text.lower().replace("\u2019", "'")
    text = re.sub(r"\bat the rate(?: of)?\b|\bat sign\b|\bat symbol\b|@", " at ", text)
    text = re.sub(r"\be[- ]mail\b", " email ", text)
    text = re.sub(r"\bdot com\b", " dot com ", text)
    # Keep literal symbols as their own tokens so "jane.doe at acme.com" mixes fine.
    text = re.sub(r"([._+-])", r" \1 ", text)
    return re.findall(r"[a-z0-9']+|[._+-]", text)


def _join_words(tokens: list[str]) -> str:
    out = []
    for tok in tokens:
        if tok in _SYMBOLS:
            out.append(_SYMBOLS[tok])
        elif tok in UNITS:
            out.append(str(UNITS[tok]))
        elif tok in (".", "_", "-", "+"):
            out.append(tok)
        else:
            out.append(tok.replace("'", ""))
    return "".join(out)


def _spoken_email(tokens: list[str]) -> str | None:
    """Read "<local> at <domain> dot <tld>" from tokens, trying the last "at" first."""
    at_positions = [i for i, t in enumerate(tokens) if t == "at"]
    for at in reversed(at_positions):
        # Domain: up to and including the last TLD after a "dot" (or the first TLD-shaped word).
        domain_end = None
        for j in range(at + 2, len(tokens)):
            if tokens[j - 1] in ("dot", ".", "period", "point") and tokens[j].isalpha():
                if tokens[j] in _TLDS or (domain_end is None and 2 <= len(tokens[j]) <= 6):
                    domain_end = j + 1
        if domain_end is None or "at" in tokens[at + 1 : domain_end]:
            continue
        # Local part: back from "at" until a lead-in word, keeping at least one word.
        start = at
        while start > 0 and at - start < _MAX_LOCAL_WORDS:
            if tokens[start - 1] == "at" or (tokens[start - 1] in _LEAD_IN and start < at):
                break
            start -= 1
        local_tokens = tokens[start:at]
        while local_tokens and _join_words(local_tokens[:1]) in (".", "-", "+"):
            local_tokens = local_tokens[1:]
        if not local_tokens:
            continue
        candidate = _join_words(local_tokens) + "@" + _join_words(tokens[at + 1 : domain_end])
        if is_valid_email(candidate):
            return candidate
    return None


def extract_email(text: str) -> str | None:
    """The email address in a caller turn, literal ("jane.doe@acme.com") or spoken; lower-cased, or None."""
    literal: list[str] = _LITERAL_EMAIL.findall(text)
    for found in reversed(literal):
        cand = found.lower().strip(".")
        if is_valid_email(cand):
            return cand
    return _spoken_email(_spoken_email_tokens(text))


def normalize_email(text: str) -> str | None:
    """Normalise an address given as text or speech; None unless it forms a valid address.

    Accepts "Jane.Doe@Acme.com.", "jane dot doe at acme dot com", spelled letters ("j a n e"),
    "underscore", "dash"/"hyphen", "at the rate", and a lead-in ("my email is ...").
    """
    return extract_email(text.strip().rstrip(".,;:!?"))


# ---------------------------------------------------------------- phone numbers


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
        import phonenumbers
    except ImportError:  # pragma: no cover - phonenumbers is a core dependency
        bare = digits.lstrip("+")
        if digits.startswith("+") and 8 <= len(bare) <= 15:
            return digits
        if region == "US" and len(bare) == 10:
            return "+1" + bare
        if region == "US" and len(bare) == 11 and bare.startswith("1"):
            return "+" + bare
        return None
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return None
    # A local-only number ("555 0123", no area code) can't be dialled back from anywhere: not E.164.
    if phonenumbers.is_possible_number_with_reason(number) != phonenumbers.ValidationResult.IS_POSSIBLE:
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


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
