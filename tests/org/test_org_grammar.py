"""SOQL's real grammar on the running org: ROLLUP/CUBE with GROUPING(), FORMAT(), toLabel(), TYPEOF, errors."""

from tests.org.org_helpers import V, query, records


def test_rollup_adds_a_subtotal_row(api) -> None:
    """GROUP BY ROLLUP(LeadSource) adds a grand-total row with GROUPING(LeadSource) = 1."""
    rows = records(api, "SELECT LeadSource, COUNT(Id) n, GROUPING(LeadSource) g FROM Lead GROUP BY ROLLUP(LeadSource)")
    [total] = [r for r in rows if r["g"] == 1]
    assert total["LeadSource"] is None
    assert total["n"] == sum(r["n"] for r in rows if r["g"] == 0)
    assert all(r["attributes"] == {"type": "AggregateResult"} for r in rows)


def test_cube_groups_every_combination(api) -> None:
    """GROUP BY CUBE(Status, LeadSource) has per-Status, per-LeadSource and grand-total rows."""
    soql = (
        "SELECT Status, LeadSource, COUNT(Id) n, GROUPING(Status) gs, GROUPING(LeadSource) gl "
        "FROM Lead GROUP BY CUBE(Status, LeadSource)"
    )
    kinds = {(r["gs"], r["gl"]) for r in records(api, soql)}
    assert kinds == {(0, 0), (0, 1), (1, 0), (1, 1)}


def test_format_renders_like_salesforce(api) -> None:
    """FORMAT(Amount) is "$199,000.00"; FORMAT(CloseDate) is M/D/YYYY."""
    [plain] = records(api, "SELECT Amount, CloseDate FROM Opportunity ORDER BY Amount DESC LIMIT 1")
    [shown] = records(api, "SELECT FORMAT(Amount), FORMAT(CloseDate) FROM Opportunity ORDER BY Amount DESC LIMIT 1")
    assert shown["Amount"] == f"${plain['Amount']:,.2f}"
    year, month, day = plain["CloseDate"].split("-")
    assert shown["CloseDate"] == f"{int(month)}/{int(day)}/{year}"


def test_tolabel_returns_the_picklist_label(api) -> None:
    """toLabel(Status) answers the picklist label under the field's name."""
    [row] = records(api, "SELECT toLabel(Status) FROM Lead WHERE Email = 'customer@example.com'")
    assert list(row) == ["attributes", "Status"] and isinstance(row["Status"], str)


def test_typeof_picks_the_branch_of_the_record_type(api) -> None:
    """TYPEOF What WHEN Account THEN Phone, Name ELSE Name END shapes each What by its type."""
    [account] = records(api, "SELECT Id, Name, Phone FROM Account LIMIT 1")
    [case] = records(api, "SELECT Id, CaseNumber FROM Case LIMIT 1")
    for what in (account["Id"], case["Id"]):
        assert api.post(f"{V}/sobjects/Task/", json={"Subject": "TYPEOF probe", "WhatId": what}).status_code == 201
    soql = (
        "SELECT TYPEOF What WHEN Account THEN Phone, Name ELSE Name END FROM Task "
        "WHERE Subject = 'TYPEOF probe' ORDER BY CreatedDate"
    )
    first, second = (r["What"] for r in records(api, soql))
    assert (first["attributes"]["type"], first["Phone"], first["Name"]) == (
        "Account",
        account["Phone"],
        account["Name"],
    )
    assert (second["attributes"]["type"], second["Name"]) == ("Case", case["CaseNumber"])


def test_typeof_refuses_non_polymorphic_and_wrong_types(api) -> None:
    """TYPEOF on a plain lookup, or WHEN an object the lookup cannot point at, is refused."""
    assert query(api, "SELECT TYPEOF Account WHEN Account THEN Name END FROM Contact").json()[0]["errorCode"] == (
        "INVALID_FIELD"
    )
    assert query(api, "SELECT TYPEOF What WHEN Lead THEN Name END FROM Task").json()[0]["errorCode"] == "INVALID_TYPE"


def test_malformed_query_uses_salesforce_wording(api) -> None:
    """The first bad word: `unexpected token: X`; later: the caret form with Row:1:Column:N."""
    assert query(api, "SELEKT Name FROM Account").json() == [
        {"message": "unexpected token: SELEKT", "errorCode": "MALFORMED_QUERY"}
    ]
    message = query(api, "SELECT Id FROM Lead WHERE Name = 'a' AND Email = 'b' OR Phone = 'c'").json()[0]["message"]
    assert message.startswith("\nSELECT Id FROM Lead WHERE") and "ERROR at Row:1:Column:" in message
    assert message.endswith("unexpected token: OR")
