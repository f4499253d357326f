"""Describe bodies: the schema's stored describe, completed with every key a real describe carries.

The built-in schema keeps the metadata that matters (names, types, lengths, picklists, relationships);
keys it leaves out get a real org's usual values, so clients that read them find them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from service.schema import Schema

OBJECT_DEFAULTS: dict[str, Any] = {
    "actionOverrides": [],
    "activateable": False,
    "associateEntityType": None,
    "associateParentEntity": None,
    "compactLayoutable": True,
    "createable": True,
    "custom": False,
    "customSetting": False,
    "deepCloneable": False,
    "defaultImplementation": None,
    "deletable": True,
    "deprecatedAndHidden": False,
    "extendedBy": None,
    "extendsInterfaces": None,
    "feedEnabled": True,
    "hasSubtypes": False,
    "implementedBy": None,
    "implementsInterfaces": None,
    "isInterface": False,
    "isSubtype": False,
    "layoutable": True,
    "listviewable": None,
    "lookupLayoutable": None,
    "mergeable": False,
    "mruEnabled": True,
    "namedLayoutInfos": [],
    "networkScopeFieldName": None,
    "queryable": True,
    "recordTypeInfos": [],
    "replicateable": True,
    "retrieveable": True,
    "searchLayoutable": True,
    "searchable": True,
    "sobjectDescribeOption": "FULL",
    "supportedScopes": [{"label": "All accounts", "name": "everything"}],
    "triggerable": True,
    "undeletable": True,
    "updateable": True,
}
FIELD_DEFAULTS: dict[str, Any] = {
    "aggregatable": True,
    "aiPredictionField": False,
    "cascadeDelete": False,
    "calculatedFormula": None,
    "controllerName": None,
    "defaultValueFormula": None,
    "dependentPicklist": False,
    "deprecatedAndHidden": False,
    "displayLocationInDecimal": False,
    "encrypted": False,
    "extraTypeInfo": None,
    "filteredLookupInfo": None,
    "formulaTreatNullNumberAsZero": False,
    "highScaleNumber": False,
    "htmlFormatted": False,
    "inlineHelpText": None,
    "mask": None,
    "maskType": None,
    "queryByDistance": False,
    "referenceTargetField": None,
    "relationshipOrder": None,
    "restrictedDelete": False,
    "searchPrefilterable": False,
    "writeRequiresMasterRead": False,
}


def urls(name: str, version: str) -> dict[str, str]:
    """The `urls` block of an object."""
    base = f"/services/data/{version}/sobjects/{name}"
    return {
        "compactLayouts": f"{base}/describe/compactLayouts",
        "rowTemplate": f"{base}/{{ID}}",
        "defaultValues": f"{base}/defaultValues?recordTypeId&fields",
        "describe": f"{base}/describe",
        "sobject": base,
        "layouts": f"{base}/describe/layouts",
    }


@lru_cache(maxsize=64)
def _describe(schema: Schema, name: str, version: str) -> dict[str, Any]:
    raw = dict(schema.raw_describe(name) or {})
    body: dict[str, Any] = {**OBJECT_DEFAULTS, **raw, "urls": urls(raw["name"], version)}
    fields = []
    for f in raw.get("fields", []):
        extra = {
            "custom": f["name"].endswith("__c"),
            "namePointing": len(f.get("referenceTo") or []) > 1,
            "permissionable": bool(f.get("nillable")) and bool(f.get("createable")),
        }
        fields.append({**FIELD_DEFAULTS, **extra, **f})
    body["fields"] = fields
    body["childRelationships"] = [
        {"cascadeDelete": False, "deprecatedAndHidden": False, "restrictedDelete": False, **c}
        for c in raw.get("childRelationships", [])
    ]
    return body


def describe(schema: Schema, name: str, version: str) -> dict[str, Any]:
    """The describe body of an object for an API version (cached; treat as read-only)."""
    return _describe(schema, name, version)
