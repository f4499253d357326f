"""Record id checks: shape, checksum, case repair, key prefix."""

from __future__ import annotations

import pytest

from service.errors import InputError
from service.schema import builtin_schema
from service.tools.ids import canonical_id, check_prefix, checksum

ID15 = "0035g00000AbCdE"
ID18 = ID15 + checksum(ID15)


def test_fifteen_characters_become_eighteen() -> None:
    """A 15-character id gets its case-safe suffix."""
    assert canonical_id(ID15) == ID18


def test_recased_id_is_repaired() -> None:
    """An 18-character id whose letters lost their case is restored from the suffix."""
    assert canonical_id(ID18.lower()) == ID18


def test_bad_checksum_is_refused() -> None:
    """An id whose suffix can't be a checksum is an input error, not a lookup."""
    broken = ID15 + "999"
    with pytest.raises(InputError, match="mistyped"):
        canonical_id(broken)


def test_not_an_id_is_refused() -> None:
    """Words are not ids."""
    with pytest.raises(InputError, match="doesn't look like"):
        canonical_id("Jane Doe")


def test_wrong_object_is_named() -> None:
    """A Contact id asked for as a Lead says it belongs to a Contact."""
    with pytest.raises(InputError, match="belongs to a Contact, not a Lead"):
        check_prefix(ID18, "Lead", builtin_schema())
