"""Conformance with recorded real-org traffic (../shared/salesforce-recordings): same status, same JSON shape."""

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from org_helpers import V, assert_same_shape, query

from service.org.ids import to18

LIMIT_INFO = re.compile(r"^api-usage=\d+/\d+$")


@pytest.fixture(scope="module")
def recordings(shared_dir: Path) -> Path:
    return Path(shared_dir) / "salesforce-recordings"


def wiremock(recordings: Path, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    data = json.loads((recordings / "wiremock" / name).read_text())
    return data["request"], data["response"]


def recorded_body(response: dict[str, Any]) -> Any:
    return json.loads(response["body"]) if response.get("body") else None


def vcr(recordings: Path, name: str) -> list[dict[str, Any]]:
    data = yaml.safe_load((recordings / "vcr" / name).read_text())
    items: list[dict[str, Any]] = data.get("interactions") or data.get("http_interactions")
    return [i for i in items if "request" in i]


def vcr_status(item: dict[str, Any]) -> int:
    return int(item["response"]["status"]["code"])


def vcr_body(item: dict[str, Any]) -> Any:
    return json.loads(item["response"]["body"]["string"])


@pytest.mark.parametrize("name", ["query.json", "query-with-associated-data.json", "query-with-subquery.json"])
def test_recorded_queries_have_the_same_shape(api, recordings, name):
    """Plain, parent-relationship and child-subquery queries answer like the recorded org."""
    request, response = wiremock(recordings, name)
    r = api.get(request["urlPath"], params={"q": request["queryParameters"]["q"]["equalTo"]})
    assert r.status_code == response["status"]
    assert LIMIT_INFO.match(r.headers["Sforce-Limit-Info"])
    assert_same_shape(r.json(), recorded_body(response))


def test_query_more_page_has_the_same_shape(api, embedded_org, recordings):
    """A middle queryMore page carries totalSize, done=false, nextRecordsUrl and records."""
    _, response = wiremock(recordings, "query-with-next-records-url-2.json")
    recorded = recorded_body(response)
    renamed = {"RANDOM_1__c": "FirstName", "RANDOM_2__c": "LastName"}
    recorded["records"] = [{renamed.get(k, k): v for k, v in rec.items()} for rec in recorded["records"]]
    lead = embedded_org.state.schema.get("Lead")
    embedded_org.state.store.insert_many(
        lead, [{"LastName": f"Extra {i}", "Company": "X", "IsDeleted": False} for i in range(401)]
    )
    first = query(api, "SELECT FirstName, LastName FROM Lead", **{"Sforce-Query-Options": "batchSize=200"}).json()
    assert (first["totalSize"], first["done"], len(first["records"])) == (601, False, 200)
    assert first["nextRecordsUrl"].endswith("-200")
    second = api.get(first["nextRecordsUrl"])
    assert second.status_code == 200
    assert_same_shape(second.json(), recorded)
    third = api.get(second.json()["nextRecordsUrl"]).json()
    last = api.get(third["nextRecordsUrl"]).json()
    assert (last["done"], len(last["records"]), "nextRecordsUrl" in last) == (True, 1, False)


@pytest.mark.parametrize("name", ["query-unknown-column.json", "query-malformed-soql.json"])
def test_query_errors_match_the_recording_exactly(api, recordings, name):
    """INVALID_FIELD (with the caret message) and MALFORMED_QUERY bodies are the recorded ones."""
    request, response = wiremock(recordings, name)
    r = api.get(request["urlPath"], params={"q": request["queryParameters"]["q"]["equalTo"]})
    assert r.status_code == response["status"]
    assert r.json() == recorded_body(response)


def test_create_answers_201_with_location_and_limit_info(api, recordings):
    """Create: 201, Location under the request's version, Sforce-Limit-Info, {id, success, errors}."""
    _, response = wiremock(recordings, "create.json")
    r = api.post("/services/data/v53.0/sobjects/Lead", json={"LastName": "Skywalker", "Company": "Rebels"})
    assert r.status_code == response["status"] == 201
    assert r.headers["Location"] == f"/services/data/v53.0/sobjects/Lead/{r.json()['id']}"
    assert LIMIT_INFO.match(r.headers["Sforce-Limit-Info"])
    assert_same_shape(r.json(), recorded_body(response))


@pytest.mark.parametrize(
    ("name", "path", "body"),
    [
        ("create-required-field-missing.json", "Lead", {"LastName": "Falcon 9"}),
        ("create-invalid-picklist-value.json", "Account", {"Name": "Jedi", "CleanStatus": "Terrible"}),
    ],
)
def test_create_errors_have_the_recorded_shape(api, recordings, name, path, body):
    """REQUIRED_FIELD_MISSING and restricted-picklist errors: status, errorCode, keys incl. fields."""
    _, response = wiremock(recordings, name)
    r = api.post(f"/services/data/v53.0/sobjects/{path}", json=body)
    assert r.status_code == response["status"]
    assert r.json()[0]["errorCode"] == recorded_body(response)[0]["errorCode"]
    assert_same_shape(r.json(), recorded_body(response))


def test_delete_then_delete_again_matches_recordings(api, recordings):
    """DELETE → 204 with Sforce-Limit-Info; again → 404 ENTITY_IS_DELETED, body as recorded."""
    _, ok = wiremock(recordings, "delete.json")
    _, gone = wiremock(recordings, "delete-already-deleted.json")
    account_id = api.post(f"{V}/sobjects/Account/", json={"Name": "To delete"}).json()["id"]
    first = api.delete(f"/services/data/v53.0/sobjects/Account/{account_id}")
    assert first.status_code == ok["status"] == 204
    assert first.content == b""
    assert LIMIT_INFO.match(first.headers["Sforce-Limit-Info"])
    again = api.delete(f"/services/data/v53.0/sobjects/Account/{account_id}")
    assert again.status_code == gone["status"]
    assert again.json() == recorded_body(gone)


def test_update_and_malformed_id_match_recordings(api, recordings):
    """PATCH → 204; an id with a wrong checksum → 400 MALFORMED_ID as recorded."""
    _, ok = wiremock(recordings, "update.json")
    _, bad = wiremock(recordings, "update-malformed-id.json")
    account_id = api.post(f"{V}/sobjects/Account/", json={"Name": "To update"}).json()["id"]
    assert api.patch(f"/services/data/v53.0/sobjects/Account/{account_id}", json={"Site": "HQ"}).status_code == 204
    assert ok["status"] == 204
    wrong = account_id[:15] + ("AAB" if account_id[15:] != "AAB" else "AAC")
    r = api.patch(f"/services/data/v53.0/sobjects/Account/{wrong}", json={"Site": "HQ"})
    assert r.status_code == bad["status"]
    recorded = recorded_body(bad)
    recorded[0]["message"] = recorded[0]["message"].replace("a00B000000FSjVUIB1", wrong)
    assert r.json() == recorded


def test_token_response_has_salesforce_fields_only(embedded_org, recordings):
    """The token answer has the recorded fields (+ scope), no expires_in / refresh_token, ms issued_at."""
    import httpx2

    recorded = vcr_body(vcr(recordings, "08_restforcedb_token_create_describe_query_delete.yml")[0])
    body = {
        "grant_type": "client_credentials",
        "client_id": embedded_org.client_id,
        "client_secret": embedded_org.client_secret,
    }
    r = httpx2.post(embedded_org.token_url, data=body)
    assert r.status_code == 200
    ours = r.json()
    assert set(ours) - set(recorded) == {"scope"}
    assert set(recorded) <= set(ours)
    assert isinstance(ours["issued_at"], str) and len(ours["issued_at"]) == 13
    assert ours["access_token"].startswith("00D") and "!" in ours["access_token"]
    org_id, user_id = ours["id"].rsplit("/", 2)[-2:]
    assert (len(org_id), len(user_id)) == (18, 18)
    assert to18(org_id[:15]) == org_id and to18(user_id[:15]) == user_id


def test_restforce_contact_create_and_delete_match(api, recordings):
    """The restforce-db cassette's Contact create (201) and delete (204) answer alike."""
    items = vcr(recordings, "08_restforcedb_token_create_describe_query_delete.yml")
    create = next(i for i in items if i["request"]["uri"].endswith("/sobjects/Contact"))
    delete = next(i for i in items if i["request"]["method"] == "delete" and "/Contact/" in i["request"]["uri"])
    body = json.loads(create["request"]["body"]["string"])
    r = api.post(f"{V}/sobjects/Contact", json=body)
    assert r.status_code == vcr_status(create)
    assert_same_shape(r.json(), vcr_body(create))
    assert api.delete(f"{V}/sobjects/Contact/{r.json()['id']}").status_code == vcr_status(delete)


def _vcr_query(item: dict[str, Any]) -> str:
    return str(parse_qs(urlsplit(item["request"]["uri"]).query)["q"][0])


def test_cumulusci_child_subquery_without_rows_is_null(api, recordings):
    """`(select Name from Opportunities)` with no children is null, as in the CumulusCI cassette."""
    items = [
        i
        for i in vcr(recordings, "09_cumulusci_vcr_composite_upsert_query_subquery_null.yaml")
        if "/query/" in i["request"]["uri"]
    ]
    assert len(items) >= 2
    for item in items:
        r = query(api, _vcr_query(item))
        assert r.status_code == vcr_status(item)
        assert_same_shape(r.json(), vcr_body(item))
    child = query(api, "select FirstName,(select Name from Opportunities) from Contact").json()
    assert all(rec["Opportunities"] is None for rec in child["records"])


def test_count_and_invalid_type_match_cumulusci(api, recordings):
    """`select count()` → totalSize with no records; unknown object → INVALID_TYPE with the caret."""
    composite = vcr(recordings, "10_cumulusci_vcr_count_and_INVALID_TYPE.yaml")[0]
    requests_ = json.loads(composite["request"]["body"])["compositeRequest"]
    answers = vcr_body(composite)["compositeResponse"]
    for sub, answer in zip(requests_, answers, strict=True):
        soql = sub["url"].split("?q=", 1)[1]
        r = query(api, soql)
        assert r.status_code == answer["httpStatusCode"]
        if r.status_code == 200:
            assert_same_shape(r.json(), answer["body"])
            assert r.json()["records"] == []
        else:
            assert r.json() == answer["body"]


@pytest.mark.parametrize("name", ["Account", "Contact", "Lead", "Opportunity", "Case"])
def test_describe_lists_the_recorded_fields(api, recordings, name):
    """Describe answers with the recorded object's fields, in order, with name/type/length/picklists."""
    data = yaml.safe_load((recordings / "describe" / f"GET_sobjects_{name}_describe.yaml").read_text())
    recorded = json.loads(data["response"]["body"]["string"])
    r = api.get(f"{V}/sobjects/{name}/describe")
    assert r.status_code == 200
    ours = r.json()
    assert [f["name"] for f in ours["fields"]] == [f["name"] for f in recorded["fields"]]
    assert (ours["name"], ours["keyPrefix"]) == (recorded["name"], recorded["keyPrefix"])
    assert set(recorded) <= set(ours)
    for mine, theirs in zip(ours["fields"], recorded["fields"], strict=True):
        assert set(theirs) <= set(mine), set(theirs) - set(mine)
        keys = ("type", "length", "nillable")
        assert [mine[k] for k in keys] == [theirs[k] for k in keys]
