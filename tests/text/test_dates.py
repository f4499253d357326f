"""Dates in caller text, resolved against a fixed today (Tuesday 24 November 2026)."""

from datetime import date

import pytest

from service.text import extract_date

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-06-30", date(2025, 6, 30)),
        ("next Friday", date(2026, 11, 27)),
        ("Friday next week", date(2026, 12, 4)),
        ("Monday", date(2026, 11, 30)),
        ("end of March", date(2027, 3, 31)),
        ("end of December", date(2026, 12, 31)),
        ("Q3", date(2027, 9, 30)),
        ("Q4", date(2026, 12, 31)),
        ("q three twenty twenty seven", date(2027, 9, 30)),
        ("Q3 2027", date(2027, 9, 30)),
        ("the third quarter", date(2027, 9, 30)),
        ("June 30th", date(2027, 6, 30)),
        ("the thirtieth of June", date(2027, 6, 30)),
        ("June twenty first", date(2027, 6, 21)),
        ("30 June 2027", date(2027, 6, 30)),
        ("7/15", date(2027, 7, 15)),
        ("tomorrow", date(2026, 11, 25)),
        ("today", TODAY),
        ("end of the month", date(2026, 11, 30)),
        ("end of the quarter", date(2026, 12, 31)),
        ("end of the year", date(2026, 12, 31)),
        ("in two weeks", date(2026, 12, 8)),
        ("in three months", date(2027, 2, 24)),
        ("beginning of January", date(2027, 1, 1)),
        ("sometime in May", date(2027, 5, 31)),
    ],
)
def test_extract_date(text, expected):
    """Absolute and relative dates resolve to the caller's meaning (close-date semantics)."""
    assert extract_date(text, TODAY) == expected


@pytest.mark.parametrize("text", ["", "no idea", "may I ask who is calling"])
def test_extract_date_none_without_a_date(text):
    """Text without a date (including the verb 'may') yields None."""
    assert extract_date(text, TODAY) is None


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("within three months", date(2027, 2, 24)),
        ("within a month", date(2026, 12, 24)),
        ("next quarter", date(2027, 3, 31)),
    ],
)
def test_relative_timelines_callers_use(said, expected):
    """ "within N months" counts like "in N months"; "next quarter" closes at that quarter's end."""
    assert extract_date(said, date(2026, 11, 24)) == expected
