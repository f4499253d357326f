"""Derive `service/schema/builtin.json` from the real describe recordings in ../shared.

Usage: python scripts/derive_schema.py [SHARED_DIR]

Keeps, per object, the describe attributes the gateway and the embedded org use, every field, and
the child relationships whose child object is one of the built-in objects. User has no recording;
its standard fields are written here from Salesforce's documented User object.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

OBJECTS = ("Account", "Contact", "Lead", "Opportunity", "Case")
OBJECT_KEYS = ("name", "label", "labelPlural", "keyPrefix", "createable", "queryable", "custom")
FIELD_KEYS = (
    "name",
    "label",
    "type",
    "length",
    "precision",
    "scale",
    "digits",
    "byteLength",
    "nillable",
    "createable",
    "updateable",
    "defaultedOnCreate",
    "defaultValue",
    "restrictedPicklist",
    "referenceTo",
    "relationshipName",
    "nameField",
    "filterable",
    "sortable",
    "groupable",
    "unique",
    "caseSensitive",
    "externalId",
    "compoundFieldName",
    "calculated",
    "autoNumber",
    "soapType",
    "idLookup",
    "polymorphicForeignKey",
)


def _field(raw: dict[str, Any]) -> dict[str, Any]:
    out = {key: raw.get(key) for key in FIELD_KEYS}
    out["picklistValues"] = [
        {"value": p["value"], "label": p["label"], "active": p["active"], "defaultValue": p["defaultValue"]}
        for p in raw.get("picklistValues") or []
        if p.get("active")
    ]
    return out


def _object(describe: dict[str, Any], known: set[str]) -> dict[str, Any]:
    out = {key: describe.get(key) for key in OBJECT_KEYS}
    out["fields"] = [_field(f) for f in describe["fields"]]
    out["childRelationships"] = [
        {
            "childSObject": c["childSObject"],
            "field": c["field"],
            "relationshipName": c["relationshipName"],
            "cascadeDelete": c["cascadeDelete"],
        }
        for c in describe["childRelationships"]
        if c.get("relationshipName") and c["childSObject"] in known
    ]
    return out


def _user_field(name: str, type_: str, label: str, **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {key: None for key in FIELD_KEYS}
    base.update(
        name=name,
        label=label,
        type=type_,
        length=extra.pop("length", 0),
        nillable=True,
        createable=type_ not in ("id",) and name not in ("Name", "CreatedDate", "LastModifiedDate"),
        updateable=False,
        defaultedOnCreate=False,
        restrictedPicklist=False,
        referenceTo=[],
        relationshipName=None,
        nameField=False,
        filterable=True,
        sortable=True,
        groupable=True,
        unique=False,
        caseSensitive=False,
        externalId=False,
        compoundFieldName=None,
        calculated=False,
        autoNumber=False,
        picklistValues=[],
    )
    base.update(extra)
    return base


def _user() -> dict[str, Any]:
    fields = [
        _user_field("Id", "id", "User ID", length=18, nillable=False, defaultedOnCreate=True),
        _user_field("Username", "string", "Username", length=80, nillable=False, unique=True),
        _user_field("LastName", "string", "Last Name", length=80, nillable=False),
        _user_field("FirstName", "string", "First Name", length=40),
        _user_field("Name", "string", "Full Name", length=121, nillable=False, nameField=True, createable=False),
        _user_field("Title", "string", "Title", length=80),
        _user_field("Email", "email", "Email", length=128, nillable=False),
        _user_field("Phone", "phone", "Phone", length=40),
        _user_field("Alias", "string", "Alias", length=8, nillable=False),
        _user_field("IsActive", "boolean", "Active", nillable=False, defaultedOnCreate=True, defaultValue=True),
        _user_field("CreatedDate", "datetime", "Created Date", nillable=False, defaultedOnCreate=True),
        _user_field("LastModifiedDate", "datetime", "Last Modified Date", nillable=False, defaultedOnCreate=True),
    ]
    return {
        "name": "User",
        "label": "User",
        "labelPlural": "Users",
        "keyPrefix": "005",
        "createable": True,
        "queryable": True,
        "custom": False,
        "fields": fields,
        "childRelationships": [],
    }


def derive(shared: Path) -> dict[str, Any]:
    """Read the recordings under `shared` and return the builtin schema document."""
    known = set(OBJECTS) | {"User"}
    objects = []
    for name in OBJECTS:
        cassette = yaml.safe_load(
            (shared / "salesforce-recordings" / "describe" / f"GET_sobjects_{name}_describe.yaml").read_text()
        )
        objects.append(_object(json.loads(cassette["response"]["body"]["string"]), known))
    objects.append(_user())
    return {"source": "CumulusCI describe recordings (BSD-3-Clause); User from Salesforce docs", "objects": objects}


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1].parent / "shared"
    out = Path(__file__).resolve().parents[1] / "service" / "schema" / "builtin.json"
    out.write_text(json.dumps(derive(shared), indent=1, sort_keys=False) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
