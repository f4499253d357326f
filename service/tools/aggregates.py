"""How the rows of an aggregate query are named and typed, so speech can say each value by its type.

Salesforce names an unaliased aggregate column expr0, expr1, … in select-list order and an aliased
one by its alias; a grouped field keeps its field name. COUNT is a number; SUM / AVG / MIN / MAX
take the type of their field, so SUM(Amount) is money and AVG(Probability) a percentage.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from service.schema import SObject
from service.soql import field_path

_AGGREGATES = (exp.Count, exp.Sum, exp.Avg, exp.Min, exp.Max)


@dataclass(frozen=True)
class Column:
    """One column of an aggregate query's rows: its describe type, and whether it is an aggregate."""

    type: str | None
    aggregate: bool


def column_types(tree: exp.Select, sobject: SObject | None) -> dict[str, Column]:
    """For an aggregate query, each answer column by name (empty for other queries).

    Salesforce names unaliased aggregates expr0, expr1, … in select-list order; COUNT is a number,
    SUM / AVG / MIN / MAX take the type of their field (SUM(Amount) is money).
    """
    items = [item.unalias() for item in tree.expressions]
    if not tree.args.get("group") and not any(_is_aggregate(node) for node in items):
        return {}
    columns: dict[str, Column] = {}
    unnamed = 0
    for item, node in zip(tree.expressions, items, strict=True):
        if _is_aggregate(node):
            name = item.alias if isinstance(item, exp.Alias) else f"expr{unnamed}"
            unnamed += 0 if isinstance(item, exp.Alias) else 1
            counted = isinstance(node, (exp.Count, exp.Anonymous))
            kind = "int" if counted else _path_type(sobject, node.this)
            columns[name] = Column("double" if isinstance(node, exp.Avg) and kind == "int" else kind, True)
        elif isinstance(node, (exp.Column, exp.Dot)):
            columns[field_path(node)[-1]] = Column(_path_type(sobject, node), False)
    return columns


def _is_aggregate(node: exp.Expr) -> bool:
    return isinstance(node, _AGGREGATES) or (
        isinstance(node, exp.Anonymous) and str(node.this).upper() == "COUNT_DISTINCT"
    )


def _path_type(sobject: SObject | None, node: exp.Expr | None) -> str | None:
    if sobject is None or not isinstance(node, (exp.Column, exp.Dot)):
        return None
    path = field_path(node)
    field = sobject.field(path[0]) if len(path) == 1 else None
    return field.type if field is not None else None
