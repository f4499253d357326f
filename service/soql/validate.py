"""What SOQL allows of the trees sqlglot's parser builds: an allow-list walk.

sqlglot's parser accepts far more than SOQL (joins, arithmetic, CASE, field-to-field comparisons);
every node is checked here against the clause it sits in, so anything not listed is refused.
The walk also moves the WITH / FOR / UPDATE clauses into `select.meta`.
"""

from __future__ import annotations

from sqlglot import exp

from service.soql import nodes
from service.soql.errors import SoqlSyntaxError
from service.soql.lexer import KEYWORDS

_SELECT_ARGS = {"expressions", "from_", "where", "group", "having", "order", "limit", "offset"}
_META_ARGS = {"soql_with": "with", "soql_for": "for", "soql_update": "update"}
_AGGREGATES = (exp.Count, exp.Sum, exp.Avg, exp.Min, exp.Max)
SOQL_FUNCTIONS = frozenset(
    """COUNT_DISTINCT GROUPING TOLABEL FORMAT CONVERTCURRENCY CONVERTTIMEZONE CALENDAR_MONTH
    CALENDAR_QUARTER CALENDAR_YEAR DAY_IN_MONTH DAY_IN_WEEK DAY_IN_YEAR DAY_ONLY FISCAL_MONTH
    FISCAL_QUARTER FISCAL_YEAR HOUR_IN_DAY WEEK_IN_MONTH WEEK_IN_YEAR DISTANCE GEOLOCATION""".split()
)
_COMPARISONS = (exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT, exp.GTE)
_VALUES = (exp.Literal, exp.Null, exp.Boolean, nodes.SoqlDate, nodes.SoqlDateTime, nodes.DateLiteral)


def _fail(message: str, node: exp.Expr | None = None) -> None:
    """Refuse, pointing at the first name in `node` when it has one (literals carry no position)."""
    ident = node if isinstance(node, exp.Identifier) else (node.find(exp.Identifier) if node else None)
    start = ident.meta.get("start") if ident is not None and ident._meta else None
    raise SoqlSyntaxError(message, start + 1 if isinstance(start, int) else 0)


def validate(select: exp.Select, *, child: bool = False) -> None:
    """Refuse anything in `select` that is not SOQL; `child` for subqueries (no nesting below)."""
    for key, meta_key in _META_ARGS.items():
        value = select.args.pop(key, None)
        if value is not None:
            select.meta[meta_key] = value.name.upper()
    extra = [k for k, v in select.args.items() if v and k not in _SELECT_ARGS]
    if "joins" in extra:
        _fail("SOQL queries one object: reach related records through fields like Account.Name")
    if extra:
        _fail(f"SOQL does not support {extra[0].rstrip('_').upper()} here")
    source = select.args.get("from_")
    table = source.this if source else None
    if (
        not isinstance(table, exp.Table)
        or not isinstance(table.this, exp.Identifier)
        or any(v for k, v in table.args.items() if k != "this")
    ):
        _fail("Name one object after FROM, without an alias, e.g. FROM Contact", table)
    if not select.expressions:
        _fail("Name the fields to select, e.g. SELECT Id, Name FROM Contact")
    for item in select.expressions:
        _select_item(item, child)
    if any(isinstance(i, exp.Alias) and is_field(i.this) for i in select.expressions) and not (
        select.args.get("group") or any(is_aggregate(i) for i in select.expressions)
    ):
        _fail("Only aggregate queries can give a plain field an alias: remove the alias")
    if len(select.expressions) > 1 and any(isinstance(i, exp.Count) and i.this is None for i in select.expressions):
        _fail("COUNT() cannot be combined with other fields: select COUNT() alone")
    for key, aggregate in (("where", False), ("having", True)):
        clause = select.args.get(key)
        if clause is not None:
            _condition(clause.this, aggregate, child)
    group = select.args.get("group")
    if group is not None:
        for item in group.expressions:
            if isinstance(item, (exp.Rollup, exp.Cube)):
                for inner in item.expressions:
                    _field_or_function(inner, False)
            else:
                _field_or_function(item, False)
    order = select.args.get("order")
    if order is not None:
        for ordered in order.expressions:
            _field_or_function(ordered.this, True)
    for key in ("limit", "offset"):
        clause = select.args.get(key)
        if clause is not None:
            value = clause.expression
            if not (isinstance(value, exp.Literal) and value.is_int and int(value.name) >= 0):
                _fail(f"{key.upper()} needs a whole number of zero or more, e.g. {key.upper()} 10")


def is_aggregate(node: exp.Expr) -> bool:
    """COUNT, COUNT_DISTINCT, SUM, AVG, MIN or MAX (under an alias or not)."""
    node = node.unalias()
    return isinstance(node, _AGGREGATES) or (
        isinstance(node, exp.Anonymous) and str(node.this).upper() == "COUNT_DISTINCT"
    )


def is_field(node: exp.Expr) -> bool:
    """A (possibly dotted) field reference: a Column, or a Dot chain of identifiers on a Column."""
    while isinstance(node, exp.Dot):
        if not isinstance(node.expression, exp.Identifier):
            return False
        node = node.this
    return isinstance(node, exp.Column) and isinstance(node.this, exp.Identifier)


def _field_or_function(node: exp.Expr, aggregate: bool) -> None:
    if is_field(node):
        return
    if aggregate and isinstance(node, _AGGREGATES):
        if any(v for k, v in node.args.items() if k not in ("this", "big_int")):
            _fail(f"{node.key.upper()}() takes one field", node)
        if node.this is not None:
            _field_or_function(node.this, False)
        return
    if isinstance(node, exp.Anonymous) and str(node.this).upper() in SOQL_FUNCTIONS:
        for arg in node.expressions:
            if isinstance(arg, exp.Anonymous):
                _field_or_function(arg, False)
            elif not (is_field(arg) or isinstance(arg, exp.Literal)):
                _fail(f"{node.this}() takes a field", node)
        return
    _fail(f"Expected a field here, not {_show(node)}", node)


def _select_item(item: exp.Expr, child: bool) -> None:
    if isinstance(item, exp.Alias):
        alias = item.args.get("alias")
        if not isinstance(alias, exp.Identifier) or alias.name.upper() in KEYWORDS:
            _fail("unexpected token: write an alias as a plain word after the aggregate")
        item = item.this
        if is_field(item):
            return
    if isinstance(item, exp.Subquery):
        if child or not isinstance(item.this, exp.Select):
            _fail("Child subqueries cannot be nested: query the child relationship once")
        validate(item.this, child=True)
        return
    if isinstance(item, (nodes.Fields, nodes.TypeOf)):
        return
    _field_or_function(item, True)


def _condition(root: exp.Expr, aggregate: bool, child: bool) -> None:
    stack = [root]  # explicit stack: long AND/OR chains are left-deep trees
    while stack:
        node = stack.pop()
        if isinstance(node, (exp.And, exp.Or)):
            stack += [node.this, node.expression]
        elif isinstance(node, (exp.Not, exp.Paren)):
            stack.append(node.this)
        else:
            _predicate(node, aggregate, child)


def _predicate(node: exp.Expr, aggregate: bool, child: bool) -> None:
    if isinstance(node, _COMPARISONS + (exp.Like,)):
        if not (is_field(node.this) or isinstance(node.this, (exp.Anonymous,) + _AGGREGATES)):
            _fail("Each condition needs a field on the left, e.g. Name = 'Acme'", node)
        _field_or_function(node.this, aggregate)
        _value(node.expression)
        if isinstance(node, exp.Like) and not (isinstance(node.expression, exp.Literal) and node.expression.is_string):
            _fail("LIKE needs a quoted pattern, e.g. Name LIKE 'Acme%'", node)
    elif isinstance(node, (exp.In, nodes.Includes, nodes.Excludes)):
        _field_or_function(node.this, aggregate)
        query = node.args.get("query")
        if query is not None:
            if child or not isinstance(query, exp.Subquery) or not isinstance(query.this, exp.Select):
                _fail("Semi-join subqueries cannot be nested")
            validate(query.this, child=True)
            if len(query.this.expressions) != 1 or not is_field(query.this.expressions[0]):
                _fail("A subquery after IN selects exactly one field, e.g. (SELECT AccountId FROM Contact)", node)
        elif not node.expressions:
            _fail("IN needs at least one value, e.g. Status IN ('Open')")
        for value in node.expressions:
            _value(value)
    else:
        _fail(f"SOQL cannot use this as a condition: {_show(node)}", node)


def _value(node: exp.Expr | None) -> None:
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and node.this.is_number:
        return
    if not isinstance(node, _VALUES):
        if node is not None and is_field(node):
            _fail("Put text values in single quotes, e.g. Status = 'Open': SOQL cannot compare two fields", node)
        _fail(f"Expected a value, not {_show(node)}", node)


def _show(node: exp.Expr | None) -> str:
    if node is None:
        return "nothing"
    from service.soql.dialect import to_soql  # the dialect imports this module

    try:
        return repr(to_soql(node))
    except Exception:  # an SQL-only node SOQL's printer has no spelling for
        return type(node).__name__.upper()
