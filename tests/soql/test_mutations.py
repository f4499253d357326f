"""Mutated queries (seeded, deterministic): the policy's promises hold for text no one wrote on purpose."""

from __future__ import annotations

import json
import random
from pathlib import Path

from service.soql import SoqlSyntaxError, parse_soql, to_soql
from service.soql.policy import check_query

FIXTURES = Path(__file__).parent / "fixtures"
CASES = Path(__file__).resolve().parents[2] / ".." / "shared" / "soql" / "cases.jsonl"
PIECES = [
    " AND ",
    " OR ",
    " NOT ",
    " IN ",
    " NOT IN ",
    " LIKE ",
    " null",
    " TODAY",
    " LIMIT 5",
    " OFFSET 3",
    " ORDER BY Name",
    "(SELECT Id FROM Contacts)",
    " GROUP BY Name",
    " HAVING COUNT(Id) > 1",
    " WITH SECURITY_ENFORCED",
    " FOR VIEW",
    "COUNT()",
    "2024-01-01",
    "TYPEOF",
    " WHEN ",
    " END",
    ", ",
    "(",
    ")",
    "'",
    "\\",
    "=",
    " Name",
    " Account.Name",
    " OwnerId",
    " FIELDS(STANDARD)",
    " INCLUDES ('a')",
    " DESC",
    " NULLS LAST",
    "MAX(Amount) m",
    " -1",
    " 1.5",
    " true",
    ";",
    "--",
    "\x00",
    "é",
]


def _seeds() -> list[str]:
    lines = (FIXTURES / "identity.soql").read_text(encoding="utf-8").splitlines()
    seeds = [line for line in lines if line and not line.startswith(("#", " "))]
    if CASES.exists():
        seeds += [json.loads(line)["soql"] for line in CASES.read_text(encoding="utf-8").splitlines() if line]
    return seeds


def _mutate(rng: random.Random, seeds: list[str]) -> str:
    query = rng.choice(seeds)
    for _ in range(rng.randrange(1, 4)):
        pos = rng.randrange(len(query) + 1)
        roll = rng.random()
        if roll < 0.5:
            query = query[:pos] + rng.choice(PIECES) + query[pos:]
        elif roll < 0.8:
            query = query[:pos] + query[pos + rng.randrange(1, 8) :]
        else:
            other = rng.choice(seeds)
            start = rng.randrange(len(other) + 1)
            query = query[:pos] + other[start : start + rng.randrange(20)] + query[pos:]
    return query


def test_mutated_queries_keep_the_promises() -> None:
    """Never raises; what parses round-trips; what runs is accepted as is; suggestions pass."""
    rng, seeds = random.Random(20261124), _seeds()
    for _ in range(1500):
        query = _mutate(rng, seeds)
        verdict = check_query(query)
        assert verdict.message is None or "could not be" not in verdict.message, query
        try:
            tree = parse_soql(query)
        except SoqlSyntaxError:
            assert verdict.verdict == "reject", query
            continue
        again = parse_soql(to_soql(tree))
        assert again == tree and again.meta == tree.meta, query
        if verdict.query is not None:
            assert check_query(verdict.query).verdict == "accept", query
        if verdict.suggested_query is not None:
            assert check_query(verdict.suggested_query).verdict != "reject", query
