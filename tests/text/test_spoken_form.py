"""spoken_form: the words a speaker says for written entities (TTS and WER)."""

import pytest

from service.text import extract_email, extract_money, extract_phone, spoken_form, wer_form


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$50,000", "fifty thousand dollars"),
        ("$19.99", "nineteen dollars and ninety nine cents"),
        ("$50k", "fifty thousand dollars"),
        ("jane.doe@acme.com", "jane dot doe at acme dot com"),
        ("j_doe2@acme.io", "j underscore doe two at acme dot io"),
        ("+14155550198", "plus one four one five five five five zero one nine eight"),
        ("+1 (415) 555-0198", "plus one four one five five five five zero one nine eight"),
        ("200 employees", "two hundred employees"),
        ("2025-06-30", "June thirtieth twenty twenty five"),
        ("15%", "fifteen percent"),
        ("the 3rd one", "the third one"),
    ],
)
def test_spoken_form(text, expected):
    """Money, emails, phones, dates and numerals become words."""
    assert spoken_form(text) == expected


def test_spoken_form_keeps_the_rest_of_the_sentence():
    """Only entities are rewritten; other words and punctuation stay."""
    said = spoken_form("Thanks, Jane! I have jane.doe@acme.com.")
    assert said == "Thanks, Jane! I have jane dot doe at acme dot com."


@pytest.mark.parametrize(
    ("sentence", "extract"),
    [
        ("My email is jane.doe@acmerobotics.com", extract_email),
        ("Call me at +14155550198", extract_phone),
        ("Our budget is $50,000", extract_money),
    ],
)
def test_spoken_form_round_trips_through_the_extractors(sentence, extract):
    """What spoken_form says, the extractor reads back to the same entity."""
    assert extract(spoken_form(sentence)) == extract(sentence) is not None


def test_wer_form_strips_punctuation_and_case():
    """wer_form lower-cases and drops punctuation after spelling entities."""
    assert wer_form("Hi, it's Jane - $200!") == "hi it's jane two hundred dollars"


def test_addresses_are_said_with_state_names_and_zip_digits():
    """A written US address is said the way a caller says it."""
    assert spoken_form("500 Congress Avenue, Austin, TX 78701") == (
        "five hundred Congress Avenue, Austin, Texas, seven eight seven zero one"
    )
