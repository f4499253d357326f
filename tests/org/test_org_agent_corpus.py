"""The agent-query corpus (tests/org/fixtures/agent_queries.jsonl) answers as Salesforce would."""

import json
from pathlib import Path
from typing import Any

from tests.org.org_helpers import query

CORPUS = [json.loads(line) for line in (Path(__file__).parent / "fixtures" / "agent_queries.jsonl").open()]


def _check(case: dict[str, Any], status: int, body: Any) -> None:
    assert status == case["status"], (case["q"], body)
    if status != 200:
        [error] = body
        assert error["errorCode"] == case["errorCode"], (case["q"], body)
        assert "fields" not in error and error["message"]
        assert case.get("contains", "") in error["message"], (case["q"], error["message"])
        return
    assert body["done"] is True and isinstance(body["totalSize"], int)
    if case["shape"] == "count":
        assert body["records"] == []
    for record in body["records"]:
        expected = "AggregateResult" if case["shape"] == "aggregate" else None
        assert expected is None or record["attributes"]["type"] == expected
        assert "type" in record["attributes"]
    assert len(body["records"]) >= case.get("min", 0), case["q"]


async def test_corpus_is_large_and_mixed() -> None:
    """At least 80 queries, both accepted and refused ones."""
    assert len(CORPUS) >= 80
    assert {c["status"] for c in CORPUS} == {200, 400}


def test_corpus_queries(api) -> None:
    """Every corpus query answers with its expected status, errorCode and shape (one org for all)."""
    failures = []
    for case in CORPUS:
        r = query(api, case["q"])
        try:
            _check(case, r.status_code, r.json())
        except AssertionError as err:
            failures.append(f"{case['q']}: {err}")
    assert failures == []
