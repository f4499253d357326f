"""Random SOQL never escapes as an unexpected exception (which the org would answer as a 500)."""

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.errors import SalesforceError
from service.org.query import translate
from service.org.results import Cursors, answer
from service.org.seed import seed_store
from service.org.store import Store
from service.schema import builtin_schema

FRAGMENTS = [
    "SELECT",
    "Id",
    "Name",
    "Email",
    "Account.Name",
    "Owner.Name",
    "COUNT()",
    "COUNT(Id)",
    "MAX(Amount)",
    "(SELECT LastName FROM Contacts)",
    "FROM",
    "Lead",
    "Contact",
    "Account",
    "Opportunity",
    "Case",
    "Nope",
    "WHERE",
    "AND",
    "OR",
    "NOT",
    "=",
    "!=",
    "<",
    ">=",
    "LIKE",
    "IN",
    "NOT IN",
    "INCLUDES",
    "null",
    "true",
    "'x'",
    "'%a%'",
    "'\\''",
    "42",
    "-1.5",
    "2024-01-15",
    "2024-01-15T00:00:00Z",
    "TODAY",
    "LAST_N_DAYS:3",
    "THIS_MONTH",
    "ORDER BY",
    "ASC",
    "DESC",
    "NULLS FIRST",
    "NULLS LAST",
    "GROUP BY",
    "HAVING",
    "LIMIT",
    "OFFSET",
    "5",
    "2001",
    ",",
    "(",
    ")",
    "CreatedDate",
    "CloseDate",
    "Amount",
    "AccountId",
    "'001000000000000'",
    "(SELECT Id FROM Account)",
    "FIELDS(STANDARD)",
    "CALENDAR_YEAR(CreatedDate)",
    "toLabel(Status)",
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store(Path(tmp_path_factory.mktemp("fuzz")), builtin_schema())
    seed_store(store)
    return store


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    head=st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=4),
    tail=st.lists(st.sampled_from(FRAGMENTS), max_size=10),
    obj=st.sampled_from(["Lead", "Contact", "Account", "Opportunity", "Case", "User"]),
)
def test_random_queries_raise_only_salesforce_errors(store, head, tail, obj):
    """Whatever the text, translating and running it either answers or raises a Salesforce error."""
    soql = " ".join(["SELECT", *head, "FROM", obj, *tail])
    try:
        plan = translate(store.schema, soql, tz="UTC", today=date(2025, 1, 15))
        body = answer(store, Cursors(), plan, "v58.0", 2000, False)
    except SalesforceError as err:
        assert err.http_status in (400, 404)
        assert isinstance(err.body, list) and err.body[0]["errorCode"]
    else:
        assert body["totalSize"] >= len(body["records"])


FIELDS = [
    "Id",
    "Name",
    "Email",
    "Phone",
    "CreatedDate",
    "Account.Name",
    "Owner.Name",
    "Status",
    "Amount",
    "CloseDate",
    "IsDeleted",
    "AccountId",
    "Account.Owner.Name",
    "BillingAddress",
    "NumberOfEmployees",
]
OPS = ["=", "!=", "<", "<=", ">", ">=", "LIKE"]
VALUES = [
    "null",
    "'a'",
    "'%e%'",
    "1",
    "2.5",
    "true",
    "2024-01-15",
    "2024-01-15T10:00:00+02:00",
    "TODAY",
    "LAST_N_DAYS:7",
    "NEXT_N_MONTHS:2",
    "THIS_FISCAL_QUARTER",
    "'0015g0000000001'",
    "'005'",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    obj=st.sampled_from(["Lead", "Contact", "Account", "Opportunity", "Case"]),
    fields=st.lists(st.sampled_from(FIELDS), min_size=1, max_size=4, unique=True),
    where=st.lists(st.tuples(st.sampled_from(FIELDS), st.sampled_from(OPS), st.sampled_from(VALUES)), max_size=3),
    joiner=st.sampled_from([" AND ", " OR "]),
    order=st.lists(st.sampled_from(FIELDS), max_size=2, unique=True),
    limit=st.one_of(st.none(), st.integers(min_value=0, max_value=3000)),
    offset=st.one_of(st.none(), st.integers(min_value=0, max_value=2500)),
)
def test_structured_queries_raise_only_salesforce_errors(store, obj, fields, where, joiner, order, limit, offset):
    """Well-formed queries with any field/operator/value mix answer or raise a Salesforce error."""
    soql = f"SELECT {', '.join(fields)} FROM {obj}"
    if where:
        soql += " WHERE " + joiner.join(f"{f} {op} {v}" for f, op, v in where)
    if order:
        soql += " ORDER BY " + ", ".join(order)
    if limit is not None:
        soql += f" LIMIT {limit}"
    if offset is not None:
        soql += f" OFFSET {offset}"
    try:
        plan = translate(store.schema, soql, tz="UTC", today=date(2025, 1, 15))
        body = answer(store, Cursors(), plan, "v58.0", 200, False)
    except SalesforceError as err:
        assert err.http_status in (400, 404)
        assert isinstance(err.body, list) and err.body[0]["errorCode"]
    else:
        assert body["totalSize"] >= len(body["records"])


SELECTS = [
    "Name",
    "Industry",
    "COUNT(Id)",
    "MAX(AnnualRevenue)",
    "SUM(NumberOfEmployees)",
    "COUNT_DISTINCT(Type)",
    "CALENDAR_YEAR(CreatedDate)",
    "(SELECT LastName FROM Contacts)",
    "(SELECT Name, Amount FROM Opportunities WHERE Amount > 1000 ORDER BY Amount DESC LIMIT 2)",
    "(SELECT Subject FROM Cases WHERE Status != 'Closed')",
    "Owner.Name",
    "Parent.Name",
]
TAILS = [
    "",
    " GROUP BY Industry",
    " GROUP BY Name, Industry",
    " GROUP BY CALENDAR_YEAR(CreatedDate)",
    " WHERE Industry IN ('Technology', 'Banking')",
    " WHERE Id IN (SELECT AccountId FROM Contact)",
    " WHERE Id NOT IN (SELECT AccountId FROM Opportunity WHERE StageName = 'Closed Won')",
    " GROUP BY Industry HAVING COUNT(Id) > 1",
    " ORDER BY Name DESC NULLS FIRST LIMIT 7 OFFSET 3",
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=st.lists(st.sampled_from(SELECTS), min_size=1, max_size=4, unique=True), tail=st.sampled_from(TAILS))
def test_aggregates_and_children_raise_only_salesforce_errors(store, items, tail):
    """Aggregates, GROUP BY, child and semi-join subqueries answer or raise a Salesforce error."""
    soql = f"SELECT {', '.join(items)} FROM Account{tail}"
    try:
        plan = translate(store.schema, soql, tz="UTC", today=date(2025, 1, 15))
        body = answer(store, Cursors(), plan, "v58.0", 200, False)
    except SalesforceError as err:
        assert err.http_status in (400, 404)
    else:
        assert body["totalSize"] >= len(body["records"])


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=300),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=5,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    obj=st.sampled_from(["Lead", "Contact", "Account", "Opportunity", "Case"]),
    body=st.dictionaries(
        st.sampled_from(
            [
                "LastName",
                "Company",
                "Name",
                "Email",
                "NumberOfEmployees",
                "AnnualRevenue",
                "Amount",
                "CloseDate",
                "StageName",
                "IsDeleted",
                "AccountId",
                "OwnerId",
                "Status",
                "Birthdate",
                "CleanStatus",
                "Latitude",
                "Description",
                "Bogus__c",
                "attributes",
                "Id",
            ]
        ),
        JSON_VALUES,
        max_size=6,
    ),
)
def test_random_create_bodies_raise_only_salesforce_errors(store, obj, body):
    """Any JSON body either validates and stores, or raises a Salesforce error (never a crash)."""
    from service.org.records import defaults
    from service.org.validation import validate_write

    sobject = store.schema.get(obj)
    assert sobject is not None

    def exists(target, record_id):
        return bool(store.execute(f'SELECT 1 FROM "{target.name}" WHERE Id = ?', (record_id,)))

    try:
        values = validate_write(sobject, body, creating=True, exists=exists, schema_get=store.schema.get)
    except SalesforceError as err:
        assert err.http_status == 400 and err.body[0]["errorCode"]
        return
    record_id = store.insert(sobject, defaults(sobject, values, "2025-01-15T00:00:00.000+0000"))
    assert store.get(sobject, record_id) is not None
