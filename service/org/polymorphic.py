"""Polymorphic lookups (`Who`, `What`): the `Name` pseudo-object SOQL reaches them through.

Salesforce lets `Who.Name`, `What.Type`, `Who.Email` … read a few common fields of whichever object
the id points at. The org joins a UNION ALL of every target's rows with those fields (NULL where an
object has no such field) and a `Type` column, which also gives the record's `attributes.type`.
"""

from __future__ import annotations

from service.org.store import live, quote
from service.schema import Schema, SField, SObject

NAME_FIELDS = ("Id", "Name", "Type", "FirstName", "LastName", "Email", "Phone", "Title", "Alias", "Username")
_TYPES = {"Id": "id", "Email": "email", "Phone": "phone"}


def name_object() -> SObject:
    """The `Name` pseudo-object's describe (only what SOQL needs)."""
    fields = [
        {"name": n, "label": n, "type": _TYPES.get(n, "string"), "filterable": True, "sortable": True}
        for n in NAME_FIELDS
    ]
    return SObject.from_describe({"name": "Name", "label": "Name", "keyPrefix": "", "fields": fields})


def union_sql(schema: Schema, ref: SField) -> str:
    """`(SELECT Id, Name, 'Lead' AS Type, … FROM Lead UNION ALL …)` over the lookup's targets."""
    selects = []
    for target in ref.reference_to:
        obj = schema.get(target)
        if obj is None:
            continue
        columns = []
        for name in NAME_FIELDS:
            if name == "Type":
                columns.append(f"'{obj.name}' AS {quote('Type')}")
            elif name == "Name" and obj.field("Name") is None:  # Case: its name field, CaseNumber
                columns.append(f"{quote(obj.name_field)} AS {quote(name)}")
            elif obj.field(name) is not None:
                columns.append(f"{quote(name)} AS {quote(name)}")
            else:
                columns.append(f"NULL AS {quote(name)}")
        selects.append(f"SELECT {', '.join(columns)} FROM {quote(obj.name)} WHERE {live(obj)}")
    return "(" + " UNION ALL ".join(selects) + ")"


def is_polymorphic(ref: SField) -> bool:
    """True for a lookup to more than one object (User-owner lookups excepted, as `SField.target` does)."""
    return len(ref.reference_to) > 1 and "User" not in ref.reference_to
