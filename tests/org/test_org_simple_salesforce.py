"""Unmodified simple-salesforce drives the embedded org over HTTPS with a token from /token."""

from typing import Any

import pytest
import requests
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest


@pytest.fixture
def sf(embedded_org_tls):
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE in the environment would override `verify`
    session.verify = str(embedded_org_tls.ca_path)
    token = session.post(
        embedded_org_tls.token_url,
        data={"grant_type": "client_credentials"},
        auth=(embedded_org_tls.client_id, embedded_org_tls.client_secret),
    ).json()["access_token"]
    client = Salesforce(session_id=token, instance_url=embedded_org_tls.url, version="58.0", session=session)
    yield client
    session.close()


def test_query_returns_records(sf):
    """sf.query runs SOQL and returns Salesforce's envelope."""
    result = sf.query("SELECT Id, Name, Email FROM Contact WHERE Email = 'customer@example.com'")
    assert result["totalSize"] == 1
    assert result["records"][0]["Name"] == "Casey Customer"


def test_query_all_follows_next_records_url(sf, embedded_org_tls):
    """query_all walks every queryMore page (batch size 200 over 650 leads)."""
    lead = embedded_org_tls.state.schema.get("Lead")
    embedded_org_tls.state.store.insert_many(
        lead, [{"LastName": f"Bulk {i}", "Company": "Bulk Co", "IsDeleted": False} for i in range(450)]
    )
    sf.session.headers["Sforce-Query-Options"] = "batchSize=200"
    first = sf.query("SELECT Id, Name FROM Lead")
    assert (first["done"], len(first["records"])) == (False, 200)
    result = sf.query_all("SELECT Id, Name FROM Lead")
    assert result["totalSize"] == 650
    assert len({r["Id"] for r in result["records"]}) == 650


def test_contact_get_by_id(sf):
    """sf.Contact.get returns the full record, by 18- and by 15-character id."""
    contact_id = sf.query("SELECT Id FROM Contact WHERE Email = 'jane.doe@acme.com'")["records"][0]["Id"]
    record = sf.Contact.get(contact_id)
    assert (record["Id"], record["LastName"], record["Email"]) == (contact_id, "Doe", "jane.doe@acme.com")
    assert sf.Contact.get(contact_id[:15])["Id"] == contact_id


def test_lead_create_and_duplicate(sf):
    """sf.Lead.create answers success; the same email again raises DUPLICATES_DETECTED."""
    created = sf.Lead.create({"LastName": "Nguyen", "Company": "Nguyen Bakery", "Email": "an@nguyen.example"})
    assert created["success"] is True and created["id"].startswith("00Q")
    assert sf.Lead.get(created["id"])["Status"] == "Open - Not Contacted"
    with pytest.raises(SalesforceMalformedRequest) as err:
        sf.Lead.create({"LastName": "Nguyen", "Company": "Nguyen Bakery", "Email": "AN@nguyen.example"})
    content: Any = err.value.content
    assert content[0]["errorCode"] == "DUPLICATES_DETECTED"


def test_describe(sf):
    """Global and object describe work through simple-salesforce."""
    names = {o["name"] for o in sf.describe()["sobjects"]}
    assert {"Account", "Contact", "Lead", "Opportunity", "Case", "User"} <= names
    fields = {f["name"]: f for f in sf.Lead.describe()["fields"]}
    assert fields["Company"]["nillable"] is False
    usage = vars(sf)["api_usage"]["api-usage"]  # parsed Sforce-Limit-Info (annotated as int upstream)
    assert usage.used >= 1 and usage.total == 100_000


def test_search_and_quick_search(sf):
    """sf.search runs SOSL; sf.quick_search wraps the term in FIND {…}."""
    found = sf.search("FIND {Jane} IN NAME FIELDS RETURNING Contact(Name)")
    assert [r["Name"] for r in found["searchRecords"]] == ["Jane Doe"]
    quick = sf.quick_search("Jane")
    assert any(r["attributes"]["type"] == "Contact" for r in quick["searchRecords"])


def test_task_create_and_limits(sf):
    """sf.Task.create logs a call; sf.limits() answers DailyApiRequests."""
    lead_id = sf.query("SELECT Id FROM Lead WHERE Email = 'customer@example.com'")["records"][0]["Id"]
    created = sf.Task.create({"Subject": "Call", "WhoId": lead_id, "TaskSubtype": "Call", "CallType": "Inbound"})
    assert created["success"] is True and created["id"].startswith("00T")
    assert sf.limits()["DailyApiRequests"]["Max"] > 0
