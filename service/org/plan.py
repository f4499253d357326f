"""The translated form of a SOQL query: SQL pieces, parameters and how to shape each row."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from service.org.store import quote
from service.schema import ChildRelationship, SField, SObject


@dataclass
class Join:
    """A parent reached through a relationship path."""

    alias: str
    obj: SObject
    id_index: int = -1
    type_index: int = -1  # polymorphic lookups: the row's `Type` column (the record's real object)


@dataclass
class Item:
    """One output key of a record: a field (maybe through parents), a child subquery or an aggregate."""

    key: str
    kind: str  # "field" | "address" | "child" | "agg" | "typeof"
    rels: tuple[str, ...] = ()
    field: SField | None = None
    index: int = -1
    indexes: dict[str, int] = dc_field(default_factory=dict)
    child: ChildPlan | None = None
    labels: dict[str, str] | None = None  # toLabel(field): picklist value → label
    fmt_tz: str | None = None  # FORMAT(field): render in this time zone (service.org.formatting)
    branches: list[TypeOfBranch] = dc_field(default_factory=list)  # TYPEOF: WHEN …, then ELSE


@dataclass
class TypeOfBranch:
    """One WHEN (or the ELSE, `obj_type` None) of a TYPEOF: its id / type columns and fields."""

    obj_type: str | None
    id_index: int
    type_index: int = -1
    fields: list[tuple[str, SField, int]] = dc_field(default_factory=list)


@dataclass
class Plan:
    """A translated SELECT: SQL pieces, parameters and how to shape each row."""

    obj: SObject
    alias: str
    columns: list[str] = dc_field(default_factory=list)
    joins: dict[tuple[str, ...], Join] = dc_field(default_factory=dict)
    join_sql: list[str] = dc_field(default_factory=list)
    where: str = ""
    where_params: list[Any] = dc_field(default_factory=list)
    group: str = ""
    having: str = ""
    having_params: list[Any] = dc_field(default_factory=list)
    order: str = ""
    limit: int | None = None
    offset: int = 0
    items: list[Item] = dc_field(default_factory=list)
    count_only: bool = False
    aggregate: bool = False
    index_hint: bool = False  # bare COUNT(): count the small IsDeleted index, not the table
    grouping_sets: list[list[str]] | None = None  # ROLLUP / CUBE (see service.org.grouping)
    grouped: list[str] = dc_field(default_factory=list)  # every grouped SQL expression

    @property
    def from_sql(self) -> str:
        """`"Obj" t0 LEFT JOIN …`."""
        hint = f" INDEXED BY {quote(f'ix_{self.obj.name}_IsDeleted')}" if self.index_hint else ""
        return " ".join([f"{quote(self.obj.name)} {self.alias}{hint}", *self.join_sql])

    @property
    def children(self) -> list[Item]:
        """Child subquery items."""
        return [i for i in self.items if i.kind == "child"]

    def add_column(self, sql: str) -> int:
        """Select `sql` (once) and return its index in the row."""
        if sql in self.columns:
            return self.columns.index(sql)
        self.columns.append(sql)
        return len(self.columns) - 1


@dataclass
class ChildPlan:
    """A parent-to-child subquery: the child's plan and the lookup that links it to the parent."""

    relationship: ChildRelationship
    plan: Plan
    link: str
