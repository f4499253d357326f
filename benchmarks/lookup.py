"""`python -m benchmarks.lookup`: the tolerant lookup on the misheard corpus, against the embedded org.

    python -m benchmarks.lookup [--latency-ms 20] [--rounds 5] [--like]

Starts the embedded org (seeded demo data plus the corpus records of
`tests/tools/fixtures/misheard_lookups.json`, created straight in the org so phones keep the
forms people type) and two gateways in this process, one with the tolerant pass (SOSL, or with
`--like` SOQL LIKE as against an org without search) and one without (`TOLERANT_LOOKUP=off`).
Then it prints:

* recall@3 on the misheard cases: the record is in `records` or in the top 3 `suggestions`
  (goal ≥ 0.95);
* the share of absent names that get no suggestion (goal ≥ 0.95);
* the extra org round trips of the tolerant pass (org API requests beyond the search's own),
  p50 and max over the misses (goal p50 ≤ 1), and its latency;
* exact-hit latency p50 with and without the tolerant pass, alternating in the same rounds
  (goal: no extra time — the pass never runs on a hit).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Literal

import httpx2
from asgi_lifespan import LifespanManager
from pydantic import SecretStr

from service.app import create_app
from service.org.server import OrgServer
from service.settings import Settings

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "tools" / "fixtures" / "misheard_lookups.json"
SEARCH = "/tools/salesforce_search_records"
SECRET = "benchmark-webhook-secret-0123456789"  # noqa: S105 - a loopback benchmark's own secret


def _settings(org: OrgServer, tolerant: Literal["auto", "like", "off"]) -> Settings:
    return Settings(
        _env_file=None,
        sf_domain=org.url,
        sf_client_id=org.client_id,
        sf_client_secret=SecretStr(org.client_secret),
        webhook_secret=SecretStr(SECRET),
        tolerant_lookup=tolerant,
        log_level="WARNING",
    )


async def _seed(org: OrgServer, records: dict[str, Any]) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {org.get_token()}"}
    ids = {}
    async with httpx2.AsyncClient(base_url=org.url, headers=headers) as client:
        for key, record in records.items():
            response = await client.post(f"/services/data/v58.0/sobjects/{record['object']}/", json=record["fields"])
            response.raise_for_status()
            ids[key] = response.json()["id"]
    return ids


def _found(answer: dict[str, Any]) -> list[str]:
    return [r["Id"] for r in answer["records"]] + [s["Id"] for s in answer["suggestions"][:3]]


async def _timed(client: httpx2.AsyncClient, q: str) -> tuple[float, dict[str, Any]]:
    start = time.perf_counter()
    response = await client.get(SEARCH, params={"q": q})
    elapsed = (time.perf_counter() - start) * 1000
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return elapsed, body


def _p50(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


async def run(latency_ms: float, rounds: int, mode: Literal["auto", "like"]) -> int:
    corpus = json.loads(CORPUS.read_text(encoding="utf-8"))
    org = OrgServer().start()
    try:
        ids = await _seed(org, corpus["records"])
        org.state.config.latency_ms = latency_ms
        with_app, without_app = create_app(_settings(org, mode)), create_app(_settings(org, "off"))
        async with LifespanManager(with_app) as on, LifespanManager(without_app) as off:
            headers = {"X-Webhook-Secret": SECRET}
            tolerant = httpx2.AsyncClient(
                transport=httpx2.ASGITransport(app=on.app), base_url="http://g", headers=headers
            )
            exact_only = httpx2.AsyncClient(
                transport=httpx2.ASGITransport(app=off.app), base_url="http://g", headers=headers
            )
            async with tolerant, exact_only:
                for client in (tolerant, exact_only):  # token, describe, and the SOSL probe paid up front
                    await _timed(client, "SELECT Id, Name FROM Lead WHERE Name = 'Warm Up'")
                hits, extra_calls, miss_ms, missed = 0, [], [], []
                for case in corpus["misheard"]:
                    before = org.stats()["api_requests"]
                    elapsed, answer = await _timed(tolerant, case["q"])
                    hits += ids[case["expect"]] in _found(answer)
                    if ids[case["expect"]] not in _found(answer):
                        missed.append(f"{case['kind']}: {case['q'].partition(' WHERE ')[2]}")
                    if not answer["records"]:
                        extra_calls.append(org.stats()["api_requests"] - before - 1)
                        miss_ms.append(elapsed)
                quiet = 0
                for q in corpus["absent"]:
                    _elapsed, answer = await _timed(tolerant, q)
                    quiet += not answer["records"] and not answer["suggestions"]
                exact = [
                    f"SELECT Id, Name FROM {r['object']} WHERE Name = '{_name(r['fields'])}'"
                    for r in corpus["records"].values()
                ]
                on_ms: list[float] = []
                off_ms: list[float] = []
                pair = [(tolerant, on_ms), (exact_only, off_ms)]
                for _ in range(rounds):
                    for q in exact:
                        pair.reverse()  # each side goes first half the time (the org's caches are warm for the second)
                        for client, samples in pair:
                            elapsed, answer = await _timed(client, q)
                            assert answer["records"], q
                            samples.append(elapsed)
    finally:
        org.stop()
    recall = hits / len(corpus["misheard"])
    quiet_rate = quiet / len(corpus["absent"])
    calls_p50 = _p50([float(c) for c in extra_calls])
    how = "SOSL" if mode == "auto" else "SOQL LIKE"
    print(
        f"org latency {latency_ms:g} ms; tolerant pass by {how}; {len(corpus['misheard'])} misheard cases, "
        f"{len(corpus['absent'])} absent names"
    )
    print(f"recall@3 on misheard cases: {recall:.3f} (goal >= 0.95)")
    for line in missed:
        print(f"  missed {line}")
    print(f"absent names with no suggestion: {quiet_rate:.3f} (goal >= 0.95)")
    print(
        f"tolerant pass extra org round trips: p50 {calls_p50:g}, max {max(extra_calls, default=0)} over "
        f"{len(extra_calls)} misses (goal p50 <= 1); miss latency p50 {_p50(miss_ms):.1f} ms"
    )
    print(
        f"exact hits p50: {_p50(on_ms):.1f} ms with the tolerant pass, {_p50(off_ms):.1f} ms without "
        f"({len(on_ms)} each, alternating; goal: no extra time)"
    )
    ok = recall >= 0.95 and quiet_rate >= 0.95 and calls_p50 <= 1
    print("goals met" if ok else "GOALS NOT MET")
    return 0 if ok else 1


def _name(fields: dict[str, str]) -> str:
    return fields.get("Name") or f"{fields['FirstName']} {fields['LastName']}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.lookup", description=__doc__.split("\n")[0])
    parser.add_argument("--latency-ms", type=float, default=20.0, help="the org's added latency per call")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of exact hits on each gateway")
    parser.add_argument("--like", action="store_true", help="the tolerant pass by SOQL LIKE (an org without SOSL)")
    args = parser.parse_args(argv)
    return asyncio.run(run(args.latency_ms, args.rounds, "like" if args.like else "auto"))


if __name__ == "__main__":
    sys.exit(main())
