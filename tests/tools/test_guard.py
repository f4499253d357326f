"""The create guard: names, required fields, values normalised for Salesforce."""

from __future__ import annotations

from datetime import date

import pytest

from service.errors import RecordInvalid
from service.schema import builtin_schema
from service.tools.guard import check_required, normalize_fields, resolve_names, split_person_name

SCHEMA = builtin_schema()
LEAD = SCHEMA.get("Lead")
CONTACT = SCHEMA.get("Contact")
OPPORTUNITY = SCHEMA.get("Opportunity")
TODAY = date(2026, 11, 24)


def test_lead_without_company_names_company() -> None:
    """A Lead missing Company says to ask the caller for the company name."""
    with pytest.raises(RecordInvalid, match="Company") as info:
        check_required(LEAD, {"LastName": "Doe"})
    assert info.value.fields == ["Company"]
    assert "ask the caller" in info.value.message


def test_unknown_and_readonly_fields_are_named() -> None:
    """Fields the object doesn't have, or can't be set, are refused by name."""
    with pytest.raises(RecordInvalid) as info:
        resolve_names(LEAD, {"LastName": "Doe", "FavouriteColour": "blue", "CreatedDate": "2026-01-01"})
    assert set(info.value.fields) == {"FavouriteColour", "CreatedDate"}


def test_field_names_are_forgiven_case_and_spacing() -> None:
    """'last_name' and 'email' map onto LastName and Email; empty values are dropped."""
    assert resolve_names(LEAD, {"last_name": "Doe", "email": "a@b.co", "Title": ""}) == {
        "LastName": "Doe",
        "Email": "a@b.co",
    }


def test_spoken_email_is_normalised() -> None:
    """'jane dot doe at acme dot com' is stored as jane.doe@acme.com."""
    out = normalize_fields(LEAD, {"Email": "jane dot doe at acme dot com"}, SCHEMA, TODAY).fields
    assert out["Email"] == "jane.doe@acme.com"


def test_bad_email_is_refused() -> None:
    """Something that can't be an address is a 422 asking to read it back."""
    with pytest.raises(RecordInvalid, match="read it back"):
        normalize_fields(LEAD, {"Email": "jane at"}, SCHEMA, TODAY)


def test_phone_becomes_e164() -> None:
    """A US number in any punctuation becomes +1…"""
    assert normalize_fields(LEAD, {"Phone": "(415) 555-0198"}, SCHEMA, TODAY).fields["Phone"] == "+14155550198"


def test_picklists_match_loosely() -> None:
    """Case, spacing and synonyms find the org's value."""
    out = normalize_fields(LEAD, {"Industry": "tech", "LeadSource": "website"}, SCHEMA, TODAY).fields
    assert out == {"Industry": "Technology", "LeadSource": "Web"}
    opp = normalize_fields(
        OPPORTUNITY, {"StageName": "proposal", "CloseDate": "end of March", "Amount": "$125,000"}, SCHEMA, TODAY
    ).fields
    assert opp == {"StageName": "Proposal/Price Quote", "CloseDate": "2027-03-31", "Amount": 125000.0}


def test_full_name_is_split_for_people() -> None:
    """A Lead given Name gets FirstName and LastName."""
    assert split_person_name(CONTACT, {"Name": "Jane Q Doe"}) == {"FirstName": "Jane Q", "LastName": "Doe"}


def test_reference_to_wrong_object_is_refused() -> None:
    """AccountId holding a Contact id is refused, naming both objects."""
    with pytest.raises(RecordInvalid, match="belongs to a Contact"):
        normalize_fields(CONTACT, {"AccountId": "0035g00000AbCdE"}, SCHEMA, TODAY)


def test_contact_company_says_how_to_link_the_account() -> None:
    """Company on a Contact is refused with how to link the account instead."""
    with pytest.raises(RecordInvalid, match="AccountId") as info:
        resolve_names(CONTACT, {"LastName": "Doe", "Company": "Acme"})
    assert info.value.fields == ["Company"]


def test_address_fields_land_in_each_objects_own_address():
    """The tools' Street/City/... become MailingStreet/... on a Contact and BillingStreet/... on an Account."""
    from service.schema import builtin_schema
    from service.tools.guard import resolve_names

    schema = builtin_schema()
    body = {"LastName": "Doe", "Street": "500 Congress Avenue", "City": "Austin", "State": "TX", "PostalCode": "78701"}
    assert resolve_names(schema.get("Contact"), dict(body)) == {
        "LastName": "Doe",
        "MailingStreet": "500 Congress Avenue",
        "MailingCity": "Austin",
        "MailingState": "TX",
        "MailingPostalCode": "78701",
    }
    account = resolve_names(schema.get("Account"), {"Name": "Acme", "City": "Austin"})
    assert account == {"Name": "Acme", "BillingCity": "Austin"}
    lead = resolve_names(schema.get("Lead"), {"LastName": "Doe", "City": "Austin"})
    assert lead == {"LastName": "Doe", "City": "Austin"}
