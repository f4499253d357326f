"""Phone numbers from literal and spoken caller text, in E.164."""

import pytest

from service.text import extract_phone, is_phone_text, normalize_phone, spoken_digits


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plus one four one five five five five zero one nine eight", "+14155550198"),
        ("four one five five five five oh one nine eight", "+14155550198"),
        ("four one five double five five zero one nine eight", "+14155550198"),
        ("four one five triple five zero one nine eight", "+14155550198"),
        ("four one five five five five zero one ninety eight", "+14155550198"),
        ("+1 (415) 555-0198", "+14155550198"),
        ("415-555-0198", "+14155550198"),
        ("1 415 555 0198", "+14155550198"),
        ("plus four four two zero seven nine four six zero nine five eight", "+442079460958"),
    ],
)
def test_normalize_phone_gives_e164(text, expected):
    """Spoken digits (oh, double, triple, tens) and written numbers become E.164."""
    assert normalize_phone(text) == expected


def test_normalize_phone_uses_the_region_for_national_numbers():
    """A national number is read in the given region."""
    assert normalize_phone("020 7946 0958", region="GB") == "+442079460958"


@pytest.mark.parametrize("text", ["five five five", "no phone", "", "one two three four five six seven eight nine"])
def test_normalize_phone_rejects_impossible_numbers(text):
    """Too few digits or an impossible number yields None."""
    assert normalize_phone(text) is None


def test_extract_phone_skips_the_lead_in():
    """'My phone number is ...' reads only the digits."""
    text = "My phone number is plus one four one five five five five zero one nine eight."
    assert extract_phone(text) == "+14155550198"


def test_extract_phone_ignores_cardinals_elsewhere_in_the_turn():
    """'two hundred employees' is not part of the phone number."""
    text = "We have two hundred employees and my number is four one five five five five zero one nine eight"
    assert extract_phone(text) == "+14155550198"


def test_spoken_digits_keeps_a_leading_plus():
    """'plus' before the digits is kept as '+'."""
    assert spoken_digits("plus one oh double seven") == "+1077"


def test_a_local_number_without_area_code_is_not_e164():
    """Seven digits with no area code can't be stored as an international number."""
    from service.text import normalize_phone

    assert normalize_phone("555 0123") is None
    assert normalize_phone("415 555 0123") == "+14155550123"


@pytest.mark.parametrize("text", ["call me maybe", "12", "+1 123 456 7890", "555 123 4567", "000000000000"])
def test_impossible_or_invalid_numbers_are_not_phones(text):
    """Words, too few digits, and numbers in no assigned range give None."""
    assert normalize_phone(text) is None or not is_phone_text(text)


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("my number is four one five five five five zero one nine eight", True),
        ("+44 20 7946 0958", True),
        ("(415) 555-0198", True),
        ("415 555 0198 after six", False),
        ("415 555 0198 ext 12", False),
        ("<415> 555 0198", False),
    ],
)
def test_is_phone_text_allows_only_digits_and_a_lead_in(text, phone):
    """A phone field value may carry a lead-in, but no other words or markup."""
    assert is_phone_text(text) is phone
