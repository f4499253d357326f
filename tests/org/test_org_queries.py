"""SOQL on the embedded org: the seed's common queries, the shared cases, and SOQL semantics."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from org_helpers import V, query, records

from service.soql.policy import check_query

SEED_QUERIES = [
    "SELECT Id, Name, Email, Phone, Title, Account.Name, Account.Type FROM Contact "
    "WHERE Email = 'customer@example.com'",
    "SELECT Id, Name, Email, Phone, Company, Industry, Status, LeadSource, Title FROM Lead "
    "WHERE Email = 'customer@example.com' OR Phone = '+1234567890'",
    "SELECT Id, Name, Type, Industry, Phone, BillingCity, BillingState, Website FROM Account "
    "WHERE Name LIKE '%Company Name%'",
    "SELECT Id, Name, StageName, Amount, CloseDate, Account.Name, Account.Type, Owner.Name, Description "
    "FROM Opportunity WHERE CreatedDate = THIS_MONTH",
    "SELECT Id, Name, StageName, Amount, CloseDate, Probability, NextStep, Owner.Name FROM Opportunity "
    "WHERE Account.Name LIKE '%Company Name%'",
]


def test_seed_query_contact_by_email(api):
    """Contact by email: one row, with the nested Account name and type."""
    [rec] = records(api, SEED_QUERIES[0])
    assert (rec["Name"], rec["Email"]) == ("Casey Customer", "customer@example.com")
    assert rec["Account"]["Name"] == "Company Name Inc."
    assert list(rec) == ["attributes", "Id", "Name", "Email", "Phone", "Title", "Account"]


def test_seed_query_lead_by_email_or_phone(api):
    """Lead by email OR phone finds both seeded leads."""
    names = {r["Name"] for r in records(api, SEED_QUERIES[1])}
    assert names == {"Casey Customer", "Pat Caller"}


def test_seed_query_account_name_like(api):
    """Account LIKE '%Company Name%' finds the seeded account."""
    assert [r["Name"] for r in records(api, SEED_QUERIES[2])] == ["Company Name Inc."]


def test_seed_query_opportunities_created_this_month(api):
    """CreatedDate = THIS_MONTH returns exactly the opportunities created since the 1st (UTC)."""
    rows = records(api, SEED_QUERIES[3])
    everything = records(api, "SELECT Id, CreatedDate FROM Opportunity")
    start = datetime.now(UTC).strftime("%Y-%m-01")
    expected = {r["Id"] for r in everything if r["CreatedDate"] >= start}
    assert len(rows) >= 20
    assert {r["Id"] for r in rows} == expected
    assert all(r["Owner"]["Name"] for r in rows)


def test_seed_query_opportunities_through_account_name(api):
    """Filtering through Account.Name equals filtering by the account's id."""
    rows = records(api, SEED_QUERIES[4])
    [account] = records(api, "SELECT Id FROM Account WHERE Name = 'Company Name Inc.'")
    by_id = records(api, f"SELECT Id FROM Opportunity WHERE AccountId = '{account['Id']}'")
    assert len(rows) >= 4
    assert {r["Id"] for r in rows} == {r["Id"] for r in by_id}


def test_shared_accept_and_repair_cases_run(api, shared_dir):
    """Every accept/repair query in ../shared/soql/cases.jsonl runs (after the policy's repair)."""
    lines = (shared_dir / "soql" / "cases.jsonl").read_text().splitlines()
    cases = [json.loads(line) for line in lines if line.strip()]
    runnable = [c for c in cases if c["verdict"] in ("accept", "repair")]
    assert runnable
    for case in runnable:
        verdict = check_query(case["soql"])
        assert verdict.verdict == case["verdict"], case
        r = query(api, verdict.query)
        assert r.status_code == 200, (verdict.query, r.text)
        body = r.json()
        assert body["totalSize"] >= len(body["records"])


def test_keys_use_canonical_casing_in_select_order(api):
    """Lower-case field names come back canonically spelled; `=` ignores case."""
    [rec] = records(api, "select email, id, name from contact where email = 'JANE.DOE@ACME.COM'")
    assert list(rec) == ["attributes", "Email", "Id", "Name"]
    assert rec["attributes"]["type"] == "Contact"


def test_like_is_case_insensitive(api):
    """LIKE matches regardless of case."""
    assert [r["Name"] for r in records(api, "SELECT Name FROM Account WHERE Name LIKE 'acme corp%'")] == [
        "Acme Corporation"
    ]


def test_not_equal_includes_nulls(api):
    """`!=` keeps records whose field is null (SOQL semantics)."""
    total = query(api, "SELECT COUNT() FROM Opportunity").json()["totalSize"]
    nulls = query(api, "SELECT COUNT() FROM Opportunity WHERE NextStep = null").json()["totalSize"]
    others = query(api, "SELECT COUNT() FROM Opportunity WHERE NextStep != 'Schedule demo'").json()["totalSize"]
    demos = query(api, "SELECT COUNT() FROM Opportunity WHERE NextStep = 'Schedule demo'").json()["totalSize"]
    assert nulls > 0
    assert others + demos == total


def test_order_by_nulls_first_by_default_ascending(api):
    """ASC puts nulls first unless NULLS LAST; DESC puts them last."""
    asc = records(api, "SELECT NextStep FROM Opportunity ORDER BY NextStep")
    last = records(api, "SELECT NextStep FROM Opportunity ORDER BY NextStep ASC NULLS LAST")
    desc = records(api, "SELECT NextStep FROM Opportunity ORDER BY NextStep DESC")
    assert asc[0]["NextStep"] is None and asc[-1]["NextStep"] is not None
    assert last[0]["NextStep"] is not None and last[-1]["NextStep"] is None
    assert desc[0]["NextStep"] is not None and desc[-1]["NextStep"] is None


def test_fifteen_character_id_matches(api):
    """A 15-character id in WHERE finds the record stored under its 18-character id."""
    [rec] = records(api, "SELECT Id FROM Contact WHERE Email = 'jane.doe@acme.com'")
    assert records(api, f"SELECT Id FROM Contact WHERE Id = '{rec['Id'][:15]}'") == [rec]


def test_last_n_days_is_a_range_including_today(api):
    """LAST_N_DAYS:30 keeps exactly the leads created in the last 30 days (UTC)."""
    rows = records(api, "SELECT Id FROM Lead WHERE CreatedDate = LAST_N_DAYS:30")
    everything = records(api, "SELECT Id, CreatedDate FROM Lead")
    since = (datetime.now(UTC).date() - timedelta(days=30)).isoformat()
    assert {r["Id"] for r in rows} == {r["Id"] for r in everything if r["CreatedDate"] >= since}
    assert 0 < len(rows) < len(everything)


def test_count_returns_total_size_and_no_records(api):
    """COUNT() answers in totalSize with records []."""
    body = query(api, "SELECT COUNT() FROM Lead WHERE Status = 'Open - Not Contacted'").json()
    assert body["records"] == [] and body["done"] is True and body["totalSize"] > 0


def test_group_by_returns_aggregate_results(api):
    """GROUP BY answers AggregateResult rows named by field and exprN."""
    rows = records(api, "SELECT StageName, COUNT(Id) FROM Opportunity GROUP BY StageName")
    assert rows[0]["attributes"] == {"type": "AggregateResult"}
    assert list(rows[0]) == ["attributes", "StageName", "expr0"]
    assert sum(r["expr0"] for r in rows) == query(api, "SELECT COUNT() FROM Opportunity").json()["totalSize"]


def test_semi_join(api):
    """`AccountId IN (SELECT Id FROM Account WHERE …)` filters by the inner query."""
    rows = records(
        api,
        "SELECT Id, Account.Industry FROM Contact WHERE AccountId IN "
        "(SELECT Id FROM Account WHERE Industry = 'Technology')",
    )
    assert rows and all(r["Account"]["Industry"] == "Technology" for r in rows)


def test_child_subquery_limit_applies_per_parent(api):
    """A LIMIT inside a child subquery caps each parent's children."""
    rows = records(api, "SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName LIMIT 1) FROM Account")
    children = [r["Contacts"] for r in rows if r["Contacts"] is not None]
    assert children and all(c["totalSize"] == 1 and len(c["records"]) == 1 for c in children)


def test_null_parent_is_null(api, embedded_org):
    """A contact without an account answers `"Account": null`."""
    rows = records(api, "SELECT Name, Account.Name FROM Contact WHERE AccountId = null")
    assert rows and all(r["Account"] is None for r in rows)


def test_invalid_relationship_field_has_caret(api):
    """An unknown field behind a relationship → INVALID_FIELD pointing at the path."""
    r = query(api, "SELECT Id, Account.Bogus FROM Contact")
    assert r.status_code == 400
    [err] = r.json()
    assert err["errorCode"] == "INVALID_FIELD"
    assert "ERROR at Row:1:Column:12" in err["message"]
    assert "No such column 'Bogus' on entity 'Account'" in err["message"]


def test_query_all_includes_deleted_records(api):
    """Deleted records vanish from query but stay visible to queryAll."""
    lead_id = api.post(f"{V}/sobjects/Lead/", json={"LastName": "Gone", "Company": "Gone Co"}).json()["id"]
    assert api.delete(f"{V}/sobjects/Lead/{lead_id}").status_code == 204
    soql = f"SELECT Id, IsDeleted FROM Lead WHERE Id = '{lead_id}'"
    assert records(api, soql) == []
    everything = api.get(f"{V}/queryAll", params={"q": soql}).json()
    assert [r["IsDeleted"] for r in everything["records"]] == [True]


@pytest.mark.parametrize(
    "soql",
    [
        "SELECT Id FROM Lead WHERE LastName = 'x\\' OR \\'1\\'=\\'1'",
        "SELECT Id FROM Lead WHERE LastName = '\\'; DROP TABLE Lead; --'",
        "SELECT Id FROM Lead WHERE Name LIKE '%\\'; DELETE FROM Lead; --%'",
        "SELECT Id FROM Lead WHERE Email IN ('a\\') OR (1=1', 'b')",
        'SELECT Id FROM Lead WHERE LastName = \'" OR ""="\'',
    ],
)
def test_sql_injection_inside_literals_is_inert(api, embedded_org, soql):
    """Quotes and SQL inside SOQL string literals are data: no rows, nothing changed."""
    before = embedded_org.stats()["records"]
    r = query(api, soql)
    assert r.status_code == 200, r.text
    assert r.json()["totalSize"] == 0
    assert embedded_org.stats()["records"] == before
