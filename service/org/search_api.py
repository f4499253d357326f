"""Search resources: `GET /search?q=<SOSL>` and `GET|POST /parameterizedSearch`.

Both answer `{"searchRecords": [{"attributes": {type, url}, "Id": …, …}]}`. parameterizedSearch
takes a plain search text (`q`), `in` (ALL, NAME, EMAIL, PHONE), `sobject` / `sobjects` with their
fields and limits, `overallLimit` and `defaultLimit`, as query parameters (GET) or JSON (POST).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from service.org.dates import local_today
from service.org.endpoint import api, read_json
from service.org.sosl import MAX_ROWS, Returning, Search, parse, run
from service.org.sosl_terms import GROUPS, NO_TERM, malformed
from service.org.state import OrgState, json_response


def _answer(state: OrgState, search: Search, version: str) -> Response:
    tz = state.config.timezone
    found = run(state.store, state.schema, search, tz=tz, today=local_today(tz), version=version)
    return json_response({"searchRecords": found})


@api("search")
async def search(request: Request, state: OrgState, version: str) -> Response:
    """Run a SOSL search."""
    sosl = request.query_params.get("q")
    if not sosl or not sosl.strip():
        raise malformed(NO_TERM)
    return _answer(state, parse(sosl), version)


def _limit(value: Any, default: int) -> int:
    try:
        return max(1, min(int(value), MAX_ROWS))
    except (TypeError, ValueError):
        raise malformed(f"invalid limit: {value}") from None


def _from_params(params: dict[str, Any]) -> Search:
    text = params.get("q")
    if not isinstance(text, str) or not text.strip():
        raise malformed(NO_TERM)
    scope = str(params.get("in") or "ALL").upper()
    if scope not in GROUPS:
        raise malformed(f"unexpected token: '{params.get('in')}'")
    default_limit = _limit(params.get("defaultLimit", MAX_ROWS), MAX_ROWS)
    common = params.get("fields") or ["Id"]
    objects = []
    for item in params.get("sobjects") or []:
        fields = item.get("fields") or common
        limit = _limit(item.get("limit", default_limit), default_limit)
        objects.append(Returning(str(item.get("name")), ", ".join(fields), f"LIMIT {limit}"))
    return Search(text=text, scope=scope, objects=objects, limit=_limit(params.get("overallLimit", MAX_ROWS), MAX_ROWS))


def _query_params(request: Request) -> dict[str, Any]:
    q = request.query_params
    params: dict[str, Any] = {k: q[k] for k in ("q", "in", "overallLimit", "defaultLimit") if k in q}
    if "fields" in q:
        params["fields"] = [f.strip() for f in q["fields"].split(",") if f.strip()]
    sobjects = []
    for name in q.getlist("sobject"):
        item: dict[str, Any] = {"name": name}
        if f"{name}.fields" in q:
            item["fields"] = [f.strip() for f in q[f"{name}.fields"].split(",") if f.strip()]
        if f"{name}.limit" in q:
            item["limit"] = q[f"{name}.limit"]
        sobjects.append(item)
    params["sobjects"] = sobjects
    return params


@api("parameterized_search")
async def parameterized_search(request: Request, state: OrgState, version: str) -> Response:
    """parameterizedSearch over GET (query parameters) or POST (JSON)."""
    if request.method == "POST":
        body = await read_json(request, state)
        if not isinstance(body, dict):
            raise malformed("The request body must be a JSON object")
        params = body
    else:
        params = _query_params(request)
    return _answer(state, _from_params(params), version)
