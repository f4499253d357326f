"""SOSL search terms and the SQL that finds the records matching them in the `_sosl` token table.

`Jane Doe` needs both words; `Jane OR Janet` either; `AND NOT x` excludes; `"Jane Doe"` needs its
words; `Mar*` / `M?ria` are GLOB patterns on words; an email is matched whole; a phone-shaped
term matches phone fields on its national digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from service.errors import SalesforceError
from service.org.errors import sf_error
from service.org.search_index import TABLE, phone_key, words

GROUPS = {
    "ALL": ("N", "E", "P", "O"),
    "NAME": ("N",),
    "EMAIL": ("E",),
    "PHONE": ("P",),
    "SIDEBAR": ("N", "E", "P", "O"),
}
NO_TERM = "No search term found. The search term must be enclosed in braces."


def malformed(message: str) -> SalesforceError:
    """400 MALFORMED_SEARCH."""
    return sf_error(400, "MALFORMED_SEARCH", message)


@dataclass
class Term:
    """One word to match: exact, a prefix (`Mar*`) or a GLOB pattern (`M?ria`, `*son`); phone digits."""

    text: str
    phone: bool = False
    negated: bool = False
    alternatives: list[Term] = field(default_factory=list)


def terms(text: str) -> list[Term]:
    """The search text as AND-ed terms (each with its OR alternatives)."""
    stripped = text.strip()
    if not stripped:
        raise malformed(NO_TERM)
    key = phone_key(stripped.strip('"'))
    if key is not None:
        return [Term(key, phone=True)]
    chunks = re.findall(r'"[^"]*"|\S+', stripped)
    out: list[Term] = []
    negate = join_or = False
    for chunk in chunks:
        upper = chunk.upper()
        if upper == "AND":
            continue
        if upper == "OR":
            join_or = True
            continue
        if upper == "NOT":
            negate = True
            continue
        parts = _words(chunk.strip('"'))
        for n, word in enumerate(parts):
            term = Term(word, negated=negate)
            if join_or and n == 0 and out:
                out[-1].alternatives.append(term)
            else:
                out.append(term)
        negate = join_or = False
    if not any(not t.negated for t in out):
        raise malformed(NO_TERM)
    if len(re.sub(r'[\s*?"()]', "", stripped)) < 2:
        raise sf_error(400, "INVALID_SEARCH", "search term must be longer than one character")
    return out


def _words(chunk: str) -> list[str]:
    if "@" in chunk:
        return [chunk.lower()]
    if "*" in chunk or "?" in chunk:
        return ["".join(words(p)[0] if words(p) else p for p in re.split(r"([*?])", chunk)).lower()]
    return words(chunk)


def _term_sql(term: Term, groups: tuple[str, ...], obj: str) -> tuple[str, list[object]]:
    """`SELECT rid FROM _sosl WHERE …` for one term (with its OR alternatives) on one object."""
    if term.phone:
        sql = f"SELECT rid FROM {TABLE} WHERE token = ? AND obj = ? AND grp = 'P'"
        params: list[object] = [term.text, obj]
        if "P" not in groups:
            sql += " AND 0"
    else:
        grp = f"grp IN ({', '.join('?' * len(groups))})"
        if "*" not in term.text and "?" not in term.text:
            sql, params = f"SELECT rid FROM {TABLE} WHERE token = ? AND obj = ? AND {grp}", [term.text, obj, *groups]
        else:
            prefix = re.split(r"[*?]", term.text, maxsplit=1)[0]
            glob = term.text.replace("[", "[[]")
            bounds = "token >= ? AND token < ? AND " if prefix else ""
            sql = f"SELECT rid FROM {TABLE} WHERE {bounds}token GLOB ? AND obj = ? AND {grp}"
            params = [*([prefix, prefix + "\U0010ffff"] if prefix else []), glob, obj, *groups]
    for alternative in term.alternatives:
        alt_sql, alt_params = _term_sql(alternative, groups, obj)
        sql, params = f"{sql} UNION {alt_sql}", [*params, *alt_params]
    return sql, params


def matching_sql(search_terms: list[Term], scope: str, obj: str) -> tuple[str, list[object]]:
    """One compound SELECT of the rowids of `obj` matching every term (INTERSECT) and no negated one (EXCEPT).

    SQLite evaluates it on the covering index `(token, obj, grp, rid)`, so a term costs one index range.
    """
    groups = GROUPS[scope]
    wanted = [t for t in search_terms if not t.negated]
    parts, params = [], []
    for term in wanted:
        sql, p = _term_sql(term, groups, obj)
        parts.append(f"SELECT rid FROM ({sql})" if term.alternatives else sql)
        params += p
    sql = " INTERSECT ".join(parts)
    for term in (t for t in search_terms if t.negated):
        neg_sql, p = _term_sql(term, groups, obj)
        sql, params = f"{sql} EXCEPT SELECT rid FROM ({neg_sql})", [*params, *p]
    return sql, params
