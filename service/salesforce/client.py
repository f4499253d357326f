"""The async Salesforce REST client: query (+ paging), get, create, describe, limits.

Every call takes the caller's `Deadline`; each attempt's HTTP timeout is capped by it. A 401
INVALID_SESSION_ID invalidates that token, fetches one new token and retries once — a second 401 is
an auth error, never a loop. REQUEST_LIMIT_EXCEEDED and 503 are retried with backoff while the
deadline allows. A create whose answer is lost after it was sent raises `OutcomeUnknown`; it is
never retried blindly. Errors are mapped in `service.salesforce.errors`.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import httpx2
from authlib.oauth2.rfc6749 import OAuth2Token

from service.deadline import Deadline
from service.errors import (
    DeadlineExceeded,
    InputError,
    OutcomeUnknown,
    SalesforceAuthError,
    SalesforceError,
    SessionExpired,
    Unavailable,
    UnknownObject,
)
from service.salesforce import errors as sf_errors
from service.salesforce.backoff import backoff_delay
from service.salesforce.limits import ApiUsage, parse_limit_info
from service.salesforce.token import TokenManager, tls_verify
from service.salesforce.transport import AiohttpTransport
from service.settings import Settings

log = logging.getLogger(__name__)

_OBJECT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,79}$")
_RECORD_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")
_FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.]{0,120}$")
# Failures where the request never left this process: safe to repeat even for a create.
_NOT_SENT = (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.PoolTimeout)
_RETRY_STATUSES_READ = frozenset({502, 503, 504})
_RETRY_STATUSES_WRITE = frozenset({503})
# Every pooled connection is kept alive (httpx2's default keeps only 20 idle: with more calls in
# flight each surplus connection would be closed after its answer and reopened for the next).
_MAX_CONNECTIONS = 100
_KEEPALIVE_EXPIRY = 30.0


@dataclass(frozen=True)
class QueryResult:
    """One query's rows (all pages up to the cap); `next_records_url` is set when more remain."""

    total_size: int
    done: bool
    records: list[dict[str, Any]] = field(default_factory=list)
    next_records_url: str | None = None


class SalesforceClient:
    """REST calls against the token's `instance_url`, authenticated by `token_manager`."""

    def __init__(
        self,
        token_manager: TokenManager,
        settings: Settings,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        self.tokens = token_manager
        self.settings = settings
        self.api_version = token_manager.config.api_version
        self.api_usage: ApiUsage | None = None
        self.calls = 0
        self._describe_cache: dict[str, tuple[float, dict[str, Any]]] = {}
        verify = tls_verify(settings)
        if transport is None:  # the one stack everywhere; it honours *_PROXY itself
            transport = AiohttpTransport(
                verify=verify, max_connections=_MAX_CONNECTIONS, keepalive_expiry=_KEEPALIVE_EXPIRY
            )
        self._http = httpx2.AsyncClient(
            transport=transport,
            verify=verify,
            headers={"Accept": "application/json"},
            follow_redirects=False,
        )
        self._headers = dict(self._http.headers)

    @property
    def data_path(self) -> str:
        return f"/services/data/{self.api_version}"

    async def aclose(self) -> None:
        """Close the HTTP client (the token manager is closed by its owner)."""
        await self._http.aclose()

    def __repr__(self) -> str:
        return f"SalesforceClient(version={self.api_version!r}, tokens={self.tokens!r})"

    # --- operations -----------------------------------------------------------------------------

    async def query(
        self, soql: str, *, deadline: Deadline, max_records: int | None = None, batch_size: int | None = None
    ) -> QueryResult:
        """Run `soql`, following `nextRecordsUrl` until done or `max_records` rows are held.

        `batch_size` (200–2000) asks for smaller pages via `Sforce-Query-Options`.
        """
        headers = {"Sforce-Query-Options": f"batchSize={batch_size}"} if batch_size else None
        page = await self._request(
            "GET", f"{self.data_path}/query", params={"q": soql}, headers=headers, deadline=deadline
        )
        total = int(page.get("totalSize", 0))
        records: list[dict[str, Any]] = list(page.get("records") or [])
        done = bool(page.get("done", True))
        next_url: str | None = page.get("nextRecordsUrl")
        while not done and next_url and (max_records is None or len(records) < max_records):
            page = await self._request("GET", next_url, headers=headers, deadline=deadline)
            records.extend(page.get("records") or [])
            done = bool(page.get("done", True))
            next_url = page.get("nextRecordsUrl")
        if max_records is not None and len(records) > max_records:
            records = records[:max_records]
            done = False
        return QueryResult(total_size=total, done=done, records=records, next_records_url=None if done else next_url)

    async def get(
        self, object_name: str, record_id: str, fields: list[str] | None = None, *, deadline: Deadline
    ) -> dict[str, Any]:
        """One record by id (all readable fields, or only `fields`)."""
        _check_object(object_name)
        if not _RECORD_ID.match(record_id):
            raise InputError(f"{record_id!r} is not a Salesforce record id (15 or 18 letters and digits)")
        params = None
        if fields:
            bad = [f for f in fields if not _FIELD_NAME.match(f)]
            if bad:
                raise InputError(f"not field names: {', '.join(bad)}", fields=bad)
            params = {"fields": ",".join(fields)}
        path = f"{self.data_path}/sobjects/{object_name}/{record_id}"
        result: dict[str, Any] = await self._request("GET", path, params=params, deadline=deadline)
        return result

    async def create(
        self,
        object_name: str,
        fields: Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
        deadline: Deadline,
    ) -> str:
        """Create one record; returns its id. Raises `OutcomeUnknown` if the answer was lost."""
        _check_object(object_name)
        path = f"{self.data_path}/sobjects/{object_name}/"
        body = await self._request(
            "POST", path, json=dict(fields), headers=headers, deadline=deadline, idempotent=False
        )
        return str(body["id"])

    async def search(self, sosl: str, *, deadline: Deadline) -> list[dict[str, Any]]:
        """Run one SOSL search (`/search?q=FIND …`); its `searchRecords`."""
        body = await self._request("GET", f"{self.data_path}/search", params={"q": sosl}, deadline=deadline)
        return list((body or {}).get("searchRecords") or []) if isinstance(body, dict) else []

    async def update(self, object_name: str, record_id: str, fields: Mapping[str, Any], *, deadline: Deadline) -> None:
        """PATCH one record's fields (204; repeating the same values is harmless, so it is retried)."""
        _check_object(object_name)
        if not _RECORD_ID.match(record_id):
            raise InputError(f"{record_id!r} is not a Salesforce record id (15 or 18 letters and digits)")
        await self._request(
            "PATCH", f"{self.data_path}/sobjects/{object_name}/{record_id}", json=dict(fields), deadline=deadline
        )

    async def describe(self, object_name: str, *, deadline: Deadline) -> dict[str, Any]:
        """The object's describe, cached for `SF_DESCRIBE_TTL` seconds."""
        _check_object(object_name)
        key = object_name.lower()
        cached = self._describe_cache.get(key)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        result: dict[str, Any] = await self._request(
            "GET", f"{self.data_path}/sobjects/{object_name}/describe", deadline=deadline
        )
        self._describe_cache[key] = (time.monotonic() + self.settings.sf_describe_ttl, result)
        return result

    async def limits(self, *, deadline: Deadline) -> dict[str, Any]:
        """The org's limits (`/limits`)."""
        result: dict[str, Any] = await self._request("GET", f"{self.data_path}/limits", deadline=deadline)
        return result

    # --- one call, with the 401 and backoff policies ---------------------------------------------

    async def _request(
        self,
        method: str,
        path: str,
        *,
        deadline: Deadline,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = True,
    ) -> Any:
        token = await self.tokens.get_token(deadline)
        refreshed = False
        attempt = 0
        retry_statuses = _RETRY_STATUSES_READ if idempotent else _RETRY_STATUSES_WRITE
        while True:
            if deadline.expired:
                raise DeadlineExceeded(f"Salesforce did not answer {method} in time")
            try:
                response = await self._send(method, path, token, deadline, params, json, headers)
            except (httpx2.TimeoutException, httpx2.TransportError) as exc:
                if not idempotent and not isinstance(exc, _NOT_SENT):
                    raise OutcomeUnknown(
                        f"the create was sent but its answer was lost ({type(exc).__name__}); "
                        "check whether the record exists before trying again"
                    ) from exc
                if deadline.expired:
                    raise DeadlineExceeded(f"Salesforce did not answer {method} in time") from exc
                error: SalesforceError = Unavailable(f"Salesforce unreachable ({type(exc).__name__})")
            else:
                if response.status_code < 300:
                    return response.json() if response.content else None
                error = sf_errors.from_response(response)
                if response.status_code == 401 and isinstance(error, SessionExpired):
                    if refreshed:
                        raise SalesforceAuthError(
                            f"Salesforce rejected a freshly fetched token ({error.error_code}: "
                            f"{error.sf_message}) — check the Run As user is active and the External "
                            "Client App grants the api scope",
                            error_code=error.error_code,
                            sf_message=error.sf_message,
                            http_status=401,
                        ) from error
                    refreshed = True
                    await self.tokens.invalidate(str(token["access_token"]))
                    token = await self.tokens.get_token(deadline)
                    continue
                retryable = error.error_code == "REQUEST_LIMIT_EXCEEDED" or response.status_code in retry_statuses
                if not retryable:
                    if not idempotent and response.status_code in (502, 504):
                        raise OutcomeUnknown(
                            f"the create may or may not have happened (HTTP {response.status_code} from a proxy)",
                            http_status=response.status_code,
                        ) from error
                    raise error
            delay = backoff_delay(attempt)
            attempt += 1
            if deadline.remaining() <= delay:
                raise DeadlineExceeded(f"Salesforce kept failing until the deadline: {error.message}") from error
            log.warning("salesforce %s %s retry %d after %s", method, path.split("?")[0], attempt, error.code)
            await asyncio.sleep(delay)

    async def _send(
        self,
        method: str,
        path: str,
        token: OAuth2Token,
        deadline: Deadline,
        params: Mapping[str, str] | None,
        json: Any,
        headers: Mapping[str, str] | None,
    ) -> httpx2.Response:
        """One HTTP attempt, its timeout capped by the deadline; records `Sforce-Limit-Info`."""
        budget = deadline.cap(self.settings.sf_timeout)
        timeout = {
            "connect": min(self.settings.sf_connect_timeout, budget),
            "read": budget,
            "write": budget,
            "pool": budget,
        }
        # The client's own headers (Accept, Accept-Encoding, User-Agent) with this call's: built here
        # and sent as-is, which skips the client's per-request merging of cookies and params.
        request_headers = {**self._headers, **(headers or {}), "Authorization": f"Bearer {token['access_token']}"}
        url = _url(str(token["instance_url"]), path, tuple(params.items()) if params else ())
        self.calls += 1
        request = httpx2.Request(method, url, json=json, headers=request_headers, extensions={"timeout": timeout})
        response = await self._http.send(request)
        usage = parse_limit_info(response.headers.get("sforce-limit-info"))
        if usage is not None:
            self.api_usage = usage
        return response


@lru_cache(maxsize=512)
def _url(instance_url: str, path: str, params: tuple[tuple[str, str], ...]) -> httpx2.URL:
    """The absolute URL of `path` (with `params` encoded), remembered: parsing and encoding a long
    SOQL query string is a large share of a call's CPU, and agents repeat the same queries."""
    url = httpx2.URL(path if path.startswith(("http://", "https://")) else f"{instance_url}{path}")
    return url.copy_merge_params(dict(params)) if params else url


def _check_object(name: str) -> None:
    if not _OBJECT_NAME.match(name):
        raise UnknownObject(f"{name!r} is not a Salesforce object name")
