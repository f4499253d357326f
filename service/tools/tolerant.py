"""The search's tolerant second pass: when a Lead, Contact or Account search by name, company, email
or phone finds nothing, look once more for records that are *close* and offer them as suggestions.

It asks the org only what a real org answers: SOSL (`FIND {Jo* OR Sm*} IN ALL FIELDS RETURNING
Lead(…)`) where the org has search, else one SOQL query with `LIKE` on two-letter word prefixes
(two letters, because recognisers get the third wrong: "Jon"/"John", "Smyth"/"Smith"). Either way
it is one org call (an org answering 404 to `/search` is remembered for a while, so only the first
search after start-up pays for finding out), and it runs only when the tool's budget leaves time.
The candidates are ranked by `service.tools.matching` (RapidFuzz + Double Metaphone).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from service.deadline import Deadline
from service.errors import MalformedRequest, RecordNotFound, ServiceError
from service.schema import SObject
from service.soql.quoting import quote_value
from service.tools.context import ToolContext
from service.tools.matching import best_match, fold, phone_key
from service.text.normalize import spoken_email
from service.tools.records import flatten
from service.tools.speech import say_phone

log = logging.getLogger("service.tools")

OBJECTS = frozenset({"Lead", "Contact", "Account"})
MAX_SUGGESTIONS = 3
# Candidates fetched for ranking: enough for common prefixes in a mid-sized org, one page.
_CANDIDATES = 200
# Below this much budget left, answer "nothing found" now rather than risk the platform's timeout.
_MIN_BUDGET = 1.0
_CALL_CAP = 2.0
_SOSL_MEMO = "capability:sosl"
_SOSL_MEMO_TTL = 600.0
# Letters a recogniser swaps at the start of a word ("Kathy"/"Cathy", "Philip"/"Filip").
_SAME_SOUND = {"c": "k", "k": "c", "q": "k", "f": "ph", "j": "g", "g": "j", "s": "c", "z": "s", "y": "i", "i": "y"}
# Which query field feeds which part of the probe, per object (relationship fields as "Rel.Field").
_PROBE_FIELDS = {
    "name": {"Name"},
    "first": {"FirstName"},
    "last": {"LastName"},
    "company": {"Company", "Account.Name"},
    "email": {"Email"},
    "phone": {"Phone", "MobilePhone"},
}
_MATCH_FIELDS = ("Id", "FirstName", "LastName", "Name", "Company", "Email", "Phone", "Account.Name")


@dataclass
class Tolerant:
    """The suggestions and how they were found (`calls`: org calls made, for the benchmark)."""

    suggestions: list[dict[str, Any]] = field(default_factory=list)
    said: str = ""
    calls: int = 0


def probe_of(tree: exp.Select) -> dict[str, str]:
    """What a query asked for, by part: {"name": "Jon Smyth", "company": "Acme"} from its `=` / LIKE filters."""
    where = tree.args.get("where")
    probe: dict[str, str] = {}
    if where is None:
        return probe
    for node in where.find_all(exp.EQ, exp.Like):
        column, value = node.this, node.expression
        if not isinstance(column, exp.Column) or not isinstance(value, exp.Literal) or not value.is_string:
            continue
        path = f"{column.table}.{column.name}" if column.table else column.name
        text = value.this.strip("%").strip()
        for part, names in _PROBE_FIELDS.items():
            if text and any(path.lower() == n.lower() for n in names):
                probe.setdefault(part, text)
    return probe


def said_of(probe: dict[str, str]) -> str:
    """How to name what was asked for in speech: the name, else the company, email or phone."""
    name = probe.get("name") or " ".join(p for p in (probe.get("first"), probe.get("last")) if p)
    if name or probe.get("company"):
        return name or probe["company"]
    if probe.get("email"):
        return spoken_email(probe["email"])
    return f"the number {say_phone(probe['phone'])}" if probe.get("phone") else ""


def _prefixes(probe: dict[str, str]) -> list[str]:
    words: list[str] = []
    for part in ("name", "first", "last", "company"):
        words += fold(probe.get(part, "")).split()
    if probe.get("email"):
        words += fold(probe["email"].rpartition("@")[0]).split()
    out: list[str] = []
    for word in words:
        if len(word) < 2 or word.isdigit():
            continue
        out.append(word[:2])
        swapped = _SAME_SOUND.get(word[0])
        if swapped:
            out.append((swapped + word[1:])[:2])
    return list(dict.fromkeys(out))


def _fields(tree: exp.Select, sobject: SObject) -> list[str]:
    asked = [c.sql(dialect="") for c in tree.expressions if isinstance(c, exp.Column)]
    wanted = [*asked, *_MATCH_FIELDS]
    out = []
    for name in wanted:
        head = name.split(".")[0]
        if (sobject.field(name) is not None or "." in name and sobject.field(head + "Id") is not None) and (
            name.lower() not in {o.lower() for o in out}
        ):
            out.append(name)
    return out


def like_query(sobject: SObject, fields: list[str], probe: dict[str, str]) -> str | None:
    """One SOQL query over prefixes of the words asked for (and the phone's digits, the email's domain)."""
    text_fields = [f for f in ("FirstName", "LastName", "Name", "Company") if sobject.field(f) is not None]
    if sobject.name != "Account":
        text_fields = [f for f in text_fields if f != "Name"]  # a person's Name is First + Last
    conditions = []
    for prefix in _prefixes(probe):
        for name in text_fields:
            conditions.append(f"{name} LIKE {quote_value(prefix + '%')}")
            if name in ("Name", "Company"):
                conditions.append(f"{name} LIKE {quote_value('% ' + prefix + '%')}")
    digits = phone_key(probe.get("phone", ""))
    if len(digits) >= 7 and sobject.field("Phone") is not None:
        groups = [digits[:-7], digits[-7:-4], digits[-4:]] if len(digits) > 7 else [digits[:3], digits[3:]]
        conditions.append(f"Phone LIKE {quote_value('%' + '%'.join(g for g in groups if g) + '%')}")
    domain = probe.get("email", "").rpartition("@")[2]
    if domain and sobject.field("Email") is not None:
        conditions.append(f"Email LIKE {quote_value('%@' + domain)}")
    if not conditions:
        return None
    return f"SELECT {', '.join(fields)} FROM {sobject.name} WHERE {' OR '.join(conditions)} LIMIT {_CANDIDATES}"


def sosl_query(sobject: SObject, fields: list[str], probe: dict[str, str]) -> str | None:
    """One SOSL search over the same prefixes (and the phone's digits)."""
    terms = [p + "*" for p in _prefixes(probe)]
    digits = phone_key(probe.get("phone", ""))
    if len(digits) >= 7:
        terms.append(digits)
    if not terms:
        return None
    return (
        f"FIND {{{' OR '.join(terms)}}} IN ALL FIELDS RETURNING {sobject.name}({', '.join(fields)} "
        f"LIMIT {_CANDIDATES})"
    )


async def _candidates(sobject: SObject, fields: list[str], probe: dict[str, str], ctx: ToolContext) -> tuple[
    list[dict[str, Any]], int
]:
    deadline = Deadline.after(ctx.deadline.cap(_CALL_CAP))
    calls = 0
    memo = await ctx.store.get(_SOSL_MEMO)
    sosl = sosl_query(sobject, fields, probe) if memo is None or memo.get("ok") else None
    if sosl is not None:
        calls += 1
        try:
            rows = await ctx.client.search(sosl, deadline=deadline)
        except (RecordNotFound, MalformedRequest) as exc:  # no /search here, or SOSL it won't take
            log.info("SOSL unavailable (%s); tolerant lookups use SOQL LIKE", exc.code)
            await ctx.store.put(_SOSL_MEMO, {"ok": False}, _SOSL_MEMO_TTL)
        else:
            await ctx.store.put(_SOSL_MEMO, {"ok": True}, _SOSL_MEMO_TTL)
            return [r for r in rows if (r.get("attributes") or {}).get("type", sobject.name) == sobject.name], calls
    soql = like_query(sobject, fields, probe)
    if soql is None:
        return [], calls
    result = await ctx.client.query(soql, deadline=deadline, max_records=_CANDIDATES)
    return list(result.records), calls + 1


async def tolerant_pass(tree: exp.Select, sobject: SObject | None, ctx: ToolContext) -> Tolerant:
    """Up to three close records for a search that found none (none when nothing is close)."""
    if sobject is None or sobject.name not in OBJECTS or tree.args.get("group") is not None:
        return Tolerant()
    if any(not isinstance(e, (exp.Column, exp.Dot)) for e in tree.expressions):
        return Tolerant()  # aggregates and subqueries: nothing to suggest
    probe = probe_of(tree)
    if not probe or not ctx.settings.tolerant_lookup or ctx.deadline.remaining() < _MIN_BUDGET:
        return Tolerant()
    try:
        rows, calls = await _candidates(sobject, _fields(tree, sobject), probe, ctx)
    except ServiceError as exc:  # the exact answer ("nothing found") still stands
        log.info("tolerant lookup failed (%s)", exc.code)
        return Tolerant(said=said_of(probe), calls=1)
    ranked = []
    for row in rows:
        flat = flatten(row)
        match = best_match(probe, flat, sobject.name)
        if match is not None:
            ranked.append((match[0], match[1], flat))
    ranked.sort(key=lambda item: -item[0])
    suggestions = [{**flat, "matched_on": on, "score": round(score, 2)} for score, on, flat in ranked]
    return Tolerant(suggestions[:MAX_SUGGESTIONS], said_of(probe), calls)
