"""Typed, case-insensitive view of Salesforce object metadata (describe results)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SField:
    """One field of an object, as describe reports it."""

    name: str
    label: str
    type: str
    length: int = 0
    precision: int = 0
    scale: int = 0
    nillable: bool = True
    createable: bool = False
    updateable: bool = False
    defaulted_on_create: bool = False
    default_value: Any = None
    picklist_values: tuple[str, ...] = ()
    default_picklist_value: str | None = None
    restricted_picklist: bool = False
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    name_field: bool = False
    filterable: bool = True
    sortable: bool = True
    unique: bool = False
    case_sensitive: bool = False
    external_id: bool = False
    compound_field_name: str | None = None
    calculated: bool = False

    @property
    def is_reference(self) -> bool:
        """True for lookup / master-detail fields."""
        return self.type == "reference"

    @property
    def target(self) -> str | None:
        """The object a lookup points at (User for polymorphic owner lookups)."""
        if not self.reference_to:
            return None
        return "User" if "User" in self.reference_to else self.reference_to[0]

    @classmethod
    def from_describe(cls, raw: Mapping[str, Any]) -> SField:
        """Build from one entry of a describe's `fields` list."""
        picklist = [p for p in raw.get("picklistValues") or [] if p.get("active", True)]
        default = next((p["value"] for p in picklist if p.get("defaultValue")), None)
        return cls(
            name=raw["name"],
            label=raw.get("label") or raw["name"],
            type=raw.get("type") or "string",
            length=int(raw.get("length") or 0),
            precision=int(raw.get("precision") or 0),
            scale=int(raw.get("scale") or 0),
            nillable=bool(raw.get("nillable", True)),
            createable=bool(raw.get("createable")),
            updateable=bool(raw.get("updateable")),
            defaulted_on_create=bool(raw.get("defaultedOnCreate")),
            default_value=raw.get("defaultValue"),
            picklist_values=tuple(p["value"] for p in picklist),
            default_picklist_value=default,
            restricted_picklist=bool(raw.get("restrictedPicklist")),
            reference_to=tuple(raw.get("referenceTo") or ()),
            relationship_name=raw.get("relationshipName"),
            name_field=bool(raw.get("nameField")),
            filterable=bool(raw.get("filterable", True)),
            sortable=bool(raw.get("sortable", True)),
            unique=bool(raw.get("unique")),
            case_sensitive=bool(raw.get("caseSensitive")),
            external_id=bool(raw.get("externalId")),
            compound_field_name=raw.get("compoundFieldName"),
            calculated=bool(raw.get("calculated")),
        )


@dataclass(frozen=True)
class ChildRelationship:
    """A parent→child relationship usable as a subquery (`SELECT … FROM Contacts`)."""

    name: str
    child_object: str
    field: str


@dataclass(frozen=True)
class SObject:
    """One object type: its fields, relationships and name field."""

    name: str
    label: str
    label_plural: str
    key_prefix: str
    fields: Mapping[str, SField]
    child_relationships: Mapping[str, ChildRelationship]
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)
    _by_lower: Mapping[str, SField] = field(repr=False, compare=False, default_factory=dict)
    _by_relationship: Mapping[str, SField] = field(repr=False, compare=False, default_factory=dict)
    _children_by_lower: Mapping[str, ChildRelationship] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_describe(cls, raw: Mapping[str, Any], known: Iterable[str] | None = None) -> SObject:
        """Build from a describe body; child relationships limited to `known` objects if given."""
        known_set = set(known) if known is not None else None
        fields = {f["name"]: SField.from_describe(f) for f in raw["fields"]}
        children = {
            c["relationshipName"]: ChildRelationship(c["relationshipName"], c["childSObject"], c["field"])
            for c in raw.get("childRelationships") or []
            if c.get("relationshipName") and (known_set is None or c["childSObject"] in known_set)
        }
        return cls(
            name=raw["name"],
            label=raw.get("label") or raw["name"],
            label_plural=raw.get("labelPlural") or raw["name"] + "s",
            key_prefix=raw.get("keyPrefix") or "",
            fields=fields,
            child_relationships=children,
            raw=raw,
            _by_lower={name.lower(): f for name, f in fields.items()},
            _by_relationship={f.relationship_name.lower(): f for f in fields.values() if f.relationship_name},
            _children_by_lower={name.lower(): c for name, c in children.items()},
        )

    @property
    def name_field(self) -> str:
        """The field that names a record (Name; CaseNumber for Case)."""
        for f in self.fields.values():
            if f.name_field:
                return f.name
        return "Name" if "Name" in self.fields else "Id"

    @property
    def required_on_create(self) -> tuple[str, ...]:
        """Fields a create must carry: createable, not nillable, no default, not boolean."""
        return tuple(
            f.name
            for f in self.fields.values()
            if f.createable and not f.nillable and not f.defaulted_on_create and f.type != "boolean"
        )

    def field(self, name: str) -> SField | None:
        """A field by name, case-insensitively."""
        return self._by_lower.get(name.lower())

    def parent_relationship(self, name: str) -> SField | None:
        """The lookup field behind a relationship name (`Account` → AccountId), case-insensitively."""
        return self._by_relationship.get(name.lower())

    def child_relationship(self, name: str) -> ChildRelationship | None:
        """A child relationship by name (`Contacts`), case-insensitively."""
        return self._children_by_lower.get(name.lower())


class Schema:
    """A set of objects, looked up case-insensitively."""

    def __init__(self, objects: Iterable[SObject]) -> None:
        self.objects: dict[str, SObject] = {o.name: o for o in objects}
        self._by_lower = {name.lower(): o for name, o in self.objects.items()}

    @classmethod
    def from_describes(cls, describes: Iterable[Mapping[str, Any]]) -> Schema:
        """Build from describe bodies, e.g. a live org's `/sobjects/{type}/describe` answers."""
        raws = list(describes)
        known = {r["name"] for r in raws}
        return cls(SObject.from_describe(r, known) for r in raws)

    def get(self, name: str) -> SObject | None:
        """An object by name, case-insensitively."""
        return self._by_lower.get(name.lower())

    def by_key_prefix(self, prefix: str) -> SObject | None:
        """The object whose ids start with `prefix` (e.g. "003" → Contact)."""
        return next((o for o in self.objects.values() if o.key_prefix == prefix), None)

    def raw_describe(self, name: str) -> Mapping[str, Any] | None:
        """The stored describe-like body of an object (for an org's describe endpoint)."""
        obj = self.get(name)
        return obj.raw if obj is not None else None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._by_lower

    def __repr__(self) -> str:
        return f"Schema({sorted(self.objects)})"
