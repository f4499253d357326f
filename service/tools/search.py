"""salesforce_search_records: SOQL policy → query → speakable answer.

When the page is full (as many rows as the LIMIT), one `COUNT()` query with the same WHERE tells
the caller how many matched in all ("showing 10 of 37"); if it fails, the answer still stands.
Spoken emails and phones in the query are repaired first (`service.tools.repairs`); a Lead,
Contact or Account search that finds nothing gets a tolerant second pass (`service.tools.tolerant`)
whose close records are offered as `suggestions`, never as `records`.

What a query text comes to before it runs (the policy's verdict, the repairs, the object, LIMIT,
OFFSET and aggregate columns) is its `Plan`, computed once per text and schema: on the hot path a
repeated lookup costs the org round trip and the answer's speech, nothing else.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from sqlglot import exp

from service.deadline import Deadline
from service.errors import ServiceError, SoqlRejected
from service.schema import Schema, SObject
from service.soql import parse_soql, to_soql
from service.soql.policy import PolicyConfig, Verdict, check_query
from service.tools.aggregates import Column, column_types
from service.tools.context import ToolContext
from service.tools.ports import SalesforcePort
from service.tools.records import flatten
from service.tools.repairs import repair
from service.tools.schemas import SearchResponse
from service.tools.speech import search_speech, suggestion_speech
from service.tools.tolerant import tolerant_pass

log = logging.getLogger("service.tools")


def _object_and_limit(tree: exp.Select) -> tuple[str, int | None]:
    from_ = tree.args.get("from_")
    name = from_.this.name if from_ is not None and isinstance(from_.this, exp.Table) else ""
    limit = tree.args.get("limit")
    value = limit.expression.this if limit is not None else None
    return name, int(value) if value is not None and str(value).isdigit() else None


def count_query(tree: exp.Select) -> str | None:
    """`SELECT COUNT() FROM … WHERE …` for a plain (non-aggregate) query, else None."""
    if tree.args.get("group") is not None or any(
        not isinstance(e, (exp.Column, exp.Dot, exp.Subquery)) for e in tree.expressions
    ):
        return None
    counted = tree.copy()
    counted.set("expressions", [exp.Count()])
    for key in ("order", "limit", "offset"):
        counted.set(key, None)
    return to_soql(counted)


@dataclass(frozen=True, slots=True)
class Plan:
    """What a query text comes to before it runs: the checked (and repaired) query, its tree, what
    changed, and what the answer needs from the tree (object, LIMIT, OFFSET, aggregate columns)."""

    query: str
    tree: exp.Select
    changes: tuple[str, ...]
    object_name: str
    limit: int | None
    offset: int
    sobject: SObject | None
    columns: Mapping[str, Column]


def plan(q: str, schema: Schema, policy_config: PolicyConfig) -> Plan:
    """The plan of `q`; raises `SoqlRejected` when the policy refuses it."""
    found = _plan(q, schema, policy_config)
    if isinstance(found, Verdict):
        raise SoqlRejected(found.message or "That query isn't allowed.", suggested_query=found.suggested_query)
    return found


@lru_cache(maxsize=2048)
def _plan(q: str, schema: Schema, policy_config: PolicyConfig) -> Plan | Verdict:
    """The plan of `q` (or the policy's refusal), remembered: agents repeat the same lookups, and a
    plan depends only on the text, the schema object and the (frozen) config."""
    verdict = check_query(q, schema, policy_config)
    if verdict.verdict == "reject":
        return verdict
    query = verdict.query or q
    tree = verdict.tree if isinstance(verdict.tree, exp.Select) else parse_soql(query)
    changes = [str(c) for c in (verdict.changes or [])]
    repaired = repair(tree)
    if repaired is not None:
        again = check_query(repaired[0], schema, policy_config)
        if again.verdict != "reject":
            query = again.query or repaired[0]
            tree = again.tree if isinstance(again.tree, exp.Select) else parse_soql(query)
            changes += repaired[1]
    object_name, limit = _object_and_limit(tree)
    sobject = schema.get(object_name)
    columns = MappingProxyType(column_types(tree, sobject))
    return Plan(query, tree, tuple(changes), object_name, limit, _offset(tree), sobject, columns)


async def search_records(q: str, ctx: ToolContext) -> SearchResponse:
    """Check `q`, run what the policy allows, and answer for speech."""
    client, deadline = ctx.client, ctx.deadline
    p = plan(q, ctx.schema, ctx.policy)
    result = await client.query(p.query, deadline=deadline, max_records=p.limit or None)
    records = [flatten(row) for row in result.records]
    if len(records) == 1 and isinstance(records[0].get("Id"), str):  # the one record found: the caller's
        await ctx.note_records(p.object_name, [records[0]["Id"]])
    total = max(int(result.total_size), len(records))
    if p.offset or p.limit and len(records) >= p.limit and total <= len(records):
        # with an OFFSET the page's own size says nothing about the matches: count them all
        total = await _count(client, p.tree, deadline, fallback=total)
    speech = ""
    suggestions: list[dict[str, object]] = []
    if not records and not total and not p.offset:
        tolerant = await tolerant_pass(p.tree, p.sobject, ctx)
        suggestions = tolerant.suggestions
        if suggestions and p.sobject is not None:
            speech = suggestion_speech(tolerant.said, suggestions[0], p.sobject)
    return SearchResponse(
        speech=speech or search_speech(records, total, p.sobject, offset=p.offset, columns=p.columns),
        count=len(records),
        total=total,
        records=records,
        query=p.query,
        changes=list(p.changes),
        suggestions=suggestions,
    )


def _offset(tree: exp.Select) -> int:
    offset = tree.args.get("offset")
    return int(offset.expression.name) if offset is not None else 0


async def _count(client: SalesforcePort, tree: exp.Select, deadline: Deadline, *, fallback: int) -> int:
    soql = count_query(tree)
    if soql is None or deadline.remaining() < 1.0:
        return fallback
    try:
        counted = await client.query(soql, deadline=Deadline.after(deadline.cap(3.0)))
    except ServiceError as exc:
        log.info("count query failed (%s); answering without a total", exc.code)
        return fallback
    return max(int(counted.total_size), fallback)
