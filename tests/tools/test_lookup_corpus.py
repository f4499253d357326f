"""The misheard-lookup corpus (`fixtures/misheard_lookups.json`) through the real app and embedded org.

Its records are created straight in the org first (so phones keep the forms people type), then
each misheard query must find its record in `records` or among the top 3 `suggestions`, and each
absent name must find nothing and suggest nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx2

CORPUS = json.loads((Path(__file__).parent / "fixtures" / "misheard_lookups.json").read_text(encoding="utf-8"))
SEARCH = "/tools/salesforce_search_records"


async def seed(org: Any, records: dict[str, Any]) -> dict[str, str]:
    """Create the corpus records in the org; their ids by corpus key."""
    headers = {"Authorization": f"Bearer {org.get_token()}"}
    ids = {}
    async with httpx2.AsyncClient(base_url=org.url, headers=headers) as client:
        for key, record in records.items():
            response = await client.post(f"/services/data/v58.0/sobjects/{record['object']}/", json=record["fields"])
            assert response.status_code == 201, response.text
            ids[key] = response.json()["id"]
    return ids


def found_ids(answer: dict[str, Any]) -> list[str]:
    """Ids of the exact records, then the suggestions (at most 3), in order."""
    return [r["Id"] for r in answer["records"]] + [s["Id"] for s in answer["suggestions"][:3]]


async def test_corpus_has_sixty_misheard_lookups_and_twenty_absent_names() -> None:
    """The corpus is as large as the issue asks, with every kind of slip."""
    kinds = {case["kind"] for case in CORPUS["misheard"]}
    assert len(CORPUS["misheard"]) >= 60 and len(CORPUS["absent"]) >= 20
    assert {"split", "merged", "homophone", "dropped", "doubled", "phonetic", "phone", "email"} <= kinds


async def test_misheard_lookups_find_their_record(embedded_org: Any, make_gateway: Any) -> None:
    """At least 95% of misheard lookups find their record exactly or among the top 3 suggestions."""
    ids = await seed(embedded_org, CORPUS["records"])
    missed = []
    async with make_gateway(embedded_org) as (client, _app):
        for case in CORPUS["misheard"]:
            response = await client.get(SEARCH, params={"q": case["q"]})
            assert response.status_code == 200, response.text
            if ids[case["expect"]] not in found_ids(response.json()):
                missed.append(case["q"])
    assert len(missed) <= 0.05 * len(CORPUS["misheard"]), missed


async def test_absent_names_suggest_nothing(embedded_org: Any, make_gateway: Any) -> None:
    """A name that is in no record gets no records and no suggestions."""
    await seed(embedded_org, CORPUS["records"])
    suggested = []
    async with make_gateway(embedded_org) as (client, _app):
        for q in CORPUS["absent"]:
            answer = (await client.get(SEARCH, params={"q": q})).json()
            if answer["records"] or answer["suggestions"]:
                suggested.append((q, [s.get("Name") for s in answer["suggestions"]]))
    assert suggested == []
