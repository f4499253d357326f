"""Create/update validation with Salesforce's error codes, defaults, the duplicate rule, get by id."""

import pytest
from org_helpers import V, records


@pytest.mark.parametrize(
    ("obj", "body", "code", "fields"),
    [
        ("Lead", {"LastName": "X"}, "REQUIRED_FIELD_MISSING", ["Company"]),
        ("Contact", {"FirstName": "X"}, "REQUIRED_FIELD_MISSING", ["LastName"]),
        ("Account", {"Website": "x.com"}, "REQUIRED_FIELD_MISSING", ["Name"]),
        ("Opportunity", {"Name": "Deal"}, "REQUIRED_FIELD_MISSING", ["StageName", "CloseDate"]),
        ("Lead", {"LastName": "X", "Company": "Y", "Email": "not an email"}, "INVALID_EMAIL_ADDRESS", ["Email"]),
        ("Lead", {"LastName": "X" * 81, "Company": "Y"}, "STRING_TOO_LONG", ["LastName"]),
        (
            "Lead",
            {"LastName": "X", "Company": "Y", "NumberOfEmployees": "many"},
            "INVALID_TYPE_ON_FIELD_IN_RECORD",
            ["NumberOfEmployees"],
        ),
        (
            "Opportunity",
            {"Name": "D", "StageName": "Prospecting", "CloseDate": "soon"},
            "INVALID_TYPE_ON_FIELD_IN_RECORD",
            ["CloseDate"],
        ),
        ("Account", {"Name": "A", "CleanStatus": "Shiny"}, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", ["CleanStatus"]),
        (
            "Lead",
            {"LastName": "X", "Company": "Y", "PhotoUrl": "/x.png"},
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            ["PhotoUrl"],
        ),
        ("Contact", {"LastName": "X", "AccountId": "not-an-id"}, "MALFORMED_ID", ["AccountId"]),
    ],
)
def test_create_validation_errors(api, embedded_org, obj, body, code, fields):
    """Invalid creates answer 400 with Salesforce's errorCode and fields, and write nothing."""
    before = embedded_org.stats()["records"]
    r = api.post(f"{V}/sobjects/{obj}/", json=body)
    assert r.status_code == 400
    [err] = r.json()
    assert (err["errorCode"], err["fields"]) == (code, fields)
    assert embedded_org.stats()["records"] == before


def test_unknown_field_is_invalid_field(api):
    """An unknown field in a create → INVALID_FIELD naming it."""
    r = api.post(f"{V}/sobjects/Lead/", json={"LastName": "X", "Company": "Y", "FavoritePet__c": "cat"})
    assert r.status_code == 400
    assert r.json() == [
        {"message": "No such column 'FavoritePet__c' on sobject of type Lead", "errorCode": "INVALID_FIELD"}
    ]


def test_create_applies_defaults(api):
    """Status, OwnerId, audit fields and Name are filled in on create."""
    lead_id = api.post(
        f"{V}/sobjects/Lead/", json={"FirstName": "Ada", "LastName": "Lovelace", "Company": "Engines"}
    ).json()["id"]
    lead = api.get(f"{V}/sobjects/Lead/{lead_id}").json()
    assert lead["Status"] == "Open - Not Contacted"
    assert lead["Name"] == "Ada Lovelace"
    assert lead["OwnerId"].startswith("005") and lead["CreatedById"] == lead["OwnerId"]
    assert lead["CreatedDate"].endswith("+0000") and lead["IsDeleted"] is False


def test_duplicate_email_is_detected_unless_allow_save(api):
    """Same last name and email (any case) → DUPLICATES_DETECTED (`duplicateResut`); allowSave=true saves."""
    r = api.post(f"{V}/sobjects/Contact/", json={"LastName": "Doe", "Email": "Jane.Doe@ACME.com"})
    assert r.status_code == 400
    [err] = r.json()
    assert err["errorCode"] == "DUPLICATES_DETECTED"
    match = err["duplicateResut"]["matchResults"][0]["matchRecords"][0]["record"]
    [jane] = records(api, "SELECT Id FROM Contact WHERE Email = 'jane.doe@acme.com'")
    assert match["Id"] == jane["Id"]
    saved = api.post(
        f"{V}/sobjects/Contact/",
        json={"LastName": "Doe", "Email": "jane.doe@acme.com"},
        headers={"Sforce-Duplicate-Rule-Header": "allowSave=true"},
    )
    assert saved.status_code == 201


def test_get_with_fields_parameter(api):
    """?fields=A,B returns only those fields after attributes."""
    [jane] = records(api, "SELECT Id FROM Contact WHERE Email = 'jane.doe@acme.com'")
    r = api.get(f"{V}/sobjects/Contact/{jane['Id']}", params={"fields": "email,LastName"})
    assert list(r.json()) == ["attributes", "Email", "LastName"]


def test_get_returns_all_fields_with_compound_address(api):
    """A full GET lists every describe field, addresses as objects or null."""
    [acme] = records(api, "SELECT Id FROM Account WHERE Name = 'Acme Corporation'")
    record = api.get(f"{V}/sobjects/Account/{acme['Id']}").json()
    describe = api.get(f"{V}/sobjects/Account/describe").json()
    assert list(record)[1:] == [f["name"] for f in describe["fields"]]
    assert record["BillingAddress"]["city"] == record["BillingCity"]
    assert record["ShippingAddress"] is None


def test_update_changes_fields_and_name(api):
    """PATCH updates fields (and the computed Name) → 204."""
    [jane] = records(api, "SELECT Id FROM Contact WHERE Email = 'jane.doe@acme.com'")
    r = api.patch(f"{V}/sobjects/Contact/{jane['Id']}", json={"LastName": "Smith", "Title": "CTO"})
    assert r.status_code == 204
    record = api.get(f"{V}/sobjects/Contact/{jane['Id']}").json()
    assert (record["Name"], record["Title"]) == ("Jane Smith", "CTO")


def test_update_cannot_clear_a_required_field(api):
    """PATCH LastName=null → REQUIRED_FIELD_MISSING."""
    [jane] = records(api, "SELECT Id FROM Contact WHERE Email = 'jane.doe@acme.com'")
    r = api.patch(f"{V}/sobjects/Contact/{jane['Id']}", json={"LastName": None})
    assert r.status_code == 400 and r.json()[0]["errorCode"] == "REQUIRED_FIELD_MISSING"


def test_reference_to_missing_record(api):
    """A well-formed id that matches no record → INVALID_CROSS_REFERENCE_KEY."""
    r = api.post(f"{V}/sobjects/Contact/", json={"LastName": "X", "AccountId": "001000000000000AAA"})
    assert r.status_code == 400 and r.json()[0]["errorCode"] == "INVALID_CROSS_REFERENCE_KEY"
