"""Typed WHERE values: literals repaired to the field's type, mixed AND/OR and out-of-range N refused.

Salesforce refuses a quoted value compared with a date, dateTime, boolean or number field
(INVALID_FIELD "… must be of type date and should not be enclosed in quotes"), and a date compared
with a dateTime field. Agents write `IsConverted = 'false'` and `CreatedDate > '2024-01-01'` all the
time, so the policy repairs what has one meaning, using the field types describe reports:

* `'false'` → `false`, `'100000'` → `100000`, `'2024-01-01'` → `2024-01-01` on a date field,
  `'2024-01-01T08:00:00Z'` → unquoted on a dateTime field, `'THIS_MONTH'` → `THIS_MONTH`.
* A date against a dateTime field becomes the day's UTC boundaries, keeping the operator's
  meaning: `> D` is "after that day" (`>= D+1T00:00:00Z`), `<= D` is `< D+1T00:00:00Z`,
  `= D` is the day's range and `!= D` its complement.

`a OR b AND c` is refused: SQL precedence reads it as `a OR (b AND c)`, which is rarely what a
caller's question meant, so the suggestion spells that reading out in parentheses. The `:n` of a
date literal is bounded by Salesforce's valid dates (1700-01-01 to 4000-12-31).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from sqlglot import exp

from service.schema import Schema, SField, SObject
from service.soql import nodes
from service.soql.lexer import DATE_LITERALS_FIXED, DATE_LITERALS_WITH_N
from service.soql.paths import field_path
from service.soql.rules import Change, Refusal
from service.soql.validate import is_field

EARLIEST = date(1700, 1, 1)  # Salesforce's documented range of valid dates
LATEST = date(4000, 12, 31)
_NUMERIC = frozenset({"int", "double", "currency", "percent", "long"})
_COMPARISONS = (exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT, exp.GTE)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_WITH_N = re.compile(r"([A-Z_]+)\s*:\s*(\d+)")
_KIND = {"int": "a number", "long": "a number", "double": "a number", "currency": "an amount", "percent": "a number"}


def check_literals(select: exp.Select, obj: SObject, schema: Schema, changes: list[Change], today: date) -> None:
    """Refuse mixed AND/OR and out-of-range N; repair quoted typed values in place (every SELECT)."""
    for clause in ("where", "having"):
        node = select.args.get(clause)
        if node is None:
            continue
        for predicate in _predicates(node.this):
            values = predicate.expressions if isinstance(predicate, (exp.In, nodes.Includes)) else []
            for value in (predicate.args.get("expression"), *values):
                if isinstance(value, nodes.DateLiteral):
                    _check_n(value, today)
            query = predicate.args.get("query") if isinstance(predicate, exp.In) else None
            if isinstance(query, exp.Subquery) and isinstance(query.this, exp.Select):
                inner = schema.get(query.this.args["from_"].this.name)
                if inner is not None:
                    check_literals(query.this, inner, schema, changes, today)
            elif clause == "where":
                _repair(predicate, obj, schema, changes)
    for item in select.expressions:
        if isinstance(item, exp.Subquery) and isinstance(item.this, exp.Select):
            rel = obj.child_relationship(item.this.args["from_"].this.name)
            child = schema.get(rel.child_object) if rel is not None else None
            if child is not None:
                check_literals(item.this, child, schema, changes, today)


def _predicates(root: exp.Expr) -> list[exp.Expr]:
    """The comparisons under AND / OR / NOT / parentheses; refuses `a OR b AND c` on the way."""
    out: list[exp.Expr] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, exp.Or) and (isinstance(node.this, exp.And) or isinstance(node.expression, exp.And)):
            raise Refusal(
                "This condition mixes AND and OR without parentheses. AND binds tighter, so it reads as "
                f"{_read(root)}. Add parentheses to say which you mean.",
                fix=_parenthesise,
            )
        if isinstance(node, (exp.And, exp.Or)):
            stack += [node.expression, node.this]
        elif isinstance(node, (exp.Not, exp.Paren)):
            stack.append(node.this)
        else:
            out.append(node)
    return out


def _read(root: exp.Expr) -> str:
    from service.soql.dialect import to_soql  # the dialect imports the policy's modules

    copy = root.copy()
    _wrap_ands(copy)
    return to_soql(copy)


def _wrap_ands(root: exp.Expr) -> None:
    for node in list(root.find_all(exp.Or)):
        for key in ("this", "expression"):
            side = node.args.get(key)
            if isinstance(side, exp.And):
                node.set(key, exp.Paren(this=side))


def _parenthesise(select: exp.Select) -> None:
    for clause in ("where", "having"):
        node = select.args.get(clause)
        if node is not None:
            _wrap_ands(node)


def n_limit(name: str, today: date) -> int:
    """The largest `:n` for a date literal that keeps its range inside Salesforce's valid dates."""
    bound = LATEST if name.startswith("NEXT_") else EARLIEST
    days = abs((bound - today).days)
    months = abs((bound.year - today.year) * 12 + bound.month - today.month)
    for unit, value in (("DAYS", days), ("WEEKS", days // 7), ("MONTHS", months), ("QUARTERS", months // 3)):
        if unit in name:
            return value
    return abs(bound.year - today.year)  # YEARS, FISCAL_YEARS


def _check_n(literal: nodes.DateLiteral, today: date) -> None:
    n = literal.n
    if n is None:
        return
    limit = n_limit(literal.literal_name, today)
    if n > limit:
        edge = LATEST if literal.literal_name.startswith("NEXT_") else EARLIEST
        raise Refusal(
            f"{literal.literal_name}:{n} is out of range: n can be at most {limit:,} here, because Salesforce "
            f"only holds dates from {EARLIEST.isoformat()} to {LATEST.isoformat()} (this one reaches past "
            f"{edge.isoformat()}). Use a smaller number.",
            fix=_clamp(limit),
        )


def _clamp(limit: int) -> Callable[[exp.Select], None]:
    def fix(select: exp.Select) -> None:
        for literal in select.find_all(nodes.DateLiteral):
            if literal.n is not None and literal.n > limit:
                literal.set("expression", exp.Literal.number(limit))

    return fix


def field_of(obj: SObject, path: list[str], schema: Schema) -> SField | None:
    """The field a path names (following relationships), or None."""
    current: SObject | None = obj
    for hop in path[:-1]:
        ref = current.parent_relationship(hop) if current is not None else None
        current = schema.get(ref.target) if ref is not None and ref.target else None
    return current.field(path[-1]) if current is not None else None


def _repair(node: exp.Expr, obj: SObject, schema: Schema, changes: list[Change]) -> None:
    if not isinstance(node, (*_COMPARISONS, exp.In)) or not is_field(node.this):
        return
    path = field_path(node.this)
    field = field_of(obj, path, schema)
    if field is None:
        return
    name = ".".join(path)
    values = list(node.expressions) if isinstance(node, exp.In) else [node.expression]
    for value in values:
        if isinstance(value, exp.Literal) and value.is_string:
            fixed = _typed(field, name, value.name)
            if fixed is not None:
                value.replace(fixed)
                changes.append(
                    Change(
                        f"unquoted {name} value {value.name}",
                        f"{name} is {_what(field)}: its value is written without quotes.",
                    )
                )
    value = node.expression if not isinstance(node, exp.In) else None
    if field.type == "date" and any(isinstance(v, nodes.SoqlDateTime) for v in (value, *node.expressions)):
        raise Refusal(f"{name} is a date without a time: compare it with a date such as 2024-01-31, or THIS_MONTH.")
    if field.type == "datetime" and isinstance(value, nodes.SoqlDate):
        _day_range(node, value, name, changes)
    elif field.type == "datetime" and isinstance(node, exp.In) and any(isinstance(v, nodes.SoqlDate) for v in values):
        raise Refusal(f"{name} holds a date and time: compare it with a range, e.g. {name} = LAST_N_DAYS:7.")


def _what(field: SField) -> str:
    return {"date": "a date", "datetime": "a date and time", "boolean": "true or false"}.get(
        field.type, _KIND.get(field.type, "a value")
    )


def _typed(field: SField, name: str, text: str) -> exp.Expr | None:
    """The unquoted literal `text` means for `field`; None for text fields; a refusal if it can't fit."""
    kind = field.type
    stripped = text.strip()
    upper = stripped.upper()
    if kind in ("date", "datetime"):
        if upper in DATE_LITERALS_FIXED:
            return nodes.DateLiteral(this=exp.var(upper))
        with_n = _WITH_N.fullmatch(upper)
        if with_n and with_n.group(1) in DATE_LITERALS_WITH_N:
            return nodes.DateLiteral(this=exp.var(with_n.group(1)), expression=exp.Literal.number(with_n.group(2)))
        if _ISO_DATE.fullmatch(stripped) and _valid(date.fromisoformat, stripped):
            return nodes.SoqlDate(this=exp.Literal.string(stripped))
        if kind == "datetime" and _ISO_DATETIME.fullmatch(stripped) and _valid(datetime.fromisoformat, stripped):
            return nodes.SoqlDateTime(this=exp.Literal.string(stripped))
        example = "2024-01-31" if kind == "date" else "2024-01-31T00:00:00Z"
        raise Refusal(f"{name} is {_what(field)}: write it without quotes, e.g. {name} > {example} or THIS_MONTH.")
    if kind == "boolean":
        if upper in ("TRUE", "FALSE"):
            return exp.Boolean(this=upper == "TRUE")
        raise Refusal(f"{name} is true or false: write {name} = true or {name} = false, without quotes.")
    if kind in _NUMERIC:
        number = stripped.replace(",", "").lstrip("$").rstrip("%")
        if _NUMBER.fullmatch(number):
            return exp.Literal.number(number)
        raise Refusal(f"{name} is {_what(field)}: write digits without quotes, e.g. {name} > 100000.")
    return None


def _valid(parse: Callable[[str], object], text: str) -> bool:
    try:
        parse(text)
    except ValueError:
        return False
    return True


def _day_range(node: exp.Expr, value: nodes.SoqlDate, name: str, changes: list[Change]) -> None:
    """A date against a dateTime field: the day's UTC boundaries, keeping the operator's meaning."""
    day = value.value
    start, end = _instant(day), _instant(day + timedelta(days=1))
    column = node.this
    replacement: exp.Expr
    if isinstance(node, exp.GT):
        replacement = exp.GTE(this=column, expression=end)
    elif isinstance(node, exp.GTE):
        replacement = exp.GTE(this=column, expression=start)
    elif isinstance(node, exp.LT):
        replacement = exp.LT(this=column, expression=start)
    elif isinstance(node, exp.LTE):
        replacement = exp.LT(this=column, expression=end)
    elif isinstance(node, exp.EQ):
        replacement = exp.Paren(
            this=exp.And(
                this=exp.GTE(this=column, expression=start), expression=exp.LT(this=column.copy(), expression=end)
            )
        )
    else:
        replacement = exp.Paren(
            this=exp.Or(
                this=exp.LT(this=column, expression=start), expression=exp.GTE(this=column.copy(), expression=end)
            )
        )
    from service.soql.dialect import to_soql  # the dialect imports the policy's modules

    was = to_soql(node)
    node.replace(replacement)
    changes.append(
        Change(
            f"{was} read as {to_soql(replacement)}",
            f"{name} holds a date and time, so a day is compared by its UTC boundaries.",
        )
    )


def _instant(day: date) -> nodes.SoqlDateTime:
    moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return nodes.SoqlDateTime(this=exp.Literal.string(moment.strftime("%Y-%m-%dT%H:%M:%SZ")))
