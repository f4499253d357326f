"""Task and Event, polymorphic Who/What, /limits, /limits/recordCount, Unicode text and duplicate rules."""

from tests.org.org_helpers import V, query, records


def _lead(api) -> dict:
    [lead] = records(api, "SELECT Id, Name FROM Lead WHERE Email = 'customer@example.com'")
    return lead


def test_task_call_log_create_get_query(api) -> None:
    """A call-log Task is created (201), read back, and found through Who.Name and Lead.Tasks."""
    lead = _lead(api)
    body = {
        "Subject": "Call",
        "WhoId": lead["Id"],
        "Status": "Completed",
        "Priority": "Normal",
        "ActivityDate": "2026-12-01",
        "Description": "Qualified on the phone",
        "TaskSubtype": "Call",
        "Type": "Call",
        "CallDurationInSeconds": 95,
        "CallType": "Inbound",
        "CallObject": "conv-1",
    }
    created = api.post(f"{V}/sobjects/Task/", json=body)
    assert created.status_code == 201 and created.json()["id"].startswith("00T")
    task = api.get(f"{V}/sobjects/Task/{created.json()['id']}").json()
    assert (task["CallDurationInSeconds"], task["IsClosed"], task["WhoId"]) == (95, True, lead["Id"])
    [row] = records(api, f"SELECT Subject, Who.Name, Who.Type FROM Task WHERE WhoId = '{lead['Id']}'")
    assert row["Who"]["attributes"]["type"] == "Lead" and row["Who"]["Name"] == lead["Name"]
    [parent] = records(api, f"SELECT Name, (SELECT Subject FROM Tasks) FROM Lead WHERE Id = '{lead['Id']}'")
    assert parent["Tasks"]["records"][0]["Subject"] == "Call"


def test_task_what_and_patch(api) -> None:
    """PATCH sets WhatId to an Account (204); What.Name then names the account."""
    [account] = records(api, "SELECT Id, Name FROM Account LIMIT 1")
    rid = api.post(f"{V}/sobjects/Task/", json={"Subject": "Follow up"}).json()["id"]
    assert api.patch(f"{V}/sobjects/Task/{rid}", json={"WhatId": account["Id"]}).status_code == 204
    [row] = records(api, f"SELECT What.Name FROM Task WHERE Id = '{rid}'")
    assert row["What"] == {"attributes": row["What"]["attributes"], "Name": account["Name"]}
    assert row["What"]["attributes"]["type"] == "Account"


def test_task_refuses_a_who_of_the_wrong_type(api) -> None:
    """WhoId pointing at an Account is MALFORMED_ID (Who is Lead or Contact)."""
    [account] = records(api, "SELECT Id FROM Account LIMIT 1")
    r = api.post(f"{V}/sobjects/Task/", json={"Subject": "Call", "WhoId": account["Id"]})
    assert (r.status_code, r.json()[0]["errorCode"]) == (400, "MALFORMED_ID")


def test_event_create_and_describe(api) -> None:
    """Event is described and created; Task's describe has the polymorphic WhoId."""
    r = api.post(
        f"{V}/sobjects/Event/",
        json={"Subject": "Demo", "DurationInMinutes": 30, "ActivityDateTime": "2026-12-02T10:00:00Z"},
    )
    assert r.status_code == 201 and r.json()["id"].startswith("00U")
    fields = {f["name"]: f for f in api.get(f"{V}/sobjects/Task/describe").json()["fields"]}
    assert fields["WhoId"]["referenceTo"] == ["Contact", "Lead"] and fields["WhoId"]["relationshipName"] == "Who"


def test_limits_have_salesforce_keys(api) -> None:
    """/limits answers DailyApiRequests and Salesforce's other usual keys as {Max, Remaining}."""
    body = api.get(f"{V}/limits").json()
    assert {"DailyApiRequests", "DataStorageMB", "DailyBulkApiBatches", "SingleEmail"} <= set(body)
    assert all(set(v) == {"Max", "Remaining"} for v in body.values())
    assert body["DailyApiRequests"]["Remaining"] < body["DailyApiRequests"]["Max"]


def test_record_count(api) -> None:
    """/limits/recordCount?sObjects=Lead,Contact counts live records; unknown names are left out."""
    body = api.get(f"{V}/limits/recordCount", params={"sObjects": "Lead,Contact,Nope"}).json()
    counts = {o["name"]: o["count"] for o in body["sObjects"]}
    assert set(counts) == {"Lead", "Contact"} and counts["Lead"] > 0


def test_unicode_case_insensitive_comparison(api) -> None:
    """MÜLLER finds Müller with =, IN, LIKE; != excludes it."""
    api.post(f"{V}/sobjects/Lead/", json={"LastName": "Müller", "Company": "Bäckerei"})
    for soql in (
        "SELECT Id FROM Lead WHERE LastName = 'MÜLLER'",
        "SELECT Id FROM Lead WHERE LastName IN ('MÜLLER', 'x')",
        "SELECT Id FROM Lead WHERE LastName LIKE 'MÜL%'",
    ):
        assert len(records(api, soql)) == 1, soql
    assert records(api, "SELECT Id FROM Lead WHERE LastName != 'MÜLLER' AND Company = 'Bäckerei'") == []


def test_out_of_range_date_literal_is_400(api) -> None:
    """LAST_N_DAYS:99999999 answers 400, never 5xx."""
    r = query(api, "SELECT Id FROM Lead WHERE CreatedDate = LAST_N_DAYS:99999999")
    assert r.status_code == 400


def test_fuzzy_first_name_duplicate(api) -> None:
    """Jon Doe at the same phone as Jane Doe? No: Jayne Doe with Jane's phone is a duplicate (fuzzy first name)."""
    r = api.post(f"{V}/sobjects/Contact/", json={"FirstName": "Jayne", "LastName": "Doe", "Phone": "(212) 555-0001"})
    assert r.status_code == 400
    [err] = r.json()
    assert err["errorCode"] == "DUPLICATES_DETECTED" and "duplicateResut" in err
    allowed = api.post(
        f"{V}/sobjects/Contact/",
        json={"FirstName": "Jayne", "LastName": "Doe", "Phone": "(212) 555-0001"},
        headers={"Sforce-Duplicate-Rule-Header": "allowSave=true"},
    )
    assert allowed.status_code == 201


def test_same_name_without_other_match_is_not_duplicate(api) -> None:
    """Same first and last name with nothing else in common is not a duplicate (the equation needs more)."""
    r = api.post(f"{V}/sobjects/Contact/", json={"FirstName": "Jane", "LastName": "Doe", "Email": "other@else.example"})
    assert r.status_code == 201


def test_lead_company_and_title_duplicate(api) -> None:
    """First, last, title and a fuzzy company match an existing lead."""
    first = {"FirstName": "Maria", "LastName": "Lopez", "Company": "Lopez Consulting Inc", "Title": "Owner"}
    assert api.post(f"{V}/sobjects/Lead/", json=first).status_code == 201
    again = {**first, "Company": "Lopez Consulting", "FirstName": "María"}
    r = api.post(f"{V}/sobjects/Lead/", json=again)
    assert r.json()[0]["errorCode"] == "DUPLICATES_DETECTED"


def test_account_duplicate_by_name_and_phone(api) -> None:
    """An Account with a fuzzy-equal name and the same phone is a duplicate; a name alone is not."""
    base = {"Name": "Northwind Traders Inc", "Phone": "(425) 555-0100"}
    assert api.post(f"{V}/sobjects/Account/", json=base).status_code == 201
    r = api.post(f"{V}/sobjects/Account/", json={"Name": "Northwind Traders", "Phone": "425-555-0100"})
    assert r.json()[0]["errorCode"] == "DUPLICATES_DETECTED"
    assert api.post(f"{V}/sobjects/Account/", json={"Name": "Northwind Traders"}).status_code == 201
