"""SOQL → SQLite: translate the dialect's tree (`service.soql.parse_soql`) into a `Plan`.

Nothing is filtered in Python: relationship paths become LEFT JOINs (`Account.Owner.Name` joins
Account then User), WHERE becomes SQL with `?` parameters, date literals become ranges in the
org's time zone, `=`/IN/ORDER BY on text are case-insensitive through `COLLATE NOCASE` columns and
LIKE is SQLite's case-insensitive LIKE with `\\` as escape. SOQL's two-valued logic: `!=` and
`NOT IN` include nulls, `NOT (…)` treats unknown as false. Errors are Salesforce's:
MALFORMED_QUERY, INVALID_TYPE and INVALID_FIELD with the caret message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import UTC, date
from typing import Any

from sqlglot import exp

from service.errors import SalesforceError
from service.org import ids
from service.org.dates import bounds_utc, date_range
from service.org.errors import caret_message, malformed_query, sf_error
from service.org.store import COMPOUND_TYPES, live, quote, sf_datetime
from service.schema import ChildRelationship, Schema, SField, SObject
from service.soql import SoqlSyntaxError, field_path, parse_soql
from service.soql import nodes as soql_nodes

MAX_OFFSET = 2000
COMPARISONS: dict[type[exp.Expr], str] = {
    exp.EQ: "=", exp.NEQ: "<>", exp.LT: "<", exp.LTE: "<=", exp.GT: ">", exp.GTE: ">=",
}
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
HINT_FIELD = ("If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. "
              "Please reference your WSDL or the describe call for the appropriate names.")
HINT_REL = ("If you are attempting to use a custom relationship, be sure to append the '__r' after the custom "
            "relationship name. Please reference your WSDL or the describe call for the appropriate names.")
HINT_TYPE = ("If you are attempting to use a custom object, be sure to append the '__c' after the entity name. "
             "Please reference your WSDL or the describe call for the appropriate names.")
_CHILD_FROM = re.compile(r"(\(\s*SELECT\b[^()]*?\bFROM\s+)([A-Za-z_]\w*)\.([A-Za-z_]\w*)", re.IGNORECASE)


@dataclass
class Join:
    """A parent reached through a relationship path."""

    alias: str
    obj: SObject
    id_index: int = -1


@dataclass
class Item:
    """One output key of a record: a field (maybe through parents), a child subquery or an aggregate."""

    key: str
    kind: str  # "field" | "address" | "child" | "agg"
    rels: tuple[str, ...] = ()
    field: SField | None = None
    index: int = -1
    indexes: dict[str, int] = dc_field(default_factory=dict)
    child: ChildPlan | None = None


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


class Translator:
    """Builds Plans for one query text (aliases are unique across the whole query)."""

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

    # --- structure ----------------------------------------------------------------------------

    def top(self, tree: exp.Select) -> Plan:
        """Plan the outer query."""
        table = tree.args["from_"].this
        obj = self.schema.get(table.name)
        if obj is None:
            raise self.error("INVALID_TYPE", table, f"sObject type '{table.name}' is not supported. {HINT_TYPE}")
        plan = Plan(obj=obj, alias=self._alias())
        self._fill(plan, tree, top=True)
        return plan

    def _fill(self, plan: Plan, tree: exp.Select, top: bool) -> None:
        group = tree.args.get("group")
        items = list(tree.expressions)
        plan.aggregate = bool(group) or any(isinstance(i.unalias(), AGGREGATES + (exp.Anonymous,)) and
                                            _is_aggregate(i.unalias()) for i in items)
        if len(items) == 1 and isinstance(items[0], exp.Count) and items[0].this is None and not group:
            plan.count_only = True
        elif any(isinstance(i, exp.Count) and i.this is None for i in items):
            raise malformed_query("COUNT() must be the only element in the SELECT list")
        if not plan.aggregate and not plan.count_only:
            plan.add_column(f"{plan.alias}.{quote('Id')}")
        where = tree.args.get("where")
        if where is not None:
            plan.where = self.condition(plan, where.this, plan.where_params)
        if not self.include_deleted or not top:
            plan.index_hint = plan.count_only and where is None and plan.obj.field("IsDeleted") is not None
            alive = live(plan.obj, plan.alias, indexed=plan.index_hint)
            plan.where = f"{alive} AND ({plan.where})" if plan.where else alive
        grouped = [self.operand(plan, g) for g in group.expressions] if group is not None else []
        plan.group = ", ".join(grouped)
        if not plan.count_only:
            self._select(plan, items, top, set(grouped))
        having = tree.args.get("having")
        if having is not None:
            plan.having = self.condition(plan, having.this, plan.having_params)
        order = tree.args.get("order")
        terms = []
        for o in order.expressions if order is not None else []:
            direction = "DESC" if o.args.get("desc") else "ASC"
            nulls = "NULLS FIRST" if o.args.get("nulls_first") else "NULLS LAST"
            self._check(plan, o.this, "sortable", "can not be sorted in a query call")
            terms.append(f"{self.operand(plan, o.this)} {direction} {nulls}")
        if terms and not plan.aggregate:
            # A stable tie-break keeps queryMore pages consistent; without ORDER BY SQLite's plan order
            # is already deterministic and forcing rowid order would defeat index-driven joins.
            terms.append(f"{plan.alias}.rowid")
        plan.order = ", ".join(terms)
        limit, offset = tree.args.get("limit"), tree.args.get("offset")
        plan.limit = int(limit.expression.name) if limit is not None else None
        plan.offset = int(offset.expression.name) if offset is not None else 0
        if plan.offset > MAX_OFFSET:
            raise sf_error(400, "NUMBER_OUTSIDE_VALID_RANGE", f"Maximum SOQL offset allowed is {MAX_OFFSET}")

    def _select(self, plan: Plan, items: list[exp.Expr], top: bool, grouped: set[str]) -> None:
        expr_n = 0
        for item in items:
            node = item.unalias()
            alias = item.alias if isinstance(item, exp.Alias) else None
            if isinstance(node, soql_nodes.Fields):
                for f in plan.obj.fields.values():
                    if node.kind == "CUSTOM" and not f.name.endswith("__c"):
                        continue
                    self._add_field(plan, [], f, f.name)
            elif isinstance(node, exp.Subquery):
                if plan.aggregate:
                    raise malformed_query("Nested queries are not supported in aggregate queries")
                if not top:
                    raise malformed_query("Nesting of semi join sub-selects is not supported")
                plan.items.append(self._child(plan, node.this))
            elif isinstance(node, soql_nodes.TypeOf):
                raise self.error("INVALID_FIELD", node, "TYPEOF is only allowed on polymorphic relationships")
            elif plan.aggregate and (_is_aggregate(node) or isinstance(node, exp.Anonymous)):
                sql = self.operand(plan, node)
                if not _is_aggregate(node) and sql not in grouped:
                    raise malformed_query(f"Field must be grouped or aggregated: {node.sql()}")
                key = alias or f"expr{expr_n}"
                if not alias:
                    expr_n += 1
                plan.items.append(Item(key=key, kind="agg", index=plan.add_column(sql)))
            elif isinstance(node, exp.Anonymous) and str(node.name).upper() in PASS_THROUGH:
                sql, f, rels = self.resolve(plan, node.expressions[0])
                self._add_field(plan, list(rels), f, alias or f.name, sql)
            elif isinstance(node, exp.Column | exp.Dot):
                sql, f, rels = self.resolve(plan, node)
                if plan.aggregate:
                    if sql not in grouped:
                        raise malformed_query(f"Field must be grouped or aggregated: {f.name}")
                    plan.items.append(Item(key=alias or f.name, kind="agg", index=plan.add_column(sql)))
                else:
                    self._add_field(plan, list(rels), f, f.name, sql)
            else:
                raise malformed_query(f"unexpected token: {node.sql()}")

    def _add_field(self, plan: Plan, rels: list[str], f: SField, key: str, sql: str | None = None) -> None:
        alias = plan.joins[tuple(rels)].alias if rels else plan.alias
        for depth in range(1, len(rels) + 1):
            join = plan.joins[tuple(rels[:depth])]
            if join.id_index < 0:
                join.id_index = plan.add_column(f"{join.alias}.{quote('Id')}")
        if f.type in COMPOUND_TYPES:
            obj = plan.joins[tuple(rels)].obj if rels else plan.obj
            prefix = f.name[: -len("Address")] if f.name.endswith("Address") else ""
            keys = ("city", "country", "geocodeAccuracy", "latitude", "longitude", "postalCode", "state", "street")
            indexes = {
                k: plan.add_column(f"{alias}.{quote(prefix + k[0].upper() + k[1:])}")
                for k in keys
                if obj.field(prefix + k[0].upper() + k[1:]) is not None
            }
            plan.items.append(Item(key=key, kind="address", rels=tuple(rels), field=f, indexes=indexes))
            return
        index = plan.add_column(sql or f"{alias}.{quote(f.name)}")
        plan.items.append(Item(key=key, kind="field", rels=tuple(rels), field=f, index=index))

    def _child(self, parent: Plan, tree: exp.Select) -> Item:
        table = tree.args["from_"].this
        rel = parent.obj.child_relationship(table.name)
        child_obj = self.schema.get(rel.child_object) if rel is not None else None
        if rel is None or child_obj is None:
            raise self.error(
                "INVALID_TYPE", table, f"Didn't understand relationship '{table.name}' in FROM part of query call. "
                + HINT_REL
            )
        plan = Plan(obj=child_obj, alias=self._alias())
        self._fill(plan, tree, top=False)
        if plan.aggregate or plan.count_only:
            raise malformed_query("Aggregate functions are not supported in a child relationship subquery")
        return Item(key=rel.name, kind="child", child=ChildPlan(rel, plan, rel.field))

    # --- fields -------------------------------------------------------------------------------

    def resolve(self, plan: Plan, node: exp.Expr) -> tuple[str, SField, tuple[str, ...]]:
        """SQL, field and relationship path (canonical names) of a field reference; joins as needed."""
        parts = field_path(node)
        obj, alias, rels = plan.obj, plan.alias, []
        if len(parts) > 1 and obj.parent_relationship(parts[0]) is None and parts[0].lower() == obj.name.lower():
            parts = parts[1:]
        for rel in parts[:-1]:
            ref = obj.parent_relationship(rel)
            target = self.schema.get(ref.target) if ref is not None and ref.target else None
            if ref is None or target is None or ref.relationship_name is None:
                raise self.error("INVALID_FIELD", node, f"Didn't understand relationship '{rel}' in field path. "
                                 + HINT_REL)
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
            if name == "COUNT_DISTINCT" and args:
                return f"COUNT(DISTINCT {self.operand(plan, args[0])})"
            if name in DATE_FUNCTIONS and args:
                return DATE_FUNCTIONS[name].format(self.operand(plan, args[0]))
            if name in PASS_THROUGH and args:
                return self.operand(plan, args[0])
        raise malformed_query(f"unexpected token: {node.sql()}")

    # --- conditions ---------------------------------------------------------------------------

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
            params.append(node.expression.name)
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
        ftype = f.type if f is not None else ""
        day_on_datetime = isinstance(value, soql_nodes.SoqlDate) and ftype == "datetime"
        if isinstance(value, soql_nodes.DateLiteral) or day_on_datetime:
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
        params.append(self.value(value, f, node))
        if op == "<>":
            return f"({sql} IS NULL OR {sql} <> ?)"
        return f"{sql} {op} ?"

    def _range(self, value: exp.Expr, ftype: str) -> tuple[str, str]:
        if isinstance(value, soql_nodes.DateLiteral):
            try:
                start, end = date_range(value.literal_name, value.n, self.today)
            except KeyError:
                raise malformed_query(f"unexpected token: {value.literal_name}") from None
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
        has_null = any(isinstance(v, exp.Null) for v in values)
        concrete = [v for v in values if not isinstance(v, exp.Null)]
        parts = []
        if concrete:
            parts.append(f"{sql} IN ({', '.join('?' * len(concrete))})")
            params.extend(self.value(v, f, node) for v in concrete)
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
            return int(number) if number.is_integer() and ftype not in ("double", "currency", "percent") else number
        raise malformed_query(f"unexpected token: {node.sql()}")


def _is_aggregate(node: exp.Expr) -> bool:
    if isinstance(node, AGGREGATES):
        return True
    return isinstance(node, exp.Anonymous) and str(node.name).upper() == "COUNT_DISTINCT"


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def parse(soql: str) -> exp.Select:
    """Parse with the shared dialect; syntax errors become MALFORMED_QUERY as Salesforce words them."""
    try:
        return parse_soql(soql)
    except SoqlSyntaxError as err:
        # `(SELECT … FROM Account.Contacts)`: Salesforce accepts the parent-qualified child relationship.
        rewritten = _CHILD_FROM.sub(lambda m: m.group(1) + m.group(3) + " " * (len(m.group(2)) + 1), soql)
        if rewritten != soql:
            try:
                return parse_soql(rewritten)
            except SoqlSyntaxError:
                pass
        first = soql.strip().split(None, 1)[0] if soql.strip() else ""
        if first and first.upper() != "SELECT":
            raise malformed_query(f"unexpected token: {first}") from None
        raise malformed_query(err.message) from None


def translate(schema: Schema, soql: str, *, tz: str, today: date, include_deleted: bool = False) -> Plan:
    """The Plan of a SOQL query (raises Salesforce-shaped errors)."""
    tree = parse(soql)
    return Translator(schema, soql, tz, today, include_deleted).top(tree)
