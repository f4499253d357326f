"""REST resources of the embedded org: versions, describe, sobject get/create/update/delete.

Every data call goes through `service.org.endpoint.api` (version, token, allowance,
`Sforce-Limit-Info`); errors are Salesforce's JSON arrays (see `service.org.errors`). Creates of
Lead, Contact and Account pass the standard matching rules (`service.org.matching`) unless
`Sforce-Duplicate-Rule-Header: allowSave=true`. `/limits` lives in `service.org.limits_api`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from service.org import ids
from service.org.describe import describe as describe_body
from service.org.endpoint import MAX_VERSION, MIN_VERSION, api, read_json, version_label
from service.org.errors import not_found, sf_error, sf_error_body
from service.org.matching import RULES, find_duplicates
from service.org.records import defaults, derive, duplicate_body, record_url, render, touched
from service.org.state import OrgState, json_response
from service.org.store import live, now_sf
from service.org.validation import validate_write
from service.schema import SField, SObject


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
