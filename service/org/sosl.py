"""SOSL for the embedded org: `FIND {terms} [IN … FIELDS] [RETURNING Obj(fields WHERE …), …] [LIMIT n]`.

Terms match whole words (`_sosl` token table, see `service.org.search_index`), not substrings:
`*` matches any run of characters (`Mar*`), `?` exactly one; several terms must all match unless
joined by OR; `AND NOT` excludes; a quoted phrase needs all its words. Phone-shaped terms match
phone fields on their digits. Each RETURNING object is then run as SOQL (`SELECT fields FROM Obj
WHERE … ORDER BY … LIMIT n`) restricted to the matching records, so its fields, filters and
errors are exactly the org's SOQL. No maintained Python library parses SOSL, hence this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

from service.org.errors import sf_error
from service.org.query import Plan, translate
from service.org.sosl_terms import GROUPS, NO_TERM, malformed, matching_sql, terms
from service.org.store import Store
from service.schema import Schema

DEFAULT_OBJECTS = ("Account", "Contact", "Lead", "Opportunity", "Case")
MAX_ROWS = 2000
_FIND = re.compile(r"^\s*FIND\s*\{((?:\\.|[^\\}])*)\}\s*", re.IGNORECASE | re.DOTALL)
_IN = re.compile(r"^IN\s+(\w+)\s+FIELDS\b\s*", re.IGNORECASE)
_RETURNING = re.compile(r"^RETURNING\s+", re.IGNORECASE)
_LIMIT = re.compile(r"^LIMIT\s+(\d+)\s*$", re.IGNORECASE)
_WITH = re.compile(r"^WITH\s+\w+(\s*=\s*'[^']*'|\s*\([^)]*\))?\s*", re.IGNORECASE)
_INNER_CLAUSE = re.compile(r"\b(WHERE|ORDER\s+BY|LIMIT|OFFSET)\b", re.IGNORECASE)


@dataclass
class Returning:
    """One object of RETURNING: its SOQL field list and the rest of its clause (WHERE …)."""

    name: str
    fields: str = "Id"
    rest: str = ""


@dataclass
class Search:
    """A parsed SOSL search."""

    text: str
    scope: str = "ALL"
    objects: list[Returning] = field(default_factory=list)
    limit: int = MAX_ROWS


def _split_top(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _returning(item: str) -> Returning:
    match = re.match(r"^(\w+)\s*(?:\((.*)\))?$", item, re.DOTALL)
    if match is None:
        raise malformed(f"unexpected token: '{item.split()[0] if item.split() else item}'")
    name, inner = match.group(1), (match.group(2) or "").strip()
    if not inner:
        return Returning(name)
    clause = _INNER_CLAUSE.search(inner)
    fields, rest = (inner[: clause.start()], inner[clause.start() :]) if clause else (inner, "")
    if not fields.strip():
        raise malformed(f"unexpected token: '{rest.split()[0]}'" if rest else "unexpected token: ')'")
    return Returning(name, fields.strip(), rest.strip())


def parse(sosl: str) -> Search:
    """Parse a SOSL text; MALFORMED_SEARCH when it is not SOSL."""
    match = _FIND.match(sosl or "")
    if match is None:
        raise malformed(NO_TERM)
    search = Search(text=re.sub(r"\\(.)", r"\1", match.group(1)))
    rest = sosl[match.end() :]
    if (scope := _IN.match(rest)) is not None:
        search.scope = scope.group(1).upper()
        if search.scope not in GROUPS:
            raise malformed(f"unexpected token: '{scope.group(1)}'")
        rest = rest[scope.end() :]
    if (returning := _RETURNING.match(rest)) is not None:
        rest = rest[returning.end() :]
        limit_at = re.search(r"\s(WITH\s+\w+.*|LIMIT\s+\d+\s*)$", rest, re.IGNORECASE | re.DOTALL)
        body, rest = (rest[: limit_at.start()], rest[limit_at.start() :].strip()) if limit_at else (rest, "")
        search.objects = [_returning(item) for item in _split_top(body)]
    while (with_clause := _WITH.match(rest)) is not None and rest:
        rest = rest[with_clause.end() :]
    if rest.strip():
        limit = _LIMIT.match(rest.strip())
        if limit is None:
            raise malformed(f"unexpected token: '{rest.split()[0]}'")
        search.limit = min(int(limit.group(1)), MAX_ROWS)
    return search


_PLANS: dict[tuple[int, str, str, str], Plan] = {}


def _plan(schema: Schema, soql: str, tz: str, today: date) -> Plan:
    """The translated plan of a RETURNING object's SOQL (plans are read-only; cached)."""
    key = (id(schema), soql, tz, today.isoformat())
    plan = _PLANS.get(key)
    if plan is None:
        if len(_PLANS) > 512:
            _PLANS.clear()
        plan = _PLANS[key] = translate(schema, soql, tz=tz, today=today)
    return plan


def run(store: Store, schema: Schema, search: Search, *, tz: str, today: date, version: str) -> list[dict[str, object]]:
    """The `searchRecords` of a parsed search."""
    from service.org.results import render

    search_terms = terms(search.text)
    objects = search.objects or [Returning(name) for name in DEFAULT_OBJECTS if schema.get(name) is not None]
    records: list[dict[str, object]] = []
    for returning in objects:
        if schema.get(returning.name) is None:
            raise sf_error(400, "INVALID_TYPE", f"sObject type '{returning.name}' is not supported.")
        plan = _plan(schema, f"SELECT {returning.fields} FROM {returning.name} {returning.rest}".strip(), tz, today)
        if len(records) >= search.limit:
            continue
        match_sql, match_params = matching_sql(search_terms, search.scope, plan.obj.name)
        restricted = _restrict(plan, match_sql)
        size = min(search.limit - len(records), restricted.limit if restricted.limit is not None else MAX_ROWS)
        params = [*match_params, *restricted.where_params, *restricted.having_params]
        rows = store.execute(_sql(restricted, size), params)
        records.extend(render(restricted, row, version, {}) for row in rows)
    return records


def _restrict(plan: Plan, match_sql: str) -> Plan:
    within = f"{plan.alias}.rowid IN ({match_sql})"
    return replace(plan, where=f"{within} AND ({plan.where})" if plan.where else within)


def _sql(plan: Plan, size: int) -> str:
    sql = f"SELECT {', '.join(plan.columns)} FROM {plan.from_sql} WHERE {plan.where}"
    if plan.order:
        sql += f" ORDER BY {plan.order}"
    return sql + f" LIMIT {int(size)} OFFSET {int(plan.offset)}"
