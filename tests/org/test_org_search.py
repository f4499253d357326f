"""SOSL (`/search`) and parameterizedSearch on the running org over HTTP."""

from typing import Any

import httpx2

from tests.org.org_helpers import V


def search(api: httpx2.Client, sosl: str) -> httpx2.Response:
    """GET /search?q=…"""
    return api.get(f"{V}/search", params={"q": sosl})


def names(r: httpx2.Response) -> list[str]:
    """The Name of every search record."""
    assert r.status_code == 200, r.text
    found: list[dict[str, Any]] = r.json()["searchRecords"]
    return [rec["Name"] for rec in found]


def test_find_returns_search_records_with_attributes(api) -> None:
    """FIND {Jane} RETURNING Contact(Name, Email) answers searchRecords with attributes."""
    r = search(api, "FIND {Jane} IN NAME FIELDS RETURNING Contact(Name, Email)")
    [record] = r.json()["searchRecords"]
    assert list(record) == ["attributes", "Name", "Email"]
    assert record["attributes"]["type"] == "Contact" and record["Name"] == "Jane Doe"


def test_terms_match_words_not_substrings(api) -> None:
    """`Jan` does not match Jane (words, not substrings); `Ja*` does."""
    assert names(search(api, "FIND {Jan} RETURNING Contact(Name)")) == []
    assert "Jane Doe" in names(search(api, "FIND {Ja*} RETURNING Contact(Name)"))


def test_apostrophes_and_hyphens_split_words(api) -> None:
    """O'Brien is found as O'Brien and as Brien (its words), not as Bri."""
    assert names(search(api, "FIND {O'Brien} RETURNING Contact(Name)")) == ["Conor O'Brien"]
    assert names(search(api, "FIND {Brien} RETURNING Contact(Name)")) == ["Conor O'Brien"]
    assert names(search(api, "FIND {Bri} RETURNING Contact(Name)")) == []


def test_question_mark_matches_one_character(api) -> None:
    """`J?ne` matches Jane."""
    assert "Jane Doe" in names(search(api, "FIND {J?ne} RETURNING Contact(Name)"))


def test_phone_search_matches_on_digits(api) -> None:
    """A phone stored as +12125550001 is found as (212) 555-0001, 212-555-0001 and +12125550001."""
    for term in ("(212) 555-0001", "212-555-0001", "+12125550001"):
        assert names(search(api, f"FIND {{{term}}} IN PHONE FIELDS RETURNING Contact(Name)")) == ["Jane Doe"]


def test_phone_stored_with_punctuation_matches_e164(api) -> None:
    """A lead stored as "(617) 555-0142" is found by +16175550142 and 617-555-0142."""
    created = api.post(
        f"{V}/sobjects/Lead/", json={"LastName": "Phoneson", "Company": "Dial Co", "Phone": "(617) 555-0142"}
    )
    assert created.status_code == 201
    for term in ("+16175550142", "617-555-0142"):
        assert names(search(api, f"FIND {{{term}}} IN PHONE FIELDS RETURNING Lead(Name)")) == ["Phoneson"]


def test_email_fields_scope(api) -> None:
    """IN EMAIL FIELDS finds the whole address; IN PHONE FIELDS does not look at emails."""
    assert names(search(api, "FIND {jane.doe@acme.com} IN EMAIL FIELDS RETURNING Contact(Name)")) == ["Jane Doe"]
    assert names(search(api, "FIND {jane.doe@acme.com} IN PHONE FIELDS RETURNING Contact(Name)")) == []


def test_returning_where_order_limit(api) -> None:
    """RETURNING Obj(fields WHERE … ORDER BY … LIMIT n) filters, sorts and limits like SOQL."""
    r = search(api, "FIND {Doe OR Customer} RETURNING Contact(Name WHERE Email != null ORDER BY Name DESC LIMIT 1)")
    assert names(r) == ["Jane Doe"]


def test_search_without_returning_gives_ids(api) -> None:
    """Without RETURNING every searchable object answers with attributes and Id."""
    [record] = search(api, "FIND {Jane}").json()["searchRecords"]
    assert list(record) == ["attributes", "Id"] and record["Id"].startswith("003")


def test_new_and_updated_records_are_searchable(api) -> None:
    """A created record is found; after an update it is found by its new name only."""
    rid = api.post(f"{V}/sobjects/Lead/", json={"LastName": "Zebulon", "Company": "Zoo"}).json()["id"]
    assert names(search(api, "FIND {Zebulon} RETURNING Lead(Name)")) == ["Zebulon"]
    assert api.patch(f"{V}/sobjects/Lead/{rid}", json={"LastName": "Quillon"}).status_code == 204
    assert names(search(api, "FIND {Zebulon} RETURNING Lead(Name)")) == []
    assert names(search(api, "FIND {Quillon} RETURNING Lead(Name)")) == ["Quillon"]


def test_search_errors(api) -> None:
    """No braces → MALFORMED_SEARCH; one character → INVALID_SEARCH; unknown object → INVALID_TYPE."""
    cases = {
        "FIND Jane": "MALFORMED_SEARCH",
        "FIND {a}": "INVALID_SEARCH",
        "FIND {Jane} RETURNING Nope": "INVALID_TYPE",
        "FIND {Jane} RETURNING Contact(Nmae)": "INVALID_FIELD",
        "FIND {Jane} IN BOGUS FIELDS": "MALFORMED_SEARCH",
    }
    for sosl, code in cases.items():
        r = search(api, sosl)
        assert (r.status_code, r.json()[0]["errorCode"]) == (400, code), sosl


def test_parameterized_search_get_and_post(api) -> None:
    """parameterizedSearch takes plain text with sobject/fields over GET and JSON over POST."""
    got = api.get(f"{V}/parameterizedSearch", params={"q": "Jane", "sobject": "Contact", "Contact.fields": "Id,Name"})
    assert names(got) == ["Jane Doe"]
    body = {"q": "Jane", "in": "NAME", "sobjects": [{"name": "Contact", "fields": ["Name"], "limit": 5}]}
    assert names(api.post(f"{V}/parameterizedSearch", json=body)) == ["Jane Doe"]
