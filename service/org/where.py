"""WHERE and HAVING conditions as SQLite SQL with `?` parameters, under SOQL's semantics.

`!=` and `NOT IN` keep nulls; `NOT (…)` treats unknown as false; `=`/IN on text are
case-insensitive (NOCASE columns); LIKE uses `\\` as escape; date literals become ranges in the org's
time zone; 15-character ids are compared as their 18-character form; semi-joins become `IN (SELECT …)`.
"""

from __future__ import annotations

from datetime import UTC, date
from typing import Any

from sqlglot import exp

from service.org import ids
from service.org.dates import bounds_utc, date_range
from service.org.errors import malformed_query, sf_error
from service.org.literals import accepts, literal_kind, type_message
from service.org.plan import Plan
from service.org.resolve import HINT_TYPE, Resolver
from service.org.store import COMPOUND_TYPES, TEXT_TYPES, live, sf_datetime
from service.schema import SField
from service.soql import nodes as soql_nodes

MAX_NUMBER = 2.0**63
COMPARISONS: dict[type[exp.Expr], str] = {
    exp.EQ: "=",
    exp.NEQ: "<>",
    exp.LT: "<",
    exp.LTE: "<=",
    exp.GT: ">",
    exp.GTE: ">=",
}


class WhereTranslator(Resolver):
    """Conditions (WHERE, HAVING, semi-joins) on top of field resolution."""

    def condition(self, plan: Plan, node: exp.Expr, params: list[Any]) -> str:
        """SQL of a WHERE/HAVING condition; appends its parameters to `params` in order."""
        if isinstance(node, exp.And | exp.Or):
            word = "AND" if isinstance(node, exp.And) else "OR"
            left = self.condition(plan, node.this, params)
            return f"{left} {word} {self.condition(plan, node.expression, params)}"
        if isinstance(node, exp.Paren):
            return f"({self.condition(plan, node.this, params)})"
        if isinstance(node, exp.Not):
            return f"NOT COALESCE(({self.condition(plan, node.this, params)}), 0)"
        if type(node) in COMPARISONS:
            return self._compare(plan, node, params)
        if isinstance(node, exp.Like):
            sql, f = self._left(plan, node.this)
            pattern = node.expression.name
            if not pattern.isascii():  # SQLite's LIKE folds ASCII only
                params.append(pattern.lower())
                return f"sf_lower({sql}) LIKE ? ESCAPE '\\'"
            params.append(pattern)
            return f"{sql} LIKE ? ESCAPE '\\'"
        if isinstance(node, exp.In):
            return self._in(plan, node, params)
        if isinstance(node, soql_nodes.Includes | soql_nodes.Excludes):
            sql, _ = self._left(plan, node.this)
            alternatives = []
            for value in node.expressions:
                parts = [p.strip() for p in value.name.split(";") if p.strip()]
                checks = []
                for p in parts:
                    checks.append(f"(';' || {sql} || ';') LIKE ? ESCAPE '\\'")
                    params.append("%;" + _escape_like(p) + ";%")
                alternatives.append("(" + " AND ".join(checks or ["0"]) + ")")
            test = " OR ".join(alternatives)
            if isinstance(node, soql_nodes.Excludes):
                return f"NOT COALESCE(({test}), 0)"
            return f"({test})"
        raise malformed_query(f"unexpected token: {node.sql()}")

    def _left(self, plan: Plan, node: exp.Expr) -> tuple[str, SField | None]:
        if isinstance(node, exp.Column | exp.Dot):
            self._check(plan, node, "filterable", "can not be filtered in query call")
            sql, f, _ = self.resolve(plan, node)
            return sql, f
        return self.operand(plan, node), None

    def _check(self, plan: Plan, node: exp.Expr, flag: str, text: str) -> None:
        """INVALID_FIELD when a field may not be filtered / sorted (compound, long text, …)."""
        if not isinstance(node, exp.Column | exp.Dot):
            return
        _, f, _ = self.resolve(plan, node)
        if f.type in COMPOUND_TYPES or not getattr(f, flag):
            raise self.error("INVALID_FIELD", node, f"field '{f.name}' {text}")

    def _check_literal(self, f: SField | None, value: exp.Expr, where: exp.Expr) -> None:
        """INVALID_FIELD when the literal's type does not fit the field's describe type."""
        kind = literal_kind(value)
        if f is None or kind is None or f.type in COMPOUND_TYPES or accepts(f.type, kind):
            return
        raise self.error("INVALID_FIELD", value if value.find(exp.Identifier) else where, type_message(f.name, f.type))

    def _compare(self, plan: Plan, node: exp.Expr, params: list[Any]) -> str:
        op = COMPARISONS[type(node)]
        sql, f = self._left(plan, node.this)
        value = node.expression
        if isinstance(value, exp.Null):
            if op == "=":
                return f"{sql} IS NULL"
            if op == "<>":
                return f"{sql} IS NOT NULL"
            raise malformed_query(f"unexpected token: {op} null")
        self._check_literal(f, value, node)
        ftype = f.type if f is not None else ""
        if isinstance(value, soql_nodes.DateLiteral):
            lo, hi = self._range(value, ftype)
            if op == "=":
                params.extend([lo, hi])
                return f"({sql} >= ? AND {sql} < ?)"
            if op == "<>":
                params.extend([lo, hi])
                return f"({sql} IS NULL OR {sql} < ? OR {sql} >= ?)"
            bound = {"<": lo, ">=": lo, ">": hi, "<=": hi}[op]
            params.append(bound)
            return f"{sql} {'<' if op in ('<', '<=') else '>='} ?"
        param = self.value(value, f, node)
        if _unicode_text(f, param) and op in ("=", "<>"):
            # NOCASE folds ASCII only: compare Unicode lower case (Müller = MÜLLER), as Salesforce does
            sql, param = f"sf_lower({sql})", param.lower()
        params.append(param)
        if op == "<>":
            return f"({sql} IS NULL OR {sql} <> ?)"
        return f"{sql} {op} ?"

    def _range(self, value: exp.Expr, ftype: str) -> tuple[str, str]:
        if isinstance(value, soql_nodes.DateLiteral):
            try:
                start, end = date_range(value.literal_name, value.n, self.today)
            except KeyError:
                raise malformed_query(f"unexpected token: {value.literal_name}") from None
            except (OverflowError, ValueError):
                # LAST_N_DAYS:99999999 reaches past year 9999: a bad value, never a server error
                raise sf_error(
                    400, "NUMBER_OUTSIDE_VALID_RANGE", f"{value.literal_name}:{value.n} is outside the valid date range"
                ) from None
        else:
            assert isinstance(value, soql_nodes.SoqlDate)
            start = value.value
            end = date.fromordinal(start.toordinal() + 1)
        if ftype == "datetime":
            lo, hi = bounds_utc(start, end, self.tz)
            return sf_datetime(lo), sf_datetime(hi)
        return start.isoformat(), end.isoformat()

    def _in(self, plan: Plan, node: exp.In, params: list[Any]) -> str:
        sql, f = self._left(plan, node.this)
        query = node.args.get("query")
        if query is not None:
            inner = query.this if isinstance(query, exp.Subquery) else query
            return f"{sql} IN ({self._semi_join(inner, params)})"
        values = node.expressions
        for v in values:
            self._check_literal(f, v, node)
        has_null = any(isinstance(v, exp.Null) for v in values)
        concrete = [v for v in values if not isinstance(v, exp.Null)]
        parts = []
        if concrete:
            found = [self.value(v, f, node) for v in concrete]
            if any(_unicode_text(f, v) for v in found):
                sql, found = f"sf_lower({sql})", [v.lower() if isinstance(v, str) else v for v in found]
            parts.append(f"{sql} IN ({', '.join('?' * len(concrete))})")
            params.extend(found)
        if has_null:
            parts.append(f"{sql} IS NULL")
        return "(" + " OR ".join(parts) + ")" if len(parts) > 1 else (parts[0] if parts else "0")

    def _semi_join(self, tree: exp.Select, params: list[Any]) -> str:
        table = tree.args["from_"].this
        obj = self.schema.get(table.name)
        if obj is None:
            raise self.error("INVALID_TYPE", table, f"sObject type '{table.name}' is not supported. {HINT_TYPE}")
        if len(tree.expressions) != 1 or not isinstance(tree.expressions[0], exp.Column | exp.Dot):
            raise malformed_query("The semi join sub-select must select exactly one Id or reference field")
        sub = Plan(obj=obj, alias=self._alias())
        column, _, _ = self.resolve(sub, tree.expressions[0])
        where = tree.args.get("where")
        conditions = [live(obj, sub.alias)]
        if where is not None:
            conditions.append(f"({self.condition(sub, where.this, params)})")
        return f"SELECT {column} FROM {sub.from_sql} WHERE {' AND '.join(conditions)}"

    def value(self, node: exp.Expr, f: SField | None, where: exp.Expr) -> Any:
        """The SQLite parameter for a literal compared with field `f`."""
        ftype = f.type if f is not None else ""
        if isinstance(node, exp.Boolean):
            return 1 if node.this else 0
        if isinstance(node, soql_nodes.SoqlDateTime):
            moment = node.value
            return moment.astimezone(UTC).date().isoformat() if ftype == "date" else sf_datetime(moment)
        if isinstance(node, soql_nodes.SoqlDate):
            return node.value.isoformat()
        if isinstance(node, exp.Literal):
            if node.is_string:
                text = node.name
                if ftype in ("id", "reference"):
                    record_id = ids.normalize(text)
                    if record_id is None:
                        raise self.error("INVALID_QUERY_FILTER_OPERATOR", where, f"invalid ID field: {text}")
                    return record_id
                return text
            number = float(node.name)
            if not abs(number) < MAX_NUMBER:  # also inf; SQLite holds 64-bit integers and finite doubles
                raise self.error("NUMBER_OUTSIDE_VALID_RANGE", where, f"{node.name} is outside the valid range")
            return int(number) if number.is_integer() and ftype not in ("double", "currency", "percent") else number
        raise malformed_query(f"unexpected token: {node.sql()}")


def _unicode_text(f: SField | None, value: Any) -> bool:
    """True for a non-ASCII string compared with a case-insensitive text field."""
    return isinstance(value, str) and not value.isascii() and f is not None and f.type in TEXT_TYPES


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
