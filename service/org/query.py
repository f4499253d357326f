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
from datetime import date

from sqlglot import exp

from service.org.errors import malformed_query, sf_error
from service.org.grammar import check_and_or, check_fields_limit, from_syntax_error
from service.org.grouping import GROUPING_MARK, grouping_sets
from service.org.plan import ChildPlan, Item, Plan
from service.org.resolve import AGGREGATES, HINT_REL, HINT_TYPE, PASS_THROUGH, is_aggregate
from service.org.store import COMPOUND_TYPES, live, quote
from service.org.typeof import TypeOfTranslator, picklist_labels
from service.schema import Schema, SField
from service.soql import SoqlSyntaxError, parse_soql
from service.soql import nodes as soql_nodes

__all__ = ["ChildPlan", "Item", "Plan", "Translator", "parse", "translate"]

MAX_OFFSET = 2000
_CHILD_FROM = re.compile(r"(\(\s*SELECT\b[^()]*?\bFROM\s+)([A-Za-z_]\w*)\.([A-Za-z_]\w*)", re.IGNORECASE)


class Translator(TypeOfTranslator):
    """Builds Plans for one query text (aliases are unique across the whole query)."""

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
        plan.aggregate = bool(group) or any(
            isinstance(i.unalias(), AGGREGATES + (exp.Anonymous,)) and is_aggregate(i.unalias()) for i in items
        )
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
        grouped = self._group(plan, group.expressions if group is not None else [])
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

    def _group(self, plan: Plan, items: list[exp.Expr]) -> list[str]:
        """SQL of the GROUP BY items; ROLLUP/CUBE become grouping sets on the plan."""
        fixed: list[str] = []
        rolled: list[str] | None = None
        cube = False
        for g in items:
            if isinstance(g, exp.Rollup | exp.Cube):
                if rolled is not None:
                    raise malformed_query(f"unexpected token: {g.key.upper()}")
                rolled, cube = [self.operand(plan, e) for e in g.expressions], isinstance(g, exp.Cube)
            else:
                fixed.append(self.operand(plan, g))
        if rolled is not None:
            plan.grouping_sets = grouping_sets(fixed, rolled, cube)
        plan.grouped = fixed + (rolled or [])
        return plan.grouped

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
                if plan.aggregate:
                    raise malformed_query("TYPEOF is not supported in aggregate queries")
                plan.items.append(self._typeof(plan, node))
            elif plan.aggregate and (is_aggregate(node) or isinstance(node, exp.Anonymous)):
                sql = self.operand(plan, node)
                if not is_aggregate(node) and sql.removeprefix(GROUPING_MARK) not in grouped:
                    raise malformed_query(f"Field must be grouped or aggregated: {node.sql()}")
                key = alias or f"expr{expr_n}"
                if not alias:
                    expr_n += 1
                plan.items.append(Item(key=key, kind="agg", index=plan.add_column(sql)))
            elif isinstance(node, exp.Anonymous) and str(node.name).upper() in PASS_THROUGH:
                sql, f, rels = self.resolve(plan, node.expressions[0])
                self._add_field(plan, list(rels), f, alias or f.name, sql)
                if str(node.name).upper() == "FORMAT":
                    plan.items[-1].fmt_tz = self.tz
                elif str(node.name).upper() == "TOLABEL":
                    owner = plan.joins[tuple(rels)].obj if rels else plan.obj
                    plan.items[-1].labels = picklist_labels(owner, f.name)
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
                "INVALID_TYPE",
                table,
                f"Didn't understand relationship '{table.name}' in FROM part of query call. " + HINT_REL,
            )
        plan = Plan(obj=child_obj, alias=self._alias())
        self._fill(plan, tree, top=False)
        if plan.aggregate or plan.count_only:
            raise malformed_query("Aggregate functions are not supported in a child relationship subquery")
        return Item(key=rel.name, kind="child", child=ChildPlan(rel, plan, rel.field))


def parse(soql: str) -> exp.Select:
    """Parse with the shared dialect plus Salesforce's own rules; errors worded as Salesforce words them."""
    tree = _parse(soql)
    check_and_or(soql)
    check_fields_limit(tree)
    return tree


def _parse(soql: str) -> exp.Select:
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
        raise from_syntax_error(soql, err) from None


def translate(schema: Schema, soql: str, *, tz: str, today: date, include_deleted: bool = False) -> Plan:
    """The Plan of a SOQL query (raises Salesforce-shaped errors)."""
    tree = parse(soql)
    return Translator(schema, soql, tz, today, include_deleted).top(tree)
