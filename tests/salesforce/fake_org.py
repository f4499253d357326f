"""One stateful fake Salesforce org for `httpx2.MockTransport`, answering with real shapes.

Token endpoint (client credentials, body or Basic auth; no `expires_in`), introspection, query with
`nextRecordsUrl` paging, sobject get/create/describe, limits, 401 INVALID_SESSION_ID for unknown or
revoked tokens. `token_faults` / `api_faults` queue scripted answers (a status + body, or an
exception to raise) for the next requests.
"""

from __future__ import annotations

import base64
import itertools
import json
import time
from collections import deque
from typing import Any
from urllib.parse import parse_qs

import httpx2

from service.settings import Settings

CLIENT_ID = "fake-consumer-key"
CLIENT_SECRET = "fake-consumer-secret-0123456789"
DOMAIN = "https://fake.my.salesforce.com"
INSTANCE = "https://fake.my.salesforce.com"

Fault = tuple[int, Any] | Exception


def fake_settings(**overrides: Any) -> Settings:
    """Settings for the fake org (no .env file)."""
    values: dict[str, Any] = {
        "sf_domain": DOMAIN,
        "sf_client_id": CLIENT_ID,
        "sf_client_secret": CLIENT_SECRET,
        "sf_timeout": 5.0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


class FakeOrg:
    """Callable handler; counters tell tests how often each endpoint was hit."""

    def __init__(self, *, page_size: int = 2000, contacts: int = 5) -> None:
        self.page_size = page_size
        self.tokens: set[str] = set()
        self.token_requests = 0
        self.api_requests = 0
        self.api_used = 17
        self.token_faults: deque[Fault] = deque()
        self.api_faults: deque[Fault] = deque()
        self.always_401 = False
        self.created: dict[str, dict[str, Any]] = {}
        self._seq = itertools.count(1)
        self._locators: dict[str, list[dict[str, Any]]] = {}
        self.contacts = [
            {"Id": f"0035g00000Ab{n:03d}AAA", "LastName": f"Person{n}", "Email": f"p{n}@example.com"}
            for n in range(contacts)
        ]

    def transport(self) -> httpx2.MockTransport:
        return httpx2.MockTransport(self)

    def revoke_all(self) -> None:
        """Every issued token now answers 401 (an admin revoked the sessions)."""
        self.tokens.clear()

    # --- dispatch --------------------------------------------------------------------------------

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        path = request.url.path
        if path == "/services/oauth2/token":
            self.token_requests += 1
            return self._fault(self.token_faults) or self._token(request)
        if path == "/services/oauth2/introspect":
            return self._introspect(request)
        self.api_requests += 1
        fault = self._fault(self.api_faults)
        if fault is not None:
            return fault
        auth = request.headers.get("authorization", "")
        if self.always_401 or not auth.startswith("Bearer ") or auth[7:] not in self.tokens:
            return _json(401, [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])
        parts = path.strip("/").split("/")  # services data v58.0 <resource> ...
        if parts[:2] != ["services", "data"] or len(parts) < 4:
            return _json(404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}])
        version, resource, rest = parts[2], parts[3], parts[4:]
        if resource == "query":
            return self._query(request, version, rest)
        if resource == "limits":
            return self._ok({"DailyApiRequests": {"Max": 100000, "Remaining": 100000 - self.api_used}})
        if resource == "sobjects" and rest:
            return self._sobject(request, version, rest)
        return _json(404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}])

    def _fault(self, queue: deque[Fault]) -> httpx2.Response | None:
        if not queue:
            return None
        fault = queue.popleft()
        if isinstance(fault, Exception):
            raise fault
        status, body = fault
        return _json(status, body)

    def _ok(self, body: Any, status: int = 200, headers: dict[str, str] | None = None) -> httpx2.Response:
        self.api_used += 1
        limit = {"Sforce-Limit-Info": f"api-usage={self.api_used}/100000"}
        return _json(status, body, {**limit, **(headers or {})})

    # --- OAuth -----------------------------------------------------------------------------------

    def _client(self, request: httpx2.Request) -> tuple[str | None, str | None, dict[str, str]]:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        auth = request.headers.get("authorization", "")
        if auth.startswith("Basic "):
            cid, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            return cid, secret, form
        return form.get("client_id"), form.get("client_secret"), form

    def _token(self, request: httpx2.Request) -> httpx2.Response:
        cid, secret, form = self._client(request)
        if form.get("grant_type") != "client_credentials":
            return _json(400, {"error": "unsupported_grant_type", "error_description": "grant type not supported"})
        if cid != CLIENT_ID:
            return _json(400, {"error": "invalid_client_id", "error_description": "client identifier invalid"})
        if secret != CLIENT_SECRET:
            return _json(400, {"error": "invalid_client", "error_description": "invalid client credentials"})
        token = f"00D5g000004fake!AQ{next(self._seq):06d}{'x' * 90}"
        self.tokens.add(token)
        return _json(
            200,
            {
                "access_token": token,
                "signature": "c2lnbmF0dXJlLWZha2U=",
                "scope": "api",
                "instance_url": INSTANCE,
                "id": "https://login.salesforce.com/id/00D5g000004fakeEAA/0055g000003fakeAAA",
                "token_type": "Bearer",
                "issued_at": str(int(time.time() * 1000)),
            },
        )

    def _introspect(self, request: httpx2.Request) -> httpx2.Response:
        _, _, form = self._client(request)
        if form.get("token") in self.tokens:
            now = int(time.time())
            return _json(200, {"active": True, "token_type": "access_token", "exp": now + 1800, "iat": now})
        return _json(200, {"active": False})

    # --- REST ------------------------------------------------------------------------------------

    def _query(self, request: httpx2.Request, version: str, rest: list[str]) -> httpx2.Response:
        if rest:
            rows = self._locators.pop(rest[0], None)
            if rows is None:
                return _json(400, [{"message": "invalid query locator", "errorCode": "INVALID_QUERY_LOCATOR"}])
            return self._page(rows, version, len(rows))
        soql = request.url.params.get("q", "")
        if not soql.lower().startswith("select"):
            word = soql.split(" ")[0] if soql else "<EOF>"
            return _json(400, [{"message": f"unexpected token: {word}", "errorCode": "MALFORMED_QUERY"}])
        rows = [
            {"attributes": {"type": "Contact", "url": f"/services/data/{version}/sobjects/Contact/{c['Id']}"}, **c}
            for c in self.contacts
        ]
        return self._page(rows, version, len(rows))

    def _page(self, rows: list[dict[str, Any]], version: str, total: int) -> httpx2.Response:
        batch, remaining = rows[: self.page_size], rows[self.page_size :]
        body: dict[str, Any] = {"totalSize": total, "done": not remaining, "records": batch}
        if remaining:
            locator = f"01gB000003OCxSPIA1-{next(self._seq)}"
            self._locators[locator] = remaining
            body["nextRecordsUrl"] = f"/services/data/{version}/query/{locator}"
        return self._ok(body)

    def _sobject(self, request: httpx2.Request, version: str, rest: list[str]) -> httpx2.Response:
        obj = rest[0]
        if obj.lower() != "contact":
            return _json(404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}])
        if request.method == "POST" and len(rest) == 1:
            fields = json.loads(request.content)
            if not fields.get("LastName"):
                return _json(
                    400,
                    [
                        {
                            "message": "Required fields are missing: [LastName]",
                            "errorCode": "REQUIRED_FIELD_MISSING",
                            "fields": ["LastName"],
                        }
                    ],
                )
            new_id = f"0035g00000Zz{next(self._seq):03d}AAA"
            self.created[new_id] = fields
            self.contacts.append({"Id": new_id, **fields})
            return self._ok(
                {"id": new_id, "success": True, "errors": []},
                201,
                {"Location": f"/services/data/{version}/sobjects/Contact/{new_id}"},
            )
        if rest[1:] == ["describe"]:
            return self._ok({"name": "Contact", "label": "Contact", "fields": [{"name": "Id"}, {"name": "LastName"}]})
        if len(rest) == 2 and request.method == "GET":
            for c in self.contacts:
                if c["Id"] == rest[1]:
                    wanted = request.url.params.get("fields")
                    rec = {k: v for k, v in c.items() if not wanted or k in wanted.split(",")}
                    url = f"/services/data/{version}/sobjects/Contact/{c['Id']}"
                    return self._ok({"attributes": {"type": "Contact", "url": url}, **rec})
            return _json(404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}])
        return _json(405, [{"errorCode": "METHOD_NOT_ALLOWED", "message": "HTTP Method not allowed"}])


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx2.Response:
    return httpx2.Response(
        status,
        content=json.dumps(body).encode(),
        headers={"Content-Type": "application/json;charset=UTF-8", **(headers or {})},
    )
