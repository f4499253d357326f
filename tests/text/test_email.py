"""Email addresses from literal and spoken caller text."""

import pytest

from service.text import extract_email, is_valid_email, normalize_email


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jane dot doe at acme dot com", "jane.doe@acme.com"),
        ("My email is jane dot doe at acme robotics dot com", "jane.doe@acmerobotics.com"),
        ("Jane.Doe@Acme.com.", "jane.doe@acme.com"),
        ("j a n e underscore d o e at gmail dot com", "jane_doe@gmail.com"),
        ("jane dash doe at acme dot io", "jane-doe@acme.io"),
        ("jane hyphen doe at acme dot io", "jane-doe@acme.io"),
        ("jane at the rate acme dot co dot uk", "jane@acme.co.uk"),
        ("it's jdoe at acme dot com!", "jdoe@acme.com"),
        ("jane one two three at acme dot com", "jane123@acme.com"),
        ("jane.doe at acme.com", "jane.doe@acme.com"),
    ],
)
def test_normalize_email_accepts_spoken_and_literal_forms(text, expected):
    """Spoken symbols, spelled letters and literal addresses normalise to one lower-case address."""
    assert normalize_email(text) == expected


@pytest.mark.parametrize("text", ["jane at acme", "no email", "", "at dot com", "jane@@acme.com"])
def test_normalize_email_rejects_incomplete_addresses(text):
    """Text without a complete address yields None."""
    assert normalize_email(text) is None


def test_extract_email_ignores_the_lead_in_and_trailing_words():
    """Words before the local part and after the TLD are not part of the address."""
    text = "Sorry, my email is actually jane dot doe at acme robotics dot com, thanks"
    assert extract_email(text) == "jane.doe@acmerobotics.com"


def test_extract_email_takes_the_last_address_in_a_correction():
    """When the caller corrects themselves, the later address wins."""
    assert extract_email("not jon@acme.com but jane@acme.com") == "jane@acme.com"


@pytest.mark.parametrize(
    ("address", "valid"),
    [
        ("jane.doe@acme.com", True),
        ("j_d+crm@sub.acme.co.uk", True),
        ("jane..doe@acme.com", False),
        ("jane@acme", False),
        ("jane doe@acme.com", False),
        ("@acme.com", False),
        ("jane@acme.c0m", False),
    ],
)
def test_is_valid_email(address, valid):
    """Validation wants one @, a dotted domain and an alphabetic TLD."""
    assert is_valid_email(address) is valid
