"""Field references, aggregates and date functions of a SOQL tree as SQLite SQL.

`Resolver` turns `Account.Owner.Name` into a column of a LEFT JOINed alias (adding the joins to the
plan) and raises Salesforce's INVALID_FIELD / INVALID_TYPE errors with the caret message.
"""

from __future__ import annotations

from datetime import date

from sqlglot import exp

from service.errors import SalesforceError
from service.org.errors import caret_message, malformed_query, sf_error
from service.org.grouping import GROUPING_MARK
from service.org.plan import Join, Plan
from service.org.polymorphic import is_polymorphic, name_object, union_sql
from service.org.store import live, quote
from service.schema import Schema, SField
from service.soql import field_path

AGGREGATES = (exp.Count, exp.Sum, exp.Avg, exp.Min, exp.Max)
SQL_AGG = {exp.Sum: "SUM", exp.Avg: "AVG", exp.Min: "MIN", exp.Max: "MAX"}
DATE_FUNCTIONS = {
    "CALENDAR_YEAR": "CAST(substr({0}, 1, 4) AS INTEGER)",
    "FISCAL_YEAR": "CAST(substr({0}, 1, 4) AS INTEGER)",
    "CALENDAR_MONTH": "CAST(substr({0}, 6, 2) AS INTEGER)",
    "FISCAL_MONTH": "CAST(substr({0}, 6, 2) AS INTEGER)",
    "CALENDAR_QUARTER": "((CAST(substr({0}, 6, 2) AS INTEGER) + 2) / 3)",
    "FISCAL_QUARTER": "((CAST(substr({0}, 6, 2) AS INTEGER) + 2) / 3)",
    "DAY_IN_MONTH": "CAST(substr({0}, 9, 2) AS INTEGER)",
    "HOUR_IN_DAY": "CAST(substr({0}, 12, 2) AS INTEGER)",
    "DAY_ONLY": "substr({0}, 1, 10)",
}
PASS_THROUGH = {"TOLABEL", "FORMAT", "CONVERTCURRENCY"}
HINT_FIELD = (
    "If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. "
    "Please reference your WSDL or the describe call for the appropriate names."
)
HINT_REL = (
    "If you are attempting to use a custom relationship, be sure to append the '__r' after the custom "
    "relationship name. Please reference your WSDL or the describe call for the appropriate names."
)
HINT_TYPE = (
    "If you are attempting to use a custom object, be sure to append the '__c' after the entity name. "
    "Please reference your WSDL or the describe call for the appropriate names."
)


class Resolver:
    """Shared state of one query's translation: schema, text (for carets), time zone, aliases."""

    def __init__(self, schema: Schema, soql: str, tz: str, today: date, include_deleted: bool) -> None:
        self.schema = schema
        self.soql = soql
        self.tz = tz
        self.today = today
        self.include_deleted = include_deleted
        self._aliases = 0

    # --- errors -------------------------------------------------------------------------------

    def _col(self, node: exp.Expr | None) -> int:
        idents = [node] if isinstance(node, exp.Identifier) else list(node.find_all(exp.Identifier)) if node else []
        starts = [i.meta["start"] for i in idents if isinstance(i.meta.get("start"), int)]
        return min(starts) + 1 if starts else 1

    def error(self, code: str, node: exp.Expr | None, text: str) -> SalesforceError:
        """An error with the caret message pointing at `node`."""
        return sf_error(400, code, caret_message(self.soql, self._col(node), text))

    def _alias(self) -> str:
        alias = f"t{self._aliases}"
        self._aliases += 1
        return alias

    # --- fields -------------------------------------------------------------------------------

    def resolve(self, plan: Plan, node: exp.Expr) -> tuple[str, SField, tuple[str, ...]]:
        """SQL, field and relationship path (canonical names) of a field reference; joins as needed."""
        parts = field_path(node)
        obj, alias = plan.obj, plan.alias
        rels: list[str] = []
        if len(parts) > 1 and obj.parent_relationship(parts[0]) is None and parts[0].lower() == obj.name.lower():
            parts = parts[1:]
        for depth, rel in enumerate(parts[:-1]):
            ref = obj.parent_relationship(rel)
            if ref is not None and is_polymorphic(ref):
                if depth != len(parts) - 2:  # Who.Account.Name: the Name object has no relationships
                    raise self.error(
                        "INVALID_FIELD", node, f"Didn't understand relationship '{rel}' in field path. " + HINT_REL
                    )
                alias = self._poly_join(plan, ref, alias, rels)
                obj = self._name_object
                continue
            target = self.schema.get(ref.target) if ref is not None and ref.target else None
            if ref is None or target is None or ref.relationship_name is None:
                raise self.error(
                    "INVALID_FIELD", node, f"Didn't understand relationship '{rel}' in field path. " + HINT_REL
                )
            rels.append(ref.relationship_name)
            key = tuple(rels)
            if key not in plan.joins:
                join = Join(alias=self._alias(), obj=target)
                on = f"{join.alias}.{quote('Id')} = {alias}.{quote(ref.name)}"
                alive = live(target, join.alias)
                plan.join_sql.append(
                    f"LEFT JOIN {quote(target.name)} {join.alias} ON {on}" + (f" AND {alive}" if alive != "1" else "")
                )
                plan.joins[key] = join
            obj, alias = target, plan.joins[key].alias
        f = obj.field(parts[-1])
        if f is None:
            text = f"No such column '{parts[-1]}' on entity '{obj.name}'. {HINT_FIELD}"
            raise self.error("INVALID_FIELD", node, text)
        return f"{alias}.{quote(f.name)}", f, tuple(rels)

    _name_object = name_object()

    def _poly_join(self, plan: Plan, ref: SField, parent_alias: str, rels: list[str]) -> str:
        """LEFT JOIN the `Name` union of a polymorphic lookup; returns its alias."""
        assert ref.relationship_name is not None
        rels.append(ref.relationship_name)
        key = tuple(rels)
        if key not in plan.joins:
            join = Join(alias=self._alias(), obj=self._name_object)
            plan.join_sql.append(
                f"LEFT JOIN {union_sql(self.schema, ref)} {join.alias} "
                f"ON {join.alias}.{quote('Id')} = {parent_alias}.{quote(ref.name)}"
            )
            plan.joins[key] = join
            join.type_index = plan.add_column(f"{join.alias}.{quote('Type')}")
        return plan.joins[key].alias

    def operand(self, plan: Plan, node: exp.Expr) -> str:
        """SQL of a field, date function or aggregate (ORDER BY, GROUP BY, HAVING, aggregate SELECT)."""
        if isinstance(node, exp.Column | exp.Dot):
            return self.resolve(plan, node)[0]
        if isinstance(node, exp.Count):
            if node.this is None:
                return "COUNT(*)"
            return f"COUNT({self.operand(plan, node.this)})"
        for cls, fn in SQL_AGG.items():
            if isinstance(node, cls):
                return f"{fn}({self.operand(plan, node.this)})"
        if isinstance(node, exp.Anonymous):
            name = str(node.name).upper()
            args = node.expressions
            if name == "GROUPING" and len(args) == 1:
                return GROUPING_MARK + self.operand(plan, args[0])
            if name == "COUNT_DISTINCT" and args:
                return f"COUNT(DISTINCT {self.operand(plan, args[0])})"
            if name in DATE_FUNCTIONS and args:
                return DATE_FUNCTIONS[name].format(self.operand(plan, args[0]))
            if name in PASS_THROUGH and args:
                return self.operand(plan, args[0])
        raise malformed_query(f"unexpected token: {node.sql()}")


def is_aggregate(node: exp.Expr) -> bool:
    """True for COUNT/SUM/AVG/MIN/MAX/COUNT_DISTINCT."""
    if isinstance(node, AGGREGATES):
        return True
    return isinstance(node, exp.Anonymous) and str(node.name).upper() == "COUNT_DISTINCT"
