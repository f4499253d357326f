"""Checks on the record ids agents send: shape, checksum, key prefix, and a case repair.

An LLM sometimes re-cases an 18-character id ("003ABC..." → "003abc..."). The 3-character suffix
records which of the first 15 characters are upper case, so such an id can be restored exactly.
"""

from __future__ import annotations

import re

from service.errors import InputError
from service.schema import Schema
from service.schema.ids import ALPHABET as _ALPHABET
from service.schema.ids import checksum

__all__ = ["article", "canonical_id", "check_prefix", "checksum"]

_ID = re.compile(r"^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$")


def _recase(id18: str) -> str | None:
    """The id whose case the suffix describes, if the suffix is a valid one."""
    suffix = id18[15:].upper()
    if any(c not in _ALPHABET for c in suffix):
        return None
    chars = list(id18[:15])
    for i, c in enumerate(suffix):
        bits = _ALPHABET.index(c)
        for j in range(5):
            k = i * 5 + j
            chars[k] = chars[k].upper() if bits & (1 << j) else chars[k].lower()
    fixed = "".join(chars)
    return fixed + suffix if checksum(fixed) == suffix else None


def canonical_id(value: str) -> str:
    """The 18-character form of `value`, repairing letter case; raises `InputError` when it is no id."""
    value = value.strip()
    if not _ID.match(value):
        raise InputError(
            "That doesn't look like a Salesforce record id: ids are 15 or 18 letters and digits, "
            "copied exactly from a search result.",
            fields=["record_id"],
        )
    if len(value) == 15:
        return value + checksum(value)
    if value[15:] == checksum(value[:15]):
        return value
    fixed = _recase(value)
    if fixed is None:
        raise InputError(
            "That record id looks mistyped (its checksum doesn't match); use the Id exactly as the search returned it.",
            fields=["record_id"],
        )
    return fixed


def check_prefix(record_id: str, object_name: str, schema: Schema) -> None:
    """Raise `InputError` naming the right object when `record_id` belongs to another one."""
    sobject = schema.get(object_name)
    if sobject is None or not sobject.key_prefix or record_id[:3] == sobject.key_prefix:
        return
    owner = schema.by_key_prefix(record_id[:3])
    if owner is not None:
        raise InputError(
            f"That id belongs to {article(owner.name)} {owner.name}, not {article(sobject.name)} {sobject.name}: "
            f"get it as {owner.name} instead.",
            fields=["object_type", "record_id"],
        )
    raise InputError(
        f"That id is not a {sobject.name} id ({sobject.name} ids start with {sobject.key_prefix}).",
        fields=["record_id"],
    )


def article(word: str) -> str:
    """ "a" or "an" before `word`."""
    return "an" if word[:1].lower() in "aeiou" else "a"
