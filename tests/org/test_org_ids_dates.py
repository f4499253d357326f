"""Record ids (checksum suffix) and SOQL date-literal ranges."""

from datetime import UTC, date, datetime

import pytest

from service.org import ids
from service.org.dates import bounds_utc, date_range


def test_to18_matches_real_ids():
    """The suffix algorithm reproduces ids recorded from real orgs."""
    assert ids.to18("0031a0000063xff") == "0031a0000063xffAAA"
    assert ids.to18("00D1a000000H3O9") == "00D1a000000H3O9EAK"
    assert ids.to18("001B000001PUvQU") == "001B000001PUvQUIA1"


def test_normalize_accepts_15_and_18_and_rejects_bad_checksums():
    """15-character ids gain their suffix; a wrong suffix or shape is refused."""
    assert ids.normalize("0031a0000063xff") == "0031a0000063xffAAA"
    assert ids.normalize("0031a0000063xffaaa") == "0031a0000063xffAAA"
    assert ids.normalize("a00B000000FSjVUIB1") is None
    assert ids.normalize("not-an-id") is None


def test_made_ids_have_prefix_and_valid_suffix():
    """Generated ids carry the object's key prefix and a correct suffix, and encode their number."""
    record_id = ids.make_id("00Q", 12345)
    assert record_id.startswith("00Q") and len(record_id) == 18
    assert ids.normalize(record_id) == record_id
    assert ids.number_of(record_id) == 12345


WEDNESDAY = date(2025, 1, 15)


@pytest.mark.parametrize(
    ("name", "n", "expected"),
    [
        ("TODAY", None, (date(2025, 1, 15), date(2025, 1, 16))),
        ("YESTERDAY", None, (date(2025, 1, 14), date(2025, 1, 15))),
        ("THIS_WEEK", None, (date(2025, 1, 12), date(2025, 1, 19))),
        ("LAST_MONTH", None, (date(2024, 12, 1), date(2025, 1, 1))),
        ("THIS_QUARTER", None, (date(2025, 1, 1), date(2025, 4, 1))),
        ("LAST_N_DAYS", 1, (date(2025, 1, 14), date(2025, 1, 16))),
        ("NEXT_N_DAYS", 2, (date(2025, 1, 16), date(2025, 1, 18))),
        ("N_DAYS_AGO", 3, (date(2025, 1, 12), date(2025, 1, 13))),
        ("LAST_N_MONTHS", 2, (date(2024, 11, 1), date(2025, 1, 1))),
        ("THIS_FISCAL_YEAR", None, (date(2025, 1, 1), date(2026, 1, 1))),
    ],
)
def test_date_literal_ranges(name, n, expected):
    """Each literal covers the documented half-open range of days (weeks start on Sunday)."""
    assert date_range(name, n, WEDNESDAY) == expected


def test_ranges_use_the_org_time_zone():
    """Local midnight in the org's zone becomes the UTC bound for datetime fields."""
    start, end = bounds_utc(date(2025, 1, 15), date(2025, 1, 16), "America/New_York")
    assert start == datetime(2025, 1, 15, 5, tzinfo=UTC)
    assert end == datetime(2025, 1, 16, 5, tzinfo=UTC)
