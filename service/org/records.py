"""Record life cycle rules: defaults on create, derived fields, rendering, the duplicate rule.

Defaults follow a real org: OwnerId/CreatedById/LastModifiedById = the integration (Run As) user,
audit timestamps, picklist and boolean defaults (Lead Status "Open - Not Contacted"), computed
Name for people, Opportunity stage-derived fields, Case numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from service.org.ids import INTEGRATION_USER_ID
from service.org.store import COMPOUND_TYPES
from service.schema import SField, SObject

# StageName -> (Probability, ForecastCategoryName, IsClosed, IsWon)
STAGES: dict[str, tuple[float, str, bool, bool]] = {
    "Prospecting": (10, "Pipeline", False, False),
    "Qualification": (10, "Pipeline", False, False),
    "Needs Analysis": (20, "Pipeline", False, False),
    "Value Proposition": (50, "Pipeline", False, False),
    "Id. Decision Makers": (60, "Pipeline", False, False),
    "Perception Analysis": (70, "Pipeline", False, False),
    "Proposal/Price Quote": (75, "Pipeline", False, False),
    "Negotiation/Review": (90, "Commit", False, False),
    "Closed Won": (100, "Closed", True, True),
    "Closed Lost": (0, "Omitted", True, False),
}
FORECAST = {
    "Pipeline": "Pipeline",
    "Best Case": "BestCase",
    "Commit": "Forecast",
    "Closed": "Closed",
    "Omitted": "Omitted",
}
PERSON_OBJECTS = frozenset({"Contact", "Lead", "User"})
DUPLICATE_MESSAGE = "You're creating a duplicate record. We recommend you use an existing record instead."


def person_name(values: Mapping[str, Any]) -> str | None:
    """`FirstName LastName` as Salesforce composes Name for people."""
    parts = [values.get("FirstName"), values.get("LastName")]
    return " ".join(p for p in parts if p) or None


def derive(obj: SObject, values: dict[str, Any]) -> None:
    """Recompute derived fields in place (Name, Opportunity stage fields, Case closure)."""
    if obj.name in PERSON_OBJECTS and ("FirstName" in values or "LastName" in values):
        values["Name"] = person_name(values)
    if obj.name == "Opportunity" and values.get("StageName") in STAGES:
        probability, category, closed, won = STAGES[values["StageName"]]
        values.setdefault("Probability", probability)
        values["ForecastCategoryName"] = values.get("ForecastCategoryName") or category
        values["ForecastCategory"] = FORECAST.get(values["ForecastCategoryName"], "Pipeline")
        values["IsClosed"], values["IsWon"] = closed, won
        amount, prob = values.get("Amount"), values.get("Probability")
        values["ExpectedRevenue"] = amount * prob / 100 if amount is not None and prob is not None else None
    if obj.name == "Opportunity" and values.get("CloseDate"):
        year, month = int(values["CloseDate"][:4]), int(values["CloseDate"][5:7])
        values["FiscalYear"], values["FiscalQuarter"] = year, (month - 1) // 3 + 1
        values["Fiscal"] = f"{year} {(month - 1) // 3 + 1}"
    if obj.name == "Case" and "Status" in values:
        values["IsClosed"] = values["Status"] == "Closed"
    if obj.name == "Task" and "Status" in values:
        values["IsClosed"] = values["Status"] == "Completed"


def defaults(obj: SObject, values: Mapping[str, Any], now: str, case_number: int | None = None) -> dict[str, Any]:
    """A full record for a create: given values plus every default a real org fills in."""
    record: dict[str, Any] = {}
    for f in obj.fields.values():
        if f.type in COMPOUND_TYPES:
            continue
        if f.type == "boolean":
            record[f.name] = bool(f.default_value) if isinstance(f.default_value, bool) else False
        elif f.default_picklist_value and f.type in ("picklist", "multipicklist"):
            record[f.name] = f.default_picklist_value
        else:
            record[f.name] = None
    record.update({k: v for k, v in values.items()})
    for audit in ("CreatedDate", "LastModifiedDate", "SystemModstamp"):
        if audit in obj.fields and not values.get(audit):
            record[audit] = now
    for who in ("CreatedById", "LastModifiedById"):
        if who in obj.fields:
            record[who] = INTEGRATION_USER_ID
    if "OwnerId" in obj.fields and not values.get("OwnerId"):
        record["OwnerId"] = INTEGRATION_USER_ID
    if obj.name == "Case" and case_number is not None:
        record["CaseNumber"] = f"{1000 + case_number:08d}"
    if obj.name in PERSON_OBJECTS:
        record["Name"] = person_name(record)
    derive(obj, record)
    return record


def touched(values: dict[str, Any], now: str, obj: SObject) -> dict[str, Any]:
    """Audit fields of an update."""
    for audit in ("LastModifiedDate", "SystemModstamp"):
        if audit in obj.fields:
            values[audit] = now
    if "LastModifiedById" in obj.fields:
        values["LastModifiedById"] = INTEGRATION_USER_ID
    return values


def record_url(version: str, obj_name: str, record_id: str) -> str:
    """`/services/data/vXX.X/sobjects/{Type}/{Id}`."""
    return f"/services/data/{version}/sobjects/{obj_name}/{record_id}"


def compound(obj: SObject, f: SField, row: Mapping[str, Any]) -> dict[str, Any] | None:
    """An address assembled from its component columns, or None when all are empty."""
    prefix = f.name[: -len("Address")] if f.name.endswith("Address") else ""
    keys = ("city", "country", "geocodeAccuracy", "latitude", "longitude", "postalCode", "state", "street")
    out = {}
    for key in keys:
        column = prefix + key[0].upper() + key[1:]
        out[key] = row.get(column) if column in obj.fields else None
    return out if any(v is not None for v in out.values()) else None


def render(
    obj: SObject, row: Mapping[str, Any], version: str, fields: Iterable[SField] | None = None
) -> dict[str, Any]:
    """A record as `GET /sobjects/{Type}/{Id}` returns it: attributes, then every (or each chosen) field."""
    out: dict[str, Any] = {"attributes": {"type": obj.name, "url": record_url(version, obj.name, row["Id"])}}
    for f in fields if fields is not None else obj.fields.values():
        if f.type in COMPOUND_TYPES:
            out[f.name] = compound(obj, f, row)
        elif f.name == "PhotoUrl" and obj.name in ("Lead", "Contact"):
            out[f.name] = f"/services/images/photo/{row['Id']}"
        else:
            out[f.name] = row.get(f.name)
    return out


def duplicate_body(obj: SObject, match_ids: list[str], version: str) -> list[dict[str, Any]]:
    """The DUPLICATES_DETECTED body, with Salesforce's misspelled `duplicateResut` key."""
    return [
        {
            "duplicateResut": {
                "allowSave": True,
                "duplicateRule": f"Standard_{obj.name}_Duplicate_Rule",
                "duplicateRuleEntityType": obj.name,
                "errorMessage": DUPLICATE_MESSAGE,
                "matchResults": [
                    {
                        "entityType": obj.name,
                        "errors": [],
                        "matchEngine": "FuzzyMatchEngine",
                        "matchRecords": [
                            {
                                "additionalInformation": [],
                                "fieldDiffs": [],
                                "matchConfidence": 100.0,
                                "record": {
                                    "attributes": {"type": obj.name, "url": record_url(version, obj.name, rid)},
                                    "Id": rid,
                                },
                            }
                            for rid in match_ids
                        ],
                        "rule": f"Standard_{obj.name}_Match_Rule_v1_0",
                        "size": len(match_ids),
                        "success": True,
                    }
                ],
            },
            "errorCode": "DUPLICATES_DETECTED",
            "message": DUPLICATE_MESSAGE,
        }
    ]
