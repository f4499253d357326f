"""Numbers, money and keyword-tied counts in caller text."""

from decimal import Decimal

import pytest

from service.text import extract_money, extract_number_after, number_to_words, parse_number, words_to_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("two hundred", 200),
        ("fifty thousand", 50_000),
        ("1.5 million", 1_500_000),
        ("one point five million", 1_500_000),
        ("two hundred and fifty thousand", 250_000),
        ("a hundred", 100),
        ("50,000", 50_000),
        ("50k", 50_000),
        ("twenty five", 25),
        ("about two hundred employees", 200),
        ("nineteen", 19),
        ("zero", 0),
    ],
)
def test_words_to_number(text, expected):
    """Spoken and written cardinals become ints."""
    assert words_to_number(text) == expected


@pytest.mark.parametrize("text", ["", "no numbers here", "oh really"])
def test_words_to_number_none_without_a_number(text):
    """Text without a number yields None."""
    assert words_to_number(text) is None


def test_digit_runs_are_not_summed():
    """'four one five' is three numbers, not 10."""
    assert words_to_number("four one five") == 4


def test_parse_number_keeps_fractions():
    """parse_number returns a Decimal with the fraction."""
    assert parse_number("two point five") == Decimal("2.5")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$50,000", Decimal(50_000)),
        ("fifty thousand dollars", Decimal(50_000)),
        ("50k", Decimal(50_000)),
        ("our budget is about $1.5 million", Decimal(1_500_000)),
        ("$19.99", Decimal("19.99")),
        ("nineteen dollars and ninety nine cents", Decimal("19.99")),
        ("fifty grand", Decimal(50_000)),
        ("we have 200 people and a 50k budget", Decimal(50_000)),
        ("fifty thousand", Decimal(50_000)),
    ],
)
def test_extract_money(text, expected):
    """Money marked by $, dollars, k or grand (else the largest number) becomes a Decimal."""
    assert extract_money(text) == expected


def test_extract_money_none_without_numbers():
    """No number, no money."""
    assert extract_money("we have no budget yet") is None


@pytest.mark.parametrize(
    ("text", "keywords", "expected"),
    [
        ("We have about two hundred employees and want a CRM", ["employees"], 200),
        ("employees: 350", ["employee"], 350),
        ("200 employees and a budget of 50k", ["budget"], 50_000),
        ("200 employees and a budget of 50k", ["employees"], 200),
        ("our head count is about forty", ["head count", "headcount"], 40),
        ("the budget is fifty thousand dollars", ["budget"], 50_000),
    ],
)
def test_extract_number_after(text, keywords, expected):
    """The number nearest a keyword (after it, or just before) is the one returned."""
    assert extract_number_after(text, keywords) == expected


def test_extract_number_after_none_without_keyword():
    """No keyword in the text gives None even when numbers exist."""
    assert extract_number_after("two hundred people", ["budget"]) is None


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (0, "zero"),
        (15, "fifteen"),
        (200, "two hundred"),
        (50_000, "fifty thousand"),
        (1_234_567, "one million two hundred thirty four thousand five hundred sixty seven"),
        (Decimal("1.5"), "one point five"),
    ],
)
def test_number_to_words(value, words):
    """Numbers spell out the way a TTS should say them."""
    assert number_to_words(value) == words


@pytest.mark.parametrize("n", [0, 7, 13, 40, 99, 100, 250, 1001, 50_000, 123_456, 2_000_000])
def test_number_words_round_trip(n):
    """Spelling a number and reading it back gives the same number."""
    assert words_to_number(number_to_words(n)) == n
