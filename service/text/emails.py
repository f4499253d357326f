"""Email addresses from caller text, written or spoken, checked by `email-validator` and the real TLDs.

"jane dot doe at acme robotics dot com" → "jane.doe@acmerobotics.com"; "Émile@Exämple.com" →
"émile@exämple.com". Syntax (and internationalised addresses) is `email-validator`'s, with
`check_deliverability=False`: no DNS on the call path. A top-level domain must be on the Public
Suffix List snapshot that `tldextract` ships, read offline (`suffix_list_urls=()`, no disk cache), or
be `example`, which RFC 2606 reserves for documentation and so is never delegated. Written here by
hand is only what no library does: reading the spoken form ("at", "dot", spelled letters).

`extract_email` is lenient (a caller turn: lead-ins and trailing words are skipped);
`normalize_email` is faithful (a field value: nothing but lead-in words may be left out).
"""

from __future__ import annotations

import re
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email

from service.text.numbers import UNITS

_RESERVED_TLDS = frozenset({"example"})  # RFC 2606: for documentation, never in the root zone
_LITERAL = re.compile(r"[^\s@<>()\[\],;:\"]+@[^\s@<>()\[\],;:\"]+\.[^\W\d_]{2,63}")
_SYMBOLS = {"dot": ".", "period": ".", "point": ".", "underscore": "_", "dash": "-", "hyphen": "-", "plus": "+"}
_DOTS = frozenset({"dot", ".", "period", "point"})
# Words that end the local part when reading backwards from "at" (lead-in phrases, fillers).
_LEAD_IN = frozenset(
    """is email mail address it's its it me my reach use that's thats to the send sorry actually no
    correction should be instead yes yeah so um uh okay ok oops meant mean said was wrong right correct
    sure new of on at and write please from for with""".split()
)
_MAX_LOCAL_WORDS = 12
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*|[._+-]")
_SPOKEN_CHARS = re.compile(r"[\w\s'.+,:-]*")  # anything else in a spoken value would be dropped


@lru_cache(maxsize=1)
def top_level_domains() -> frozenset[str]:
    """Every top-level domain on the bundled Public Suffix List (ASCII and IDNA forms), plus `example`."""
    import tldextract  # loaded on first use: no import-time work

    extractor = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=False)
    names = {suffix.rsplit(".", 1)[-1].lower() for suffix in extractor.tlds}
    encoded = set()
    for name in names:
        try:
            encoded.add(name.encode("idna").decode("ascii"))
        except UnicodeError:
            continue
    return frozenset(names | encoded | _RESERVED_TLDS)


def validated_email(candidate: str) -> str | None:
    """`candidate` lower-cased if it is a valid address with a real top-level domain, else None."""
    if len(candidate) > 254:
        return None
    try:
        result = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError:
        return None
    if result.ascii_domain.rsplit(".", 1)[-1].lower() not in top_level_domains():
        return None
    return str(result.normalized).lower()


def storable_email(address: str) -> str | None:
    """The address in the ASCII form Salesforce's email fields hold (IDNA domain), or None when the
    local part itself is not ASCII (`émile@…` has no ASCII spelling that means the same)."""
    try:
        result = validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return None
    return str(result.ascii_email).lower() if result.ascii_email else None


def is_valid_email(address: str) -> bool:
    """A valid address as written: syntax by email-validator, a real top-level domain."""
    return validated_email(address) is not None


def _tokens(text: str) -> list[str]:
    text = text.lower().replace("\u2019", "'")
    text = re.sub(r"\bat the rate(?: of)?\b|\bat sign\b|\bat symbol\b|@", " at ", text)
    text = re.sub(r"\be[- ]mail\b", " email ", text)
    return _TOKEN.findall(text)


def _join(tokens: list[str]) -> str:
    out = []
    for tok in tokens:
        if tok in _SYMBOLS:
            out.append(_SYMBOLS[tok])
        elif tok in UNITS:
            out.append(str(UNITS[tok]))
        else:
            out.append(tok.replace("'", ""))
    return "".join(out)


def _domain_end(tokens: list[str], at: int) -> int | None:
    """Where the domain after `at` ends: the last real TLD of its first run of "dot" labels."""
    first_dot = next((j for j in range(at + 2, len(tokens)) if tokens[j] in _DOTS), None)
    if first_dot is None or "at" in tokens[at + 1 : first_dot]:
        return None
    end = None
    j = first_dot + 1
    while j < len(tokens) and tokens[j] not in _DOTS and tokens[j] != "at" and len(tokens[j]) > 1:
        if tokens[j] in top_level_domains():
            end = j + 1
        if j + 2 < len(tokens) and tokens[j + 1] in _DOTS:
            j += 2
        else:
            break
    return end


def _spoken(tokens: list[str]) -> tuple[str, int, int] | None:
    """(address, first token, end token) read from "<local> at <domain> dot <tld>", last "at" first."""
    for at in reversed([i for i, t in enumerate(tokens) if t == "at"]):
        end = _domain_end(tokens, at)
        if end is None:
            continue
        start = at
        while start > 0 and at - start < _MAX_LOCAL_WORDS:
            if tokens[start - 1] == "at" or (tokens[start - 1] in _LEAD_IN and start < at):
                break
            start -= 1
        while start < at and _join(tokens[start : start + 1]) in (".", "-", "+"):
            start += 1
        if start == at:
            continue
        found = validated_email(_join(tokens[start:at]) + "@" + _join(tokens[at + 1 : end]))
        if found is not None:
            return found, start, end
    return None


def extract_email(text: str) -> str | None:
    """The email address in a caller turn, written ("jane.doe@acme.com") or spoken; lower-cased, or None."""
    for found in reversed(_LITERAL.findall(text)):
        address = validated_email(found.strip("."))
        if address is not None:
            return address
    spoken = _spoken(_tokens(text))
    return spoken[0] if spoken else None


def normalize_email(text: str) -> str | None:
    """A field value as an address, changed only in case and from spoken to written form; else None.

    Accepts "Jane.Doe@Acme.com.", "jane dot doe at acme dot com", spelled letters ("j a n e"),
    "underscore", "dash"/"hyphen", "at the rate", and a lead-in ("my email is ..."). Refuses what
    would lose part of the value: "john smith@gmail.com", "<script>@x.com", trailing words.
    """
    text = text.strip().rstrip(".,;:!?").strip()
    if "@" in text:
        *lead, address = text.split()
        if any(word.lower().strip(",:") not in _LEAD_IN for word in lead):
            return None  # "john smith@gmail.com": a word before the address could be part of it
        return validated_email(address)
    if not _SPOKEN_CHARS.fullmatch(text):
        return None
    tokens = _tokens(text)
    spoken = _spoken(tokens)
    if spoken is None:
        return None
    address, start, end = spoken
    if end != len(tokens) or any(t not in _LEAD_IN for t in tokens[:start]):
        return None
    return address
