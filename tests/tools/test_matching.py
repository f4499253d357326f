"""The one matcher: names by spelling and sound, companies without suffixes, phones by digits."""

from __future__ import annotations

from service.tools.matching import (
    SUGGEST_AT,
    account_duplicate,
    best_match,
    first_name_matches,
    fold,
    name_score,
    person_duplicate,
    same_phone,
)

JOHN = {"FirstName": "John", "LastName": "Smith", "Company": "Acme Robotics", "Phone": "+13035550161"}


def test_fold_drops_accents_case_and_punctuation() -> None:
    """ "O'Brien-Núñez" folds to "obrien nunez"."""
    assert fold("O'Brien-Núñez") == "obrien nunez"


def test_split_and_merged_names_are_the_same_name() -> None:
    """ "Priya Nata Rajan" and "Priyanatarajan" both score 1 against "Priya Natarajan"."""
    assert name_score("Priya Nata Rajan", "Priya Natarajan") == 1.0
    assert name_score("Priyanatarajan", "Priya Natarajan") == 1.0


def test_sound_lifts_a_close_spelling_but_not_a_far_one() -> None:
    """ "Jon Smyth" is close to "John Smith"; "Zbigniew Wojcik" is not close to anyone called Smith."""
    assert name_score("Jon Smyth", "John Smith") >= SUGGEST_AT
    assert name_score("Zbigniew Wojcik", "John Smith") < SUGGEST_AT


def test_first_name_rule_takes_initials_and_nicknames_by_sound() -> None:
    """ "J" and "Jon" match "John"; "Beatrice" does not."""
    assert first_name_matches("J", "John") and first_name_matches("Jon", "John")
    assert not first_name_matches("Beatrice", "John")


def test_person_rule_needs_the_exact_last_name() -> None:
    """Fuzzy first + exact last + fuzzy company match; another last name never does."""
    jon = {"FirstName": "Jon", "LastName": "Smith", "Company": "Acme Robotics Inc."}
    assert person_duplicate(jon, JOHN) == "name and company"
    assert person_duplicate({**JOHN, "LastName": "Smyth"}, JOHN) is None


def test_a_shared_phone_alone_is_not_a_person() -> None:
    """A colleague on the same switchboard number is someone else; the same name and phone is not."""
    colleague = {"FirstName": "Rui", "LastName": "Tavares", "Company": "Other", "Phone": "(303) 555-0161"}
    assert person_duplicate(colleague, JOHN) is None
    assert person_duplicate({**JOHN, "Company": "Other", "Phone": "303.555.0161"}, JOHN) == "name and phone"


def test_phones_are_equal_on_their_last_ten_digits() -> None:
    """ "+16175550142" equals "(617) 555-0142"; short numbers never match."""
    assert same_phone("+16175550142", "(617) 555-0142")
    assert not same_phone("12", "12")


def test_account_names_ignore_legal_suffixes() -> None:
    """ "Larkspur Looms, Inc." is "Larkspur Looms"; "Larkspur Labs" is not."""
    assert account_duplicate("Larkspur Looms, Inc.", "Larkspur Looms")
    assert not account_duplicate("Larkspur Labs", "Larkspur Looms")


def test_a_name_asked_for_must_itself_match() -> None:
    """Asking for "Jon Smyth" at Acme never suggests another Acme employee on the company alone."""
    probe = {"name": "Jon Smyth", "company": "Acme Robotics"}
    colleague = {"Name": "Alice Jones", "FirstName": "Alice", "LastName": "Jones", "Company": "Acme Robotics"}
    assert best_match(probe, colleague, "Lead") is None
    match = best_match(probe, {"Name": "John Smith", **JOHN}, "Lead")
    assert match is not None and match[1] == "name"


def test_one_word_is_compared_with_each_word_of_the_name() -> None:
    """`Name LIKE '%Smyth%'` asks for one word: John Smith is close."""
    match = best_match({"name": "Smyth"}, {"Name": "John Smith", **JOHN}, "Lead")
    assert match is not None and match[0] >= SUGGEST_AT
