"""Printing a SOQL tree back to SOQL text (the dialect's sqlglot Generator)."""

from __future__ import annotations

from typing import Any

from sqlglot import exp
from sqlglot.generator import Generator

from service.soql import nodes

_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_LIKE_ESCAPES = {k: v for k, v in _ESCAPES.items() if k != "\\"}


def quote(value: str, *, like: bool = False) -> str:
    """A SOQL string literal; LIKE patterns keep their (already escaped) backslashes."""
    table = _LIKE_ESCAPES if like else _ESCAPES
    return "'" + "".join(table.get(ch, ch) for ch in value) + "'"


def _typeof(gen: Generator, e: nodes.TypeOf) -> str:
    whens = " ".join(f"WHEN {w.this.name} THEN {gen.expressions(w, flat=True)}" for w in e.args["whens"])
    default = e.args.get("default")
    other = f" ELSE {', '.join(gen.sql(c) for c in default)}" if default else ""
    return f"TYPEOF {gen.sql(e, 'this')} {whens}{other} END"


def _in_list(gen: Generator, e: exp.Expr, word: str) -> str:
    return f"{gen.sql(e, 'this')} {word} ({gen.expressions(e, flat=True)})"


class SoqlGenerator(Generator):
    """sqlglot's generator with SOQL spellings: no AS, unquoted dates, backslash escapes."""

    TRANSFORMS = {
        **Generator.TRANSFORMS,
        nodes.SoqlDate: lambda gen, e: e.this.name,
        nodes.SoqlDateTime: lambda gen, e: e.this.name,
        nodes.DateLiteral: lambda gen, e: f"{e.literal_name}:{e.n}" if e.n is not None else e.literal_name,
        nodes.Fields: lambda gen, e: f"FIELDS({e.kind})",
        nodes.TypeOf: _typeof,
        nodes.Includes: lambda gen, e: _in_list(gen, e, "INCLUDES"),
        nodes.Excludes: lambda gen, e: _in_list(gen, e, "EXCLUDES"),
    }

    def literal_sql(self, expression: exp.Literal) -> str:
        if not expression.is_string:
            return str(expression.this)
        return quote(expression.this, like=isinstance(expression.parent, exp.Like))

    def alias_sql(self, expression: exp.Alias) -> str:
        return f"{self.sql(expression, 'this')} {self.sql(expression, 'alias')}"

    def table_sql(self, expression: exp.Table, sep: str = " ") -> str:
        return ".".join(part.name for part in expression.parts)

    def column_sql(self, expression: exp.Column) -> str:
        return ".".join(part.name for part in expression.parts)

    def identifier_sql(self, expression: exp.Identifier) -> str:
        return expression.name

    def count_sql(self, expression: exp.Count) -> str:
        return f"COUNT({self.sql(expression, 'this')})"

    def subquery_sql(self, expression: exp.Subquery, sep: str = " ") -> str:
        return f"({self.sql(expression, 'this')})"

    def not_sql(self, expression: exp.Not) -> str:
        inner = expression.this
        if isinstance(inner, exp.In):
            return self.in_sql(inner).replace(" IN ", " NOT IN ", 1)
        return f"NOT {self.sql(inner)}"

    def neq_sql(self, expression: exp.NEQ) -> str:
        return self.binary(expression, "!=")

    def rollup_sql(self, expression: exp.Rollup) -> str:
        return f"ROLLUP({self.expressions(expression, flat=True)})"

    def cube_sql(self, expression: exp.Cube) -> str:
        return f"CUBE({self.expressions(expression, flat=True)})"

    def null_sql(self, *_: Any) -> str:
        return "null"

    def boolean_sql(self, expression: exp.Boolean) -> str:
        return "true" if expression.this else "false"

    def in_sql(self, expression: exp.In) -> str:
        query = expression.args.get("query")
        values = self.sql(query) if query else f"({self.expressions(expression, flat=True)})"
        return f"{self.sql(expression, 'this')} IN {values}"

    def ordered_sql(self, expression: exp.Ordered) -> str:
        desc = expression.args.get("desc")
        text = self.sql(expression, "this") + (" DESC" if desc else " ASC" if desc is False else "")
        nulls_first = bool(expression.args.get("nulls_first"))
        if nulls_first != (not desc):
            text += " NULLS FIRST" if nulls_first else " NULLS LAST"
        return text

    def select_sql(self, expression: exp.Select) -> str:
        meta = expression.meta if expression._meta else {}
        parts = [f"SELECT {self.expressions(expression, flat=True)}", self.sql(expression, "from_")]
        parts += [self.sql(expression, "where")]
        parts += [f"WITH {meta['with']}" if meta.get("with") else ""]
        for key in ("group", "having", "order", "limit", "offset"):
            parts.append(self.sql(expression, key))
        parts += [f"FOR {meta['for']}" if meta.get("for") else ""]
        parts += [f"UPDATE {meta['update']}" if meta.get("update") else ""]
        return " ".join(part.strip() for part in parts if part.strip())

    def from_sql(self, expression: exp.From) -> str:
        return f"FROM {self.sql(expression, 'this')}"

    def where_sql(self, expression: exp.Where) -> str:
        return f"WHERE {self.sql(expression, 'this')}"

    def having_sql(self, expression: exp.Having) -> str:
        return f"HAVING {self.sql(expression, 'this')}"

    def group_sql(self, expression: exp.Group) -> str:
        return f"GROUP BY {self.expressions(expression, flat=True)}"

    def order_sql(self, expression: exp.Order, flat: bool = False) -> str:
        return f"ORDER BY {self.expressions(expression, flat=True)}"

    def limit_sql(self, expression: exp.Limit, top: bool = False) -> str:
        return f"LIMIT {self.sql(expression, 'expression')}"

    def offset_sql(self, expression: exp.Offset) -> str:
        return f"OFFSET {self.sql(expression, 'expression')}"
