"""Speakable answers: money, dates, phones, counts, and never an id."""

from __future__ import annotations

from service.schema import builtin_schema
from service.tools.records import flatten
from service.tools.speech import say_date, say_money, say_phone, search_speech

CONTACT = builtin_schema().get("Contact")
OPPORTUNITY = builtin_schema().get("Opportunity")


def test_money_is_written_in_words() -> None:
    """Amounts read as dollars, millions shortened."""
    assert say_money(125000) == "125,000 dollars"
    assert say_money(2500000.0) == "2.5 million dollars"
    assert say_money("99.5") == "99.50 dollars"


def test_dates_are_spoken() -> None:
    """ISO dates and datetimes become 'March 31, 2026'."""
    assert say_date("2026-03-31") == "March 31, 2026"
    assert say_date("2026-03-31T10:00:00.000+0000") == "March 31, 2026"


def test_phones_are_grouped_digits() -> None:
    """E.164 US numbers read as three groups of digits."""
    assert say_phone("+14155550198") == "4 1 5, 5 5 5, 0 1 9 8"


def test_flatten_drops_attributes_and_names_lookups() -> None:
    """Attributes go; a parent with only Name becomes the name; more than Name stays an object."""
    row = {
        "attributes": {"type": "Contact"},
        "Id": "003000000000001AAA",
        "Name": "Jane Doe",
        "Account": {"attributes": {"type": "Account"}, "Name": "Acme"},
    }
    assert flatten(row) == {"Id": "003000000000001AAA", "Name": "Jane Doe", "Account": "Acme"}
    row["Account"] = {"attributes": {}, "Name": "Acme", "Type": "Customer"}
    assert flatten(row)["Account"] == {"Name": "Acme", "Type": "Customer"}


def test_search_speech_lists_people_without_ids() -> None:
    """Contacts are listed with title and company; the id is never read."""
    rows = [
        {"Id": "0035g00000AbCdEAAV", "Name": "Jane Doe", "Title": "VP of Sales", "Account": "Acme"},
        {"Id": "0035g00000AbCdFAAV", "Name": "John Roe", "Title": None, "Account": None},
    ]
    speech = search_speech(rows, 2, CONTACT)
    assert speech.startswith("I found 2 contacts: Jane Doe, VP of Sales at Acme")
    assert "John Roe" in speech
    assert "0035g" not in speech


def test_search_speech_says_showing_n_of_total() -> None:
    """More matches than rows: 'showing 10 of 37'."""
    rows = [{"Id": f"0035g00000AbC{i:02d}AAA", "Name": f"Person {i}"} for i in range(10)]
    assert "showing 10 of 37" in search_speech(rows, 37, CONTACT)


def test_search_speech_empty_suggests_what_to_try() -> None:
    """No rows: says so and what to try."""
    speech = search_speech([], 0, CONTACT)
    assert "no contacts" in speech and "Try" in speech


def test_opportunity_summary_speaks_amount_and_date() -> None:
    """An opportunity reads its stage, amount and close date for speech."""
    rows = [
        {
            "Id": "0065g00000AbCdEAAV",
            "Name": "Q1 Enterprise Deal",
            "StageName": "Prospecting",
            "Amount": 125000.0,
            "CloseDate": "2026-03-31",
        }
    ]
    speech = search_speech(rows, 1, OPPORTUNITY)
    assert "Q1 Enterprise Deal, Prospecting, 125,000 dollars, closing March 31, 2026" in speech


def test_count_query_speaks_the_total() -> None:
    """SELECT COUNT() has no rows, only a total: the speech says how many."""
    assert search_speech([], 200, CONTACT) == "There are 200 contacts matching that."


def test_grouped_rows_speak_groups_and_values() -> None:
    """GROUP BY rows read as 'value: aggregate'."""
    rows = [{"StageName": "Closed Won", "expr0": 14}, {"StageName": "Closed Lost", "expr0": 8}]
    assert search_speech(rows, 2, OPPORTUNITY) == "Here are 2 results: Closed Won: 14; and Closed Lost: 8."


def test_child_rows_are_named() -> None:
    """An account with a Contacts subquery names its contacts."""
    jane = {"Id": "0035g0000000002AAA", "Name": "Jane Doe"}
    rows = [{"Id": "0015g0000000001AAA", "Name": "Acme", "Contacts": [jane]}]
    speech = search_speech(rows, 1, builtin_schema().get("Account"))
    assert speech == "I found 1 account: Acme, with 1 contact: Jane Doe."
