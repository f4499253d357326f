"""Contract scenarios for the client, recorded as cassettes (vcrpy's YAML) and replayed in CI.

Each scenario drives the real `TokenManager` + `SalesforceClient` and returns what it observed.
`python -m scripts.record_cassettes` records them with vcrpy (embedded org, or the real org when
SF_* is set); `tests/salesforce/test_contract.py` replays them from a loopback HTTP server that
serves the recorded answers, so replay runs through the production HTTP stack. Cassettes are
scrubbed: tokens, signatures, client credentials, org ids and the instance host never reach disk.
Recording and test code, so it lives outside the installed package (vcrpy is a `dev` extra).
"""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from authlib.oauth2.rfc6749 import OAuth2Token
from pydantic import SecretStr

from service.deadline import Deadline
from service.errors import SalesforceError
from service.salesforce.client import SalesforceClient
from service.salesforce.token import TokenManager
from service.salesforce.token_store import InMemoryTokenStore
from service.settings import Settings

if TYPE_CHECKING:
    import vcr

CASSETTE_DIR = Path(__file__).resolve().parents[1] / "cassettes"
ORIGIN = "https://cassette.my.salesforce.com"
TOKEN = "00D000000000000!REDACTED"  # noqa: S105 - placeholder written into cassettes
CLIENT_ID = "cassette-client-id"
CLIENT_SECRET = "cassette-client-secret"  # noqa: S105 - placeholder written into cassettes
BOGUS_TOKEN = "00D000000000000!REVOKED"  # noqa: S105 - a deliberately dead token

_ACCESS_TOKEN = re.compile(r"00D[A-Za-z0-9]{12,15}![A-Za-z0-9._-]{8,}")
_FORM_SECRET = re.compile(r"(client_secret|client_id|token)=[^&\s]*")
_ORG_ID = re.compile(r"/id/00D[A-Za-z0-9]{12,15}/005[A-Za-z0-9]{12,15}")


def replay_settings(origin: str = ORIGIN, **overrides: Any) -> Settings:
    """Settings matching the scrubbed cassettes, for the org at `origin` (the replay server's URL)."""
    values: dict[str, Any] = {"sf_domain": origin, "sf_client_id": CLIENT_ID, "sf_client_secret": CLIENT_SECRET}
    return Settings(_env_file=None, **(values | overrides))


@dataclass
class Scrubber:
    """Rewrites recorded traffic: the org's origins → `ORIGIN`, secrets and tokens → placeholders."""

    origins: set[str]
    secrets: set[str] = field(default_factory=set)

    def _text(self, text: str) -> str:
        for origin in sorted(self.origins, key=len, reverse=True):
            text = text.replace(origin, ORIGIN)
        for origin in sorted(self.origins, key=len, reverse=True):
            text = text.replace(origin.split("://", 1)[-1], ORIGIN.split("://", 1)[-1])
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, "<SECRET>")
        text = _ACCESS_TOKEN.sub(TOKEN, text)
        return _ORG_ID.sub("/id/00D000000000000AAA/005000000000000AAA", text)

    def request(self, request: Any) -> Any:
        request = copy.deepcopy(request)
        request.uri = self._text(request.uri)
        for name in list(request.headers):
            request.headers[name] = self._text(str(request.headers[name]))
        if request.body:
            body = request.body.decode() if isinstance(request.body, bytes) else str(request.body)
            body = _FORM_SECRET.sub(lambda m: f"{m.group(1)}=<{m.group(1).upper()}>", body)
            request.body = self._text(body).encode()
        return request

    def response(self, response: dict[str, Any]) -> dict[str, Any]:
        response = copy.deepcopy(response)
        raw = response["body"]["string"]
        text = raw.decode() if isinstance(raw, bytes) else str(raw)
        try:
            body = json.loads(text) if text else None
        except ValueError:
            body = None
        if isinstance(body, dict) and "access_token" in body:
            if "instance_url" in body:
                self.origins.add(str(body["instance_url"]).rstrip("/"))
            body |= {"access_token": TOKEN, "signature": "REDACTED", "instance_url": ORIGIN}
            if "id" in body:
                body["id"] = f"{ORIGIN}/id/00D000000000000AAA/005000000000000AAA"
            text = json.dumps(body)
        response["body"]["string"] = self._text(text).encode()
        headers = {k: v for k, v in response["headers"].items() if k.lower() not in ("set-cookie",)}
        response["headers"] = {k: [self._text(x) for x in v] for k, v in headers.items()}
        return response


def make_vcr(scrubber: Scrubber | None, record_mode: str, cassette_dir: Path = CASSETTE_DIR) -> vcr.VCR:
    """The one vcrpy configuration (scrubbing only when recording)."""
    import vcr  # a dev extra: only recording needs it

    options: dict[str, Any] = {
        "cassette_library_dir": str(cassette_dir),
        "record_mode": record_mode,
        "filter_headers": ["authorization", "cookie"],
        "decode_compressed_response": True,
        "match_on": ["method", "scheme", "host", "port", "path", "query"],
    }
    if scrubber is not None:
        options["before_record_request"] = scrubber.request
        options["before_record_response"] = scrubber.response
    return vcr.VCR(**options)


def find_leaks(text: str, secrets: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """What in a cassette looks like a token, a credential or a real host (empty when clean)."""
    leaks = [m.group(0)[:12] + "…" for m in _ACCESS_TOKEN.finditer(text) if m.group(0) not in (TOKEN, BOGUS_TOKEN)]
    leaks += [s[:4] + "…" for s in secrets if s and s in text]
    for pattern in (r"https?://(?:127\.0\.0\.1|localhost|\[::1\])", r"[\w-]+\.my\.salesforce\.com", r"Bearer \S+"):
        leaks += [m.group(0) for m in re.finditer(pattern, text) if m.group(0) != "cassette.my.salesforce.com"]
    leaks += re.findall(r"client_secret=(?!<CLIENT_SECRET>)[^&\s'\"]+", text)
    return leaks


# --- scenarios ----------------------------------------------------------------------------------


@dataclass
class Sandbox:
    """What a scenario gets: a started-or-not token manager, its store and a client."""

    settings: Settings
    transport: Any = None
    store: InMemoryTokenStore = field(default_factory=InMemoryTokenStore)

    def __post_init__(self) -> None:
        self.tokens = TokenManager(self.settings, transport=self.transport, store=self.store, backoff_base=0.01)
        self.client = SalesforceClient(self.tokens, self.settings, transport=self.transport)

    async def aclose(self) -> None:
        await self.client.aclose()
        await self.tokens.aclose()


Scenario = Callable[[Sandbox], Awaitable[dict[str, Any]]]


def _deadline() -> Deadline:
    return Deadline.after(20)


def _error(exc: SalesforceError) -> dict[str, Any]:
    return {"class": type(exc).__name__, "error_code": exc.error_code, "fields": exc.fields, "message": exc.message}


async def token_fetch(sb: Sandbox) -> dict[str, Any]:
    await sb.tokens.start()
    return {"has_token": sb.tokens.has_token, "instance_url": sb.tokens.instance_url}


async def paged_query(sb: Sandbox) -> dict[str, Any]:
    result = await sb.client.query(
        "SELECT Id, Name FROM Lead ORDER BY Id", deadline=_deadline(), batch_size=200, max_records=400
    )
    return {"total_size": result.total_size, "rows": len(result.records), "calls": sb.client.calls}


async def get_record(sb: Sandbox) -> dict[str, Any]:
    found = await sb.client.query("SELECT Id FROM Contact ORDER BY Id LIMIT 1", deadline=_deadline())
    if not found.records:
        raise RuntimeError("get_record needs at least one Contact in the org")
    record_id = found.records[0]["Id"]
    record = await sb.client.get("Contact", record_id, ["Id", "LastName"], deadline=_deadline())
    return {"id": record_id, "record": record}


async def create_record(sb: Sandbox) -> dict[str, Any]:
    new_id = await sb.client.create(
        "Lead", {"LastName": "Cassette", "Company": "Cassette Recording Co"}, deadline=_deadline()
    )
    return {"id": new_id}


async def session_refresh(sb: Sandbox) -> dict[str, Any]:
    await sb.tokens.start()
    dead = OAuth2Token(
        {"access_token": BOGUS_TOKEN, "instance_url": sb.tokens.instance_url, "expires_at": int(time.time()) + 3600}
    )
    await sb.store.set(dead)
    result = await sb.client.query("SELECT COUNT() FROM Lead", deadline=_deadline())
    return {"token_requests": sb.tokens.token_requests, "calls": sb.client.calls, "total_size": result.total_size}


async def error_malformed_query(sb: Sandbox) -> dict[str, Any]:
    try:
        await sb.client.query("SELEKT Id FROM Contact", deadline=_deadline())
    except SalesforceError as exc:
        return _error(exc)
    return {}


async def error_not_found(sb: Sandbox) -> dict[str, Any]:
    try:
        await sb.client.get("Contact", "003000000000000AAA", deadline=_deadline())
    except SalesforceError as exc:
        return _error(exc)
    return {}


async def error_required_field(sb: Sandbox) -> dict[str, Any]:
    try:
        await sb.client.create("Lead", {"FirstName": "Nobody"}, deadline=_deadline())
    except SalesforceError as exc:
        return _error(exc)
    return {}


async def error_invalid_client(sb: Sandbox) -> dict[str, Any]:
    wrong = sb.settings.model_copy(update={"sf_client_secret": SecretStr("definitely-wrong-secret")})
    tokens = TokenManager(wrong, transport=sb.transport, backoff_base=0.01)
    try:
        await tokens.start()
    except SalesforceError as exc:
        return _error(exc) | {"token_requests": tokens.token_requests}
    finally:
        await tokens.aclose()
    return {}


SCENARIOS: dict[str, Scenario] = {
    "token_fetch": token_fetch,
    "get_record": get_record,
    "create_record": create_record,  # before paged_query: the embedded org seeds 200 Leads, this makes 201
    "paged_query": paged_query,
    "session_refresh": session_refresh,
    "error_malformed_query": error_malformed_query,
    "error_not_found": error_not_found,
    "error_required_field": error_required_field,
    "error_invalid_client": error_invalid_client,
}
