"""`GET /limits` (Salesforce's usual keys; the daily API allowance is the one the org counts) and
`GET /limits/recordCount?sObjects=…` (live records per object)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from service.org.endpoint import api
from service.org.state import OrgState, json_response

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
