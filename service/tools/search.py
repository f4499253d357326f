"""salesforce_search_records: SOQL policy → query → speakable answer.

When the page is full (as many rows as the LIMIT), one `COUNT()` query with the same WHERE tells
the caller how many matched in all ("showing 10 of 37"); if it fails, the answer still stands.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from sqlglot import exp

from service.deadline import Deadline
from service.errors import ServiceError, SoqlRejected
from service.schema import Schema
from service.soql import parse_soql, to_soql
from service.soql.policy import PolicyConfig, Verdict, check_query
from service.tools.aggregates import column_types
from service.tools.context import ToolContext
from service.tools.ports import SalesforcePort
from service.tools.records import flatten
from service.tools.schemas import SearchResponse
from service.tools.speech import search_speech

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


async def search_records(q: str, ctx: ToolContext) -> SearchResponse:
    """Check `q`, run what the policy allows, and answer for speech."""
    client, schema, deadline = ctx.client, ctx.schema, ctx.deadline
    verdict = _checked(q, schema, ctx.policy)
    if verdict.verdict == "reject":
        raise SoqlRejected(verdict.message or "That query isn't allowed.", suggested_query=verdict.suggested_query)
    query = verdict.query or q
    tree = verdict.tree if isinstance(verdict.tree, exp.Select) else parse_soql(query)
    object_name, limit = _object_and_limit(tree)
    result = await client.query(query, deadline=deadline, max_records=limit or None)
    records = [flatten(row) for row in result.records]
    if len(records) == 1 and isinstance(records[0].get("Id"), str):  # the one record found: the caller's
        await ctx.note_records(object_name, [records[0]["Id"]])
    total = max(int(result.total_size), len(records))
    offset = _offset(tree)
    if offset or limit and len(records) >= limit and total <= len(records):
        # with an OFFSET the page's own size says nothing about the matches: count them all
        total = await _count(client, tree, deadline, fallback=total)
    sobject = schema.get(object_name)
    return SearchResponse(
        speech=search_speech(records, total, sobject, offset=offset, columns=column_types(tree, sobject)),
        count=len(records),
        total=total,
        records=records,
        query=query,
        changes=[str(c) for c in (verdict.changes or [])],
    )


def _offset(tree: exp.Select) -> int:
    offset = tree.args.get("offset")
    return int(offset.expression.name) if offset is not None else 0


@lru_cache(maxsize=2048)
def _checked(q: str, schema: Schema, policy_config: PolicyConfig) -> Verdict:
    """The policy's verdict, remembered: agents repeat the same lookups, and a verdict depends only
    on the text, the schema object and the (frozen) config."""
    return check_query(q, schema, policy_config)


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
