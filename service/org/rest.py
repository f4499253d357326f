"""REST resources of the embedded org: versions, describe, sobject get/create/update/delete, limits.

Every data call is authenticated (Bearer or OAuth token), counted against the daily allowance and
answered with `Sforce-Limit-Info`. Errors are Salesforce's JSON arrays (see `service.org.errors`).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from service.errors import SalesforceError
from service.org import ids
from service.org.describe import describe as describe_body
from service.org.errors import not_found, session_invalid, sf_error, sf_error_body
from service.org.matching import RULES, find_duplicates
from service.org.records import defaults, derive, duplicate_body, record_url, render, touched
from service.org.state import OrgState, json_response, org_state
from service.org.store import live, now_sf
from service.org.validation import validate_write
from service.schema import SField, SObject

VERSION_RE = re.compile(r"^v(\d{2})\.0$")
MIN_VERSION, MAX_VERSION = 40, 62
SEASONS = ("Winter", "Spring", "Summer")

log = logging.getLogger(__name__)
Handler = Callable[[Request, OrgState, str], Awaitable[Response]]


def version_label(n: int) -> str:
    """Release name of API version n (v58.0 → Summer '23)."""
    idx = n - 41
    return f"{SEASONS[idx % 3]} '{18 + idx // 3}"


def check_version(raw: str) -> str:
    """`vNN.0` within v40.0–v62.0, else 404 NOT_FOUND."""
    match = VERSION_RE.match(raw)
    if match is None or not MIN_VERSION <= int(match.group(1)) <= MAX_VERSION:
        raise not_found()
    return raw


def authenticate(request: Request, state: OrgState) -> None:
    """Accept `Authorization: Bearer <token>` (or `OAuth <token>`) of a live session."""
    header = request.headers.get("authorization")
    scheme, _, token = (header or "").partition(" ")
    if not header or scheme.lower() not in ("bearer", "oauth") or not token.strip():
        raise sf_error(401, "INVALID_AUTH_HEADER", "INVALID_HEADER_TYPE")
    if state.sessions.use(token.strip()) is None:
        raise session_invalid()


def api(kind: str) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Wrap a data resource: version check, auth, allowance, counters, `Sforce-Limit-Info`."""

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            state = org_state(request)
            try:
                version = check_version(request.path_params["version"])
                authenticate(request, state)
            except SalesforceError as exc:
                return error_response(exc)
            try:
                state.limits.consume()
                state.stats.api_request(kind)
                response = await handler(request, state, version)
            except SalesforceError as exc:
                response = error_response(exc)
            except Exception:
                log.exception("unexpected error in %s", kind)
                response = json_response(
                    [{"message": "An unexpected error occurred.", "errorCode": "UNKNOWN_EXCEPTION"}], status=500
                )
            response.headers["Sforce-Limit-Info"] = state.limits.header()
            return response

        endpoint.__name__ = handler.__name__
        return endpoint

    return wrap


def error_response(exc: SalesforceError) -> Response:
    """The Salesforce-shaped body of an error."""
    body = exc.body if exc.body is not None else [{"message": exc.message, "errorCode": exc.error_code}]
    return json_response(body, status=exc.http_status or 400)


def resolve_object(state: OrgState, name: str) -> SObject:
    """The object named in the path, else 404 NOT_FOUND."""
    obj = state.schema.get(name)
    if obj is None:
        raise not_found()
    return obj


def resolve_id(obj: SObject, raw: str) -> str:
    """The 18-character id in the path for `obj`: 404 if not id-shaped, 400 MALFORMED_ID if wrong."""
    if not ids.looks_like_id(raw):
        raise sf_error(404, "NOT_FOUND", f"Provided external ID field does not exist or is not accessible: {raw}")
    record_id = ids.normalize(raw)
    if record_id is None or record_id[:3] != obj.key_prefix:
        raise sf_error(400, "MALFORMED_ID", f"Record ID: id value of incorrect type: {raw}", ["Id"])
    return record_id


def load_live(state: OrgState, obj: SObject, record_id: str) -> dict[str, Any]:
    """A stored record that exists and is not deleted."""
    row = state.store.get(obj, record_id)
    if row is None:
        raise not_found()
    if row.get("IsDeleted"):
        raise sf_error(404, "ENTITY_IS_DELETED", "entity is deleted", [])
    return row


async def read_json(request: Request, state: OrgState) -> Any:
    """The JSON body, within the size limit, or JSON_PARSER_ERROR / 413."""
    limit = state.config.max_body_bytes
    too_large = sf_error(413, "REQUEST_ENTITY_TOO_LARGE", f"Request body exceeds the limit of {limit} bytes")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        raise sf_error(400, "JSON_PARSER_ERROR", "No content to map due to end-of-input")
    try:
        body = json.loads(raw, parse_constant=_reject_constant)
        json.dumps(body, ensure_ascii=False).encode("utf-8")  # lone surrogates ("\ud800") can't be stored
        return body
    except (ValueError, UnicodeError) as exc:
        where = f" at [line:{exc.lineno}, column:{exc.colno}]" if isinstance(exc, json.JSONDecodeError) else ""
        raise sf_error(400, "JSON_PARSER_ERROR", f"Unexpected character in JSON body{where}") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"unexpected token {name}")


def _exists(state: OrgState) -> Callable[[SObject, str], bool]:
    def exists(obj: SObject, record_id: str) -> bool:
        where = live(obj)
        sql = f'SELECT 1 FROM "{obj.name}" WHERE Id = ? AND {where}'
        return bool(state.store.execute(sql, (record_id,)))

    return exists


def _account_name(state: OrgState) -> Callable[[Any], str]:
    account = state.schema.get("Account")

    def name_of(account_id: Any) -> str:
        if account is None or not isinstance(account_id, str):
            return ""
        row = state.store.get(account, account_id)
        return str(row.get("Name") or "") if row else ""

    return name_of


# --- resources -------------------------------------------------------------------------------------


async def versions(request: Request) -> Response:
    """`GET /services/data/`: every supported API version (no auth, no limit header)."""
    return json_response(
        [
            {"label": version_label(n), "url": f"/services/data/v{n}.0", "version": f"{n}.0"}
            for n in range(MIN_VERSION, MAX_VERSION + 1)
        ]
    )


@api("resources")
async def resources(request: Request, state: OrgState, version: str) -> Response:
    """`GET /services/data/vXX.X/`: the resource directory."""
    base = f"/services/data/{version}"
    names = ("sobjects", "query", "queryAll", "search", "parameterizedSearch", "limits")
    return json_response({name: f"{base}/{name}" for name in names})


def _global_entry(obj: SObject, version: str) -> dict[str, Any]:
    base = f"/services/data/{version}/sobjects/{obj.name}"
    flags = ("createable", "deletable", "queryable", "retrieveable", "searchable", "updateable", "layoutable")
    return {
        "activateable": False,
        "custom": False,
        "customSetting": False,
        "keyPrefix": obj.key_prefix,
        "label": obj.label,
        "labelPlural": obj.label_plural,
        "name": obj.name,
        **{flag: True for flag in flags},
        "urls": {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"},
    }


@api("describe_global")
async def describe_global(request: Request, state: OrgState, version: str) -> Response:
    """`GET /sobjects`: the global describe."""
    objects = [_global_entry(o, version) for o in state.schema.objects.values()]
    return json_response({"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": objects})


@api("describe")
async def describe(request: Request, state: OrgState, version: str) -> Response:
    """`GET /sobjects/{type}/describe`: fields, relationships, picklists from the schema."""
    obj = resolve_object(state, request.path_params["sobject"])
    return json_response(describe_body(state.schema, obj.name, version))


@api("sobject_info")
async def sobject_info(request: Request, state: OrgState, version: str) -> Response:
    """`GET /sobjects/{type}`: basic information and recent items."""
    obj = resolve_object(state, request.path_params["sobject"])
    return json_response({"objectDescribe": _global_entry(obj, version), "recentItems": []})


@api("get")
async def get_record(request: Request, state: OrgState, version: str) -> Response:
    """`GET /sobjects/{type}/{id}[?fields=A,B]`."""
    obj = resolve_object(state, request.path_params["sobject"])
    record_id = resolve_id(obj, request.path_params["record_id"])
    chosen: list[SField] | None = None
    if "fields" in request.query_params:
        chosen = []
        for name in (n.strip() for n in request.query_params["fields"].split(",")):
            f = obj.field(name) if name else None
            if f is None:
                raise sf_error(
                    400,
                    "INVALID_FIELD",
                    f"No such column '{name}' on entity '{obj.name}'. If you are attempting to use a custom field, "
                    "be sure to append the '__c' after the custom field name. Please reference your WSDL or the "
                    "describe call for the appropriate names.",
                )
            chosen.append(f)
    row = load_live(state, obj, record_id)
    return json_response(render(obj, row, version, chosen))


def _allow_save(request: Request) -> bool:
    header = request.headers.get("sforce-duplicate-rule-header", "")
    options = dict(part.strip().partition("=")[::2] for part in header.split(";") if part.strip())
    return options.get("allowSave", "").strip().lower() == "true"


@api("create")
async def create(request: Request, state: OrgState, version: str) -> Response:
    """`POST /sobjects/{type}/`: validate, duplicate rule, defaults → 201 + Location."""
    obj = resolve_object(state, request.path_params["sobject"])
    body = await read_json(request, state)
    values = validate_write(obj, body, creating=True, exists=_exists(state), schema_get=state.schema.get)
    if obj.name in RULES and not _allow_save(request):
        matches = find_duplicates(state.store, obj, values, _account_name(state))
        if matches:
            raise sf_error_body(400, duplicate_body(obj, matches, version))
    number, record_id = state.store.new_id(obj)
    record = defaults(obj, values, now_sf(), case_number=number)
    record["Id"] = record_id
    state.store.insert(obj, record)
    return json_response(
        {"id": record_id, "success": True, "errors": []},
        status=201,
        headers={"Location": record_url(version, obj.name, record_id)},
    )


@api("update")
async def update(request: Request, state: OrgState, version: str) -> Response:
    """`PATCH /sobjects/{type}/{id}` → 204."""
    obj = resolve_object(state, request.path_params["sobject"])
    record_id = resolve_id(obj, request.path_params["record_id"])
    body = await read_json(request, state)
    values = validate_write(obj, body, creating=False, exists=_exists(state), schema_get=state.schema.get)
    row = load_live(state, obj, record_id)
    merged = {**row, **values}
    derive(obj, merged)
    changes = {k: v for k, v in merged.items() if k in values or row.get(k) != v}
    state.store.update(obj, record_id, touched(changes, now_sf(), obj))
    return Response(status_code=204)


@api("delete")
async def delete(request: Request, state: OrgState, version: str) -> Response:
    """`DELETE /sobjects/{type}/{id}` → 204; a second delete → 404 ENTITY_IS_DELETED."""
    obj = resolve_object(state, request.path_params["sobject"])
    record_id = resolve_id(obj, request.path_params["record_id"])
    load_live(state, obj, record_id)
    if obj.field("IsDeleted") is None:
        raise sf_error(400, "INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id", [])
    state.store.update(obj, record_id, touched({"IsDeleted": True}, now_sf(), obj))
    return Response(status_code=204)


# Salesforce's usual `/limits` keys with a Developer Edition org's allowances (Max, Remaining = Max
# for everything the org does not count).
STATIC_LIMITS: dict[str, int] = {
    "ConcurrentAsyncGetReportInstances": 200,
    "ConcurrentSyncReportRuns": 20,
    "DailyAsyncApexExecutions": 250000,
    "DailyAsyncApexTests": 500,
    "DailyBulkApiBatches": 15000,
    "DailyBulkV2QueryFileStorageMB": 976562,
    "DailyBulkV2QueryJobs": 10000,
    "DailyDeliveredPlatformEvents": 10000,
    "DailyDurableGenericStreamingApiEvents": 10000,
    "DailyDurableStreamingApiEvents": 10000,
    "DailyGenericStreamingApiEvents": 10000,
    "DailyStandardVolumePlatformEvents": 10000,
    "DailyStreamingApiEvents": 10000,
    "DailyWorkflowEmails": 390,
    "DataStorageMB": 5,
    "DurableStreamingApiConcurrentClients": 20,
    "FileStorageMB": 20,
    "HourlyAsyncReportRuns": 1200,
    "HourlyDashboardRefreshes": 200,
    "HourlyDashboardResults": 5000,
    "HourlyDashboardStatuses": 999999999,
    "HourlyLongTermIdMapping": 100000,
    "HourlyODataCallout": 10000,
    "HourlyPublishedPlatformEvents": 50000,
    "HourlyPublishedStandardVolumePlatformEvents": 1000,
    "HourlyShortTermIdMapping": 100000,
    "HourlySyncReportRuns": 500,
    "HourlyTimeBasedWorkflow": 50,
    "MassEmail": 10,
    "PermissionTypesLimit": 30000,
    "SingleEmail": 15,
    "StreamingApiConcurrentClients": 20,
}


@api("limits")
async def limits(request: Request, state: OrgState, version: str) -> Response:
    """`GET /limits`: the daily API allowance (counted) and Salesforce's other usual limits."""
    used, limit = state.limits.used, state.limits.limit
    body: dict[str, Any] = {name: {"Max": n, "Remaining": n} for name, n in STATIC_LIMITS.items()}
    body["DailyApiRequests"] = {"Max": limit, "Remaining": max(limit - used, 0)}
    return json_response(dict(sorted(body.items())))


@api("record_count")
async def record_count(request: Request, state: OrgState, version: str) -> Response:
    """`GET /limits/recordCount[?sObjects=A,B]`: live records per object (unknown names left out)."""
    counts = state.store.counts()
    wanted = request.query_params.get("sObjects")
    names = [n.strip() for n in wanted.split(",") if n.strip()] if wanted else sorted(counts)
    objects = [o for o in (state.schema.get(n) for n in names) if o is not None]
    return json_response({"sObjects": [{"count": counts[o.name], "name": o.name} for o in objects]})
