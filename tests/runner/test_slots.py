"""Slot extraction from callers' free text."""

from __future__ import annotations

import datetime as dt

import pytest

from service.runner import slots

TODAY = dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    ("text", "email"),
    [
        ("It's jane.doe@acme.com", "jane.doe@acme.com"),
        ("jane dot doe at acme dot com", "jane.doe@acme.com"),
        ("No, it's sofia dot alvarez at lumenhealth dot com, with an f.", "sofia.alvarez@lumenhealth.com"),
        ("It's omar.haddad@haddaddental", None),
        ("I'd rather not say", None),
    ],
)
def test_extract_email(text: str, email: str | None) -> None:
    """Written and spoken emails are found; malformed ones are not accepted."""
    assert slots.extract_email(text) == email


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("I'm Priya Natarajan.", ("Priya", "Natarajan")),
        ("my name is Tom Becker", ("Tom", "Becker")),
        ("Grace Liu here", ("Grace", "Liu")),
        ("I'm Priya Nata Rajan.", ("Priya", "Nata Rajan")),
        ("uh, not sure", None),
    ],
)
def test_extract_name(text: str, name: tuple[str, str] | None) -> None:
    """First and last names from common introductions."""
    assert slots.extract_name(text) == name


def test_numbers_money_phone_dates() -> None:
    """Employees, budgets, phone numbers and timelines in the shapes callers use."""
    assert slots.words_to_number("We have about 120 employees.") == 120
    assert slots.words_to_number("two hundred fifty people") == 250
    assert slots.extract_money("Our budget is around $60,000.") == 60000
    assert (slots.extract_phone("My number is 512 555 0142.") or "").endswith("5125550142")
    assert slots.extract_date("by the end of June", TODAY) == dt.date(2027, 6, 30)
    assert slots.extract_date("by the end of September", TODAY) == dt.date(2027, 9, 30)


def test_yes_and_no() -> None:
    """Confirmation and correction are told apart."""
    assert slots.is_yes("Yes, that's right.") and not slots.is_no("Yes, that's right.")
    assert slots.is_no("No, that's not right.") and not slots.is_yes("No, that's not right.")


def test_lower_case_names_from_speech_recognition() -> None:
    """A recogniser's lower-case "i am priya natarajan" still gives a capitalised name; fillers don't."""
    assert slots.extract_name("i am priya natarajan") == ("Priya", "Natarajan")
    assert slots.extract_name("i'm with brightwave analytics") is None


def test_a_stray_recognised_word_before_a_bare_name() -> None:
    """ "Pine Tom Becker" (a misheard filler, then the name) gives Tom Becker."""
    assert slots.extract_name("Pine Tom Becker") == ("Tom", "Becker")
