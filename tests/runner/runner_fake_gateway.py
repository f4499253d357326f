"""A tiny stateful stand-in for the gateway's three tools (real answer shapes, equality filters only).

Used to test the runner on its own; the persona tests also run against the real gateway + org. Like the
gateway, a search on a name, email, phone or company that finds nothing looks again tolerantly and
answers `suggestions` (at most 3, closest first, with `matched_on` and `score`), ranked here with
rapidfuzz and Double Metaphone: a stand-in for the gateway's matcher, not a copy of it.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import httpx2
from doublemetaphone import doublemetaphone
from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse
from rapidfuzz import fuzz

from service.runner.webhooks import WebhookExecutor, load_tools

PREFIX = {"Lead": "00Q", "Contact": "003", "Account": "001", "Opportunity": "006", "Case": "500"}
WHERE = re.compile(r"WHERE\s+(.*?)(?:\s+LIMIT\s+\d+)?$", re.I | re.S)
COND = re.compile(r"([\w.]+)\s*=\s*('(?:[^'\\]|\\.)*'|true|false)", re.I)
MATCHED_ON = {"name": "name", "email": "email", "phone": "phone", "company": "company", "account.name": "company"}
THRESHOLD = 0.85


def similarity(kind: str, want: str, got: str) -> float:
    """0-1: how close a stored value is to a misheard one (split words, homophones, slips, formats)."""
    if kind == "phone":
        a, b = re.sub(r"\D", "", want)[-10:], re.sub(r"\D", "", got)[-10:]
        return 1.0 if a and a == b else 0.0
    if kind == "email":
        (local, _, domain), (got_local, _, got_domain) = want.lower().partition("@"), got.lower().partition("@")
        return fuzz.ratio(local, got_local) / 100 if domain == got_domain else 0.0
    squashed = fuzz.ratio(want.lower().replace(" ", ""), got.lower().replace(" ", "")) / 100
    sounds = [doublemetaphone(w)[0] for w in want.split()], [doublemetaphone(w)[0] for w in got.split()]
    return max(squashed, 0.95 if "".join(sounds[0]) == "".join(sounds[1]) else 0.0)


def fake_gateway(secret: str = "test-secret") -> FastAPI:
    """A fresh fake gateway app with an empty store; `app.state.store` and `app.state.calls` are observable."""
    app = FastAPI()
    store: dict[str, list[dict[str, Any]]] = {k: [] for k in PREFIX}
    counter = itertools.count(1)
    app.state.store = store
    app.state.calls = []
    app.state.fail_searches = False  # set True: searches answer 503 like an unavailable org

    def denied(given: str | None) -> JSONResponse | None:
        if given != secret:
            return JSONResponse({"error": {"code": "unauthorized", "message": "Missing webhook secret."}}, 401)
        return None

    def value_of(rec: dict[str, Any], field: str) -> Any:
        if field.lower() == "account.name":
            acc = next((a for a in store["Account"] if a["Id"] == rec.get("AccountId")), None)
            return acc["Name"] if acc else None
        return rec.get(field, False if field == "IsClosed" else None)

    @app.get("/tools/salesforce_search_records")
    async def search(q: str, request: Request, x_webhook_secret: str | None = Header(None)) -> Any:
        app.state.calls.append(("search", q, dict(request.headers)))
        if (err := denied(x_webhook_secret)) is not None:
            return err
        if app.state.fail_searches:
            return JSONResponse({"error": {"code": "unavailable", "message": "The CRM is not reachable."}}, 503)
        obj = re.search(r"FROM\s+(\w+)", q, re.I)
        if not obj or obj.group(1) not in store:
            return JSONResponse({"error": {"code": "soql_rejected", "message": "Unknown object."}}, 422)
        where = WHERE.search(q)
        conds = COND.findall(where.group(1)) if where else []
        rows = []
        for rec in store[obj.group(1)]:
            ok = True
            for field, raw in conds:
                want: Any = raw[1:-1].replace("\\'", "'") if raw.startswith("'") else raw.lower() == "true"
                got = value_of(rec, field)
                ok = ok and (str(got).lower() == str(want).lower())
            if ok:
                row = dict(rec)
                if obj.group(1) == "Contact" and rec.get("AccountId"):
                    row["Account"] = value_of(rec, "Account.Name")
                rows.append(row)
        names = ", ".join(str(r.get("Name")) for r in rows)
        speech = f"I found {len(rows)} record(s): {names}." if rows else "I found no matching records."
        answer = {"speech": speech, "count": len(rows), "total": len(rows), "records": rows, "query": q, "changes": []}
        tolerant = [(MATCHED_ON[f.lower()], f, raw[1:-1]) for f, raw in conds if f.lower() in MATCHED_ON]
        if not rows and tolerant and obj.group(1) in ("Lead", "Contact", "Account"):
            scored = []
            for rec in store[obj.group(1)]:
                score, kind = max((similarity(k, want, str(value_of(rec, f) or "")), k) for k, f, want in tolerant)
                if score >= THRESHOLD:
                    row = dict(rec)
                    if obj.group(1) == "Contact" and rec.get("AccountId"):
                        row["Account"] = value_of(rec, "Account.Name")
                    scored.append({**row, "matched_on": kind, "score": round(score, 3)})
            suggestions = sorted(scored, key=lambda r: -float(r["score"]))[:3]
            if suggestions:
                top, heard = suggestions[0], tolerant[0][2]
                at = (
                    f" at {top.get('Account') or top.get('Company')}"
                    if top.get("Account") or top.get("Company")
                    else ""
                )
                answer["suggestions"] = suggestions
                answer["speech"] = (
                    f"I didn't find {heard} exactly. The closest is {top.get('Name')}{at}. "
                    "Is that who you're speaking with?"
                )
        return answer

    @app.get("/tools/salesforce_get_record/{object_type}/{record_id}")
    async def get(object_type: str, record_id: str, x_webhook_secret: str | None = Header(None)) -> Any:
        if (err := denied(x_webhook_secret)) is not None:
            return err
        rec = next((r for r in store.get(object_type, []) if r["Id"] == record_id), None)
        if rec is None:
            return JSONResponse({"error": {"code": "not_found", "message": "No such record."}}, 404)
        return {"speech": f"{object_type} {rec.get('Name')}.", "record": rec}

    @app.post("/tools/salesforce_create_record/{object_type}")
    async def create(
        object_type: str,
        request: Request,
        x_webhook_secret: str | None = Header(None),
        x_conversation_id: str | None = Header(None),
    ) -> Any:
        if (err := denied(x_webhook_secret)) is not None:
            return err
        body = await request.json()
        app.state.calls.append(("create", object_type, body, x_conversation_id))
        if object_type == "Lead" and not body.get("Company"):
            return JSONResponse({"error": {"code": "invalid_record", "message": "Lead needs Company."}}, 422)
        for obj in ("Lead", "Contact"):
            for rec in store[obj]:
                if body.get("Email") and rec.get("Email") == body.get("Email"):
                    return {
                        "speech": f"{rec['Name']} already exists.",
                        "created": False,
                        "id": rec["Id"],
                        "object": obj,
                        "name": rec["Name"],
                    }
        rec = dict(body)
        rec["Id"] = f"{PREFIX[object_type]}000000000{next(counter):03d}AAA"
        rec.setdefault("Name", " ".join(str(body.get(k)) for k in ("FirstName", "LastName") if body.get(k)))
        store[object_type].append(rec)
        article = "an" if object_type[0] in "AEIOU" else "a"
        return {
            "speech": f"I've created {article} {object_type.lower()} for {rec['Name']}.",
            "created": True,
            "id": rec["Id"],
            "object": object_type,
            "name": rec["Name"],
        }

    return app


def executor_for(gateway: FastAPI, tools_dir: Path, secret: str = "test-secret") -> WebhookExecutor:
    """A webhook executor that calls `gateway` in-process with the tool definitions in `tools_dir`."""
    return WebhookExecutor(
        load_tools(tools_dir), base_url="http://gateway", secret=secret, transport=httpx2.ASGITransport(app=gateway)
    )
