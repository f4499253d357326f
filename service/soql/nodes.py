"""sqlglot expression nodes for the parts of SOQL that SQL has no node for.

Every node keeps the source spelling needed to print it back (`to_soql`) and the decoded value a
translator needs; see `service.soql.dialect` for where each appears in a parsed tree.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlglot import exp


class SoqlDate(exp.Expression):
    """An unquoted date literal `2024-01-15`; `this` is `Literal.string("2024-01-15")`."""

    arg_types = {"this": True}

    @property
    def value(self) -> date:
        """The date as a Python value."""
        return date.fromisoformat(self.this.name)


class SoqlDateTime(exp.Expression):
    """An unquoted dateTime literal; `this` is the source text, e.g. `2024-01-15T00:00:00.000+0530`."""

    arg_types = {"this": True}

    @property
    def value(self) -> datetime:
        """The instant as an aware Python datetime (convert with `.astimezone(UTC)`)."""
        return datetime.fromisoformat(self.this.name)


class DateLiteral(exp.Expression):
    """A relative date range: `this` is the upper-case name (`exp.Var`), `expression` the `:n` or None.

    `THIS_MONTH` → DateLiteral(this=Var(THIS_MONTH)); `LAST_N_DAYS:30` → expression=Literal.number(30).
    """

    arg_types = {"this": True, "expression": False}

    @property
    def literal_name(self) -> str:
        """The upper-case literal name, e.g. `LAST_N_DAYS`."""
        return str(self.this.name).upper()

    @property
    def n(self) -> int | None:
        """The `:n` argument, or None for the fixed ranges."""
        arg = self.args.get("expression")
        return int(arg.name) if arg is not None else None


class Includes(exp.Expression, exp.Predicate):
    """`field INCLUDES ('a;b', 'c')`: `this` is the Column, `expressions` the string Literals."""

    arg_types = {"this": True, "expressions": True}


class Excludes(exp.Expression, exp.Predicate):
    """`field EXCLUDES ('a;b', 'c')`: `this` is the Column, `expressions` the string Literals."""

    arg_types = {"this": True, "expressions": True}


class Fields(exp.Expression):
    """`FIELDS(ALL|STANDARD|CUSTOM)` in the select list; `this` is the upper-case `exp.Var`."""

    arg_types = {"this": True}

    @property
    def kind(self) -> str:
        """ALL, STANDARD or CUSTOM."""
        return str(self.this.name).upper()


class TypeOfWhen(exp.Expression):
    """`WHEN Account THEN Phone, Name`: `this` is the object name (`exp.Var`), `expressions` Columns."""

    arg_types = {"this": True, "expressions": True}


class TypeOf(exp.Expression):
    """`TYPEOF What WHEN … THEN … ELSE … END`: `this` the polymorphic Column, `whens`, `default` Columns."""

    arg_types = {"this": True, "whens": True, "default": False}
