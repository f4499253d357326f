"""Field references as relationship paths."""

from __future__ import annotations

from sqlglot import exp


def field_path(node: exp.Expr) -> list[str]:
    """The parts of a field reference as written: `Account.Owner.Name` → ['Account', 'Owner', 'Name'].

    Accepts `exp.Column` and the `exp.Dot` chains sqlglot builds for paths of more than four parts.
    """
    if isinstance(node, exp.Column):
        return [part.name for part in node.parts]
    if isinstance(node, exp.Dot):
        return field_path(node.this) + [node.expression.name]
    if isinstance(node, exp.Identifier):
        return [node.name]
    raise TypeError(f"not a field reference: {type(node).__name__}")


def make_column(path: list[str]) -> exp.Expr:
    """The node `parse_soql` builds for a dotted path (inverse of `field_path`)."""
    column: exp.Expr = exp.column(*reversed(path[-4:])) if len(path) <= 4 else exp.column(*reversed(path[:4]))
    for part in path[4:]:
        column = exp.Dot(this=column, expression=exp.to_identifier(part))
    return column
