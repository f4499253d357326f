"""Bad input gets Salesforce-style errors, writes nothing and never causes a 500.

Nothing here may write (each test checks that), so the module's tests share one org."""

import json

import pytest
from org_helpers import V, query


@pytest.fixture(scope="module")
def embedded_org(module_embedded_org):
    """The module's one org."""
    return module_embedded_org


def test_malformed_json(api, embedded_org):
    """Broken JSON → 400 JSON_PARSER_ERROR."""
    before = embedded_org.stats()["records"]
    r = api.post(f"{V}/sobjects/Lead/", content=b'{"LastName": "X", ', headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json()[0]["errorCode"] == "JSON_PARSER_ERROR"
    assert embedded_org.stats()["records"] == before


@pytest.mark.parametrize("body", [b"[]", b'"text"', b"", b"NaN", b"\xff\xfe", b'{"LastName": "\\ud800"}'])
def test_non_object_bodies(api, body):
    """Arrays, strings, empty and non-UTF-8 bodies → 400 JSON_PARSER_ERROR."""
    r = api.post(f"{V}/sobjects/Lead/", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json()[0]["errorCode"] == "JSON_PARSER_ERROR"


def test_ten_megabyte_body_is_refused(api, embedded_org):
    """A 10 MB body → 413 with a Salesforce-style error; nothing written."""
    before = embedded_org.stats()["records"]
    payload = json.dumps({"LastName": "X", "Company": "Y", "Description": "x" * 10_000_000}).encode()
    r = api.post(f"{V}/sobjects/Lead/", content=payload, headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json()[0]["errorCode"] == "REQUEST_ENTITY_TOO_LARGE"
    assert embedded_org.stats()["records"] == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/sobjects/Spaceship__c/describe"),
        ("POST", "/sobjects/Spaceship__c/"),
        ("GET", "/sobjects/Spaceship__c/a00B000000FSjVUIA1"),
        ("GET", "/nope"),
    ],
)
def test_unknown_object_or_resource_is_not_found(api, method, path):
    """Unknown objects and resources → 404 NOT_FOUND array."""
    r = api.request(method, f"{V}{path}", json={"Name": "x"} if method == "POST" else None)
    assert r.status_code == 404
    assert r.json() == [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]


@pytest.mark.parametrize(
    ("record_id", "status", "code"),
    [
        ("xyz", 404, "NOT_FOUND"),
        ("0035g0000000001AAB", 400, "MALFORMED_ID"),
        ("00Q5g0000000001EAA", 400, "MALFORMED_ID"),
        ("0035g00000zzzzzAAA", 404, "NOT_FOUND"),
    ],
)
def test_invalid_ids(api, record_id, status, code):
    """Non-ids, bad checksums, other objects' ids and unknown ids get Salesforce's answers."""
    r = api.get(f"{V}/sobjects/Contact/{record_id}")
    assert r.status_code == status
    assert r.json()[0]["errorCode"] == code


@pytest.mark.parametrize(
    "soql",
    [
        "",
        "SELECT",
        "SELECT FROM Lead",
        "SELECT Id FROM",
        "SELECT Id FROM Lead WHERE",
        "SELECT * FROM Lead",
        "SELECT Id FROM Lead; DELETE FROM Lead",
        "SELECT Id FROM Lead WHERE Name = 'unterminated",
        "SELECT Id FROM Lead LIMIT -1",
        "SELECT Id FROM Lead OFFSET 5000",
        "SELECT Id FROM Lead WHERE Id = 'bad'",
        "SELECT Id, (SELECT Id FROM Nothings) FROM Account",
        "SELECT Id FROM Lead WHERE Owner.Bogus = 'x'",
        "SELECT Id FROM Lead WHERE CreatedDate = LAST_N_DAYS",
        "SELECT COUNT(), Id FROM Lead",
        "SELECT Id FROM Lead GROUP BY",
        "SELECT Id FROM Lead ORDER BY",
        "SELECT Id FROM Lead WHERE Name IN ()",
        "SELECT Id FROM Lead WHERE (Name = 'a'",
        "SELECT Name FROM Lead WHERE Name LIKE '\\\\'",
        "SELECT TYPEOF Owner WHEN User THEN Name END FROM Lead",
        "SELECT Id FROM Lead WHERE Name = '\\uD800'",
        "SELECT Id FROM Lead WHERE NumberOfEmployees > 99999999999999999999999",
    ],
)
def test_bad_queries_never_500(api, embedded_org, soql):
    """Malformed or invalid SOQL → a 4xx Salesforce error array; nothing written."""
    before = embedded_org.stats()["records"]
    r = query(api, soql)
    assert 200 <= r.status_code < 500, r.text
    if r.status_code >= 400:
        assert isinstance(r.json(), list) and r.json()[0]["errorCode"]
    assert embedded_org.stats()["records"] == before


def test_unknown_query_locator(api):
    """A made-up queryMore locator → 400 INVALID_QUERY_LOCATOR."""
    r = api.get(f"{V}/query/01g5g0000000000AAA-2000")
    assert r.status_code == 400 and r.json()[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


@pytest.mark.parametrize(
    "body",
    [
        {"LastName": {"nested": True}, "Company": "Y"},
        {"LastName": ["a"], "Company": "Y"},
        {"LastName": "X", "Company": "Y", "AnnualRevenue": True},
        {"LastName": "X", "Company": "Y", "Latitude": "north"},
        {"LastName": "X", "Company": "Y", "IsUnreadByOwner": "maybe"},
        {"LastName": "X", "Company": "Y", "Id": "00Q5g0000000001EAA"},
        {"LastName": "X", "Company": "Y", "OwnerId": "001000000000000AAA"},
    ],
)
def test_bad_field_values_are_rejected(api, embedded_org, body):
    """Wrong value types → 400 with an errorCode; nothing written."""
    before = embedded_org.stats()["records"]
    r = api.post(f"{V}/sobjects/Lead/", json=body)
    assert r.status_code == 400, r.text
    assert r.json()[0]["errorCode"]
    assert embedded_org.stats()["records"] == before
