"""The create-input corpus: each value stored exactly as expected, or refused saying what to confirm."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import httpx2
import pytest

from service.errors import RecordInvalid
from service.schema import builtin_schema
from service.tools.guard import normalize_fields, resolve_names

CORPUS = Path(__file__).parent / "fixtures" / "create_inputs.jsonl"
CREATE = "/tools/salesforce_create_record"
SEARCH = "/tools/salesforce_search_records"
ROWS = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
TODAY = date(2026, 11, 24)


def _body(number: int, row: dict[str, Any]) -> dict[str, Any]:
    """The row's fields plus unique required fields, so no two rows look like duplicates."""
    names = {
        "Lead": {"LastName": f"Corpus{number:03d}", "Company": f"Corpus Co {number:03d}"},
        "Contact": {"LastName": f"Corpus{number:03d}"},
        "Account": {"Name": f"Corpus Account {number:03d}"},
    }
    return {**names[row["object"]], **row["fields"]}


def test_the_corpus_is_large_enough() -> None:
    """At least 60 inputs, both stored and refused ones."""
    assert len(ROWS) >= 60
    assert sum("refused" in r for r in ROWS) >= 15 and sum("stored" in r for r in ROWS) >= 40


@pytest.mark.parametrize("row", ROWS, ids=[f"{i}-{next(iter(r['fields']))}" for i, r in enumerate(ROWS)])
def test_guard_stores_or_refuses_each_input(row: dict[str, Any]) -> None:
    """The guard gives the exact stored value and lists exactly the changed fields, or refuses naming them."""
    schema = builtin_schema()
    sobject = schema.get(row["object"])
    assert sobject is not None
    if "refused" in row:
        with pytest.raises(RecordInvalid) as info:
            normalize_fields(sobject, resolve_names(sobject, row["fields"]), schema, TODAY)
        assert row["refused"] in info.value.message
        assert info.value.fields == row["bad"]
        return
    normalized = normalize_fields(sobject, resolve_names(sobject, row["fields"]), schema, TODAY)
    assert {k: normalized.fields[k] for k in row["stored"]} == row["stored"]
    assert [c.field for c in normalized.changes] == row["changed"]
    for change in normalized.changes:
        assert change.to_json()["from"] == str(row["fields"][change.field]).strip() and change.why


async def test_corpus_through_the_app_against_the_embedded_org(gateway: httpx2.AsyncClient) -> None:
    """Every input is stored in the org exactly as expected, or answered 422 invalid_record naming the field."""
    wrong: list[str] = []
    for number, row in enumerate(ROWS):
        r = await gateway.post(f"{CREATE}/{row['object']}", json=_body(number, row))
        if "refused" in row:
            error = r.json().get("error", {}) if r.status_code == 422 else {}
            code, fragment = row.get("app_code", "invalid_record"), row.get("app_refused", row["refused"])
            if error.get("code") != code or fragment not in error.get("message", ""):
                wrong.append(f"{number}: expected a refusal, got {r.status_code} {r.text[:200]}")
            continue
        if r.status_code != 200 or not r.json().get("created"):
            wrong.append(f"{number}: expected a create, got {r.status_code} {r.text[:200]}")
            continue
        fields = ", ".join(row["stored"])
        q = f"SELECT Id, {fields} FROM {row['object']} WHERE Id = '{r.json()['id']}'"
        found = await gateway.get(SEARCH, params={"q": q})
        [record] = found.json()["records"]
        stored = {k: record[k] for k in row["stored"]}
        if stored != row["stored"]:
            wrong.append(f"{number}: stored {stored}, expected {row['stored']}")
    assert wrong == [], "\n".join(wrong)
