"""The token manager: client-credentials tokens from `<SF_DOMAIN>/services/oauth2/token`.

Built on authlib's `AsyncOAuth2Client` (httpx2). Salesforce sends no `expires_in`, so an
`access_token_response` compliance hook injects the configured session lifetime (or, when
introspection is on, the token's `exp` replaces it); the token counts as expired `leeway` seconds
early. One fetch is in flight at a time however many callers need a token; callers that hit a 401
`invalidate(token)` (compare-and-delete) and ask again, so a burst of 401s costs one refetch.

Token-endpoint failures: timeouts, resets and 5xx are retried with bounded exponential backoff and
jitter; 4xx are not retried and become `SalesforceAuthError` naming the fix.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from typing import Any

import httpx2
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.oauth2.rfc6749 import OAuth2Token

from service.deadline import Deadline
from service.errors import DeadlineExceeded, SalesforceAuthError, SalesforceError, Unavailable
from service.salesforce import errors as sf_errors
from service.salesforce.backoff import backoff_delay
from service.salesforce.config import OrgConfig, is_loopback, mask, org_config
from service.salesforce.token_store import InMemoryTokenStore, TokenStore
from service.salesforce.transport import AiohttpTransport
from service.settings import Settings

log = logging.getLogger(__name__)

REFRESH_AHEAD_COOLDOWN = 10.0  # seconds between background refresh attempts after a failure


def tls_verify(settings: Settings) -> ssl.SSLContext | bool:
    """TLS verification for the org: the system store, or `SF_CA_BUNDLE` when set."""
    if settings.sf_ca_bundle:
        return ssl.create_default_context(cafile=settings.sf_ca_bundle)
    return True


class TokenManager:
    """Holds the org's access token; fetches it once, refreshes before expiry or after a 401.

    `transport` is the httpx2 seam (tests plug in the embedded org or a fake); `store` is where the
    token lives (in-process by default). Call `await start()` at startup and `aclose()` at shutdown.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
        store: TokenStore | None = None,
        max_attempts: int = 4,
        backoff_base: float = 0.2,
    ) -> None:
        self.settings = settings
        self.config: OrgConfig = org_config(settings)
        self._store: TokenStore = store or InMemoryTokenStore()
        self._lifetime = float(settings.sf_session_timeout)
        # A leeway as long as the lifetime would make every new token "expired" at once.
        self._leeway = int(min(settings.sf_token_leeway, self._lifetime / 2))
        self._max_attempts = max(1, max_attempts)
        self._backoff_base = backoff_base
        self._inflight: asyncio.Task[OAuth2Token] | None = None
        self._last: OAuth2Token | None = None
        self._failed_at = float("-inf")
        self.token_requests = 0
        self.last_error: str | None = None
        method = "client_secret_basic" if self.config.client_auth == "basic" else "client_secret_post"
        self._oauth = AsyncOAuth2Client(
            client_id=self.config.client_id,
            client_secret=self.config.client_secret.get_secret_value(),
            token_endpoint_auth_method=method,
            token_endpoint=self.config.token_url,
            grant_type="client_credentials",
            leeway=self._leeway,
            transport=transport or AiohttpTransport(verify=tls_verify(settings), max_connections=4),
            timeout=httpx2.Timeout(settings.sf_timeout, connect=settings.sf_connect_timeout),
            verify=tls_verify(settings),
        )
        self._oauth.register_compliance_hook("access_token_response", self._on_token_response)

    # --- public surface -------------------------------------------------------------------------

    async def start(self) -> None:
        """Fetch the first token (raises `SalesforceAuthError` / `Unavailable` when it cannot)."""
        await self.get_token()

    @property
    def has_token(self) -> bool:
        """True while a token that is not past its expiry is held (for readiness)."""
        return self._last is not None and not self._last.is_expired(leeway=0)

    @property
    def instance_url(self) -> str | None:
        """Base URL of every API call, from the last token response."""
        return str(self._last["instance_url"]) if self._last is not None else None

    async def get_token(self, deadline: Deadline | None = None) -> OAuth2Token:
        """A usable token: the cached one, or the result of the (single) fetch in flight."""
        # A shared store is read only when the local copy is not fresh: no round trip in steady state.
        token = self._last if self._store.shared else None
        if token is None or token.is_expired(leeway=self._leeway):
            token = await self._store.get()
        if token is not None and not token.is_expired(leeway=self._leeway):
            self._last = token
            return token
        if token is not None and not token.is_expired(leeway=0):
            # Inside the leeway window: refresh in the background, keep using the current token
            # (after a failed background refresh, wait a little before trying again).
            if time.monotonic() - self._failed_at >= REFRESH_AHEAD_COOLDOWN:
                self._start_fetch()
            self._last = token
            return token
        task = self._start_fetch()
        if deadline is None:
            return await asyncio.shield(task)
        try:
            return await asyncio.wait_for(asyncio.shield(task), timeout=deadline.remaining())
        except TimeoutError as exc:
            raise DeadlineExceeded("timed out waiting for a Salesforce access token") from exc

    def _start_fetch(self) -> asyncio.Task[OAuth2Token]:
        """The fetch in flight, or a new one (single flight)."""
        if self._inflight is None or self._inflight.done():
            self._inflight = asyncio.create_task(self._fetch(), name="salesforce-token-fetch")
            self._inflight.add_done_callback(_consume_exception)
        return self._inflight

    async def access_token(self, deadline: Deadline | None = None) -> str:
        """Just the bearer string."""
        return str((await self.get_token(deadline))["access_token"])

    async def invalidate(self, access_token: str) -> bool:
        """Forget `access_token` if it is still the current one (after a 401); True if dropped."""
        dropped = await self._store.clear_if(access_token)
        if self._last is not None and self._last.get("access_token") == access_token:
            self._last = None  # even when another replica dropped it first: read the store's newer one
        if dropped:
            log.info("salesforce token invalidated (token=%s)", mask(access_token))
        return dropped

    async def aclose(self) -> None:
        """Stop any fetch in flight and close the HTTP client."""
        if self._inflight is not None and not self._inflight.done():
            self._inflight.cancel()
        await self._oauth.aclose()

    def __repr__(self) -> str:
        held = mask(str(self._last["access_token"])) if self._last is not None else "<none>"
        return f"TokenManager(domain={self.config.domain!r}, client_id={mask(self.config.client_id)!r}, token={held!r})"

    # --- fetching -------------------------------------------------------------------------------

    async def _fetch(self) -> OAuth2Token:
        """A new token through the store (a shared store may hand back another replica's)."""
        stale = str(self._last["access_token"]) if self._last is not None else None
        token = await self._store.refresh(self._request, stale=stale, leeway=self._leeway)
        self._last = token
        return token

    async def _request(self) -> OAuth2Token:
        """One token from the org, with retries on transient failures."""
        last: SalesforceError | None = None
        for attempt in range(self._max_attempts):
            if attempt:
                await asyncio.sleep(backoff_delay(attempt - 1, base=self._backoff_base))
            try:
                self.token_requests += 1
                token = await self._oauth.fetch_token(self.config.token_url, grant_type="client_credentials")
            except SalesforceAuthError as exc:
                self._failed_at = time.monotonic()
                self.last_error = exc.message
                log.error("salesforce token request refused: %s", exc.message)
                raise
            except Unavailable as exc:
                last = exc
            except (httpx2.TimeoutException, httpx2.TransportError) as exc:
                last = Unavailable(f"token endpoint unreachable ({type(exc).__name__})")
            except OAuthError as exc:  # a 2xx answer carrying {"error": ...}
                self._failed_at = time.monotonic()
                fix = sf_errors.auth_fix(exc.error, exc.description)
                raise SalesforceAuthError(
                    f"Salesforce refused the token request ({exc.error}: {exc.description}) — {fix}",
                    error_code=exc.error,
                    sf_message=exc.description,
                ) from exc
            else:
                token = await self._finish(token)
                self.last_error = None
                log.info(
                    "salesforce token fetched (token=%s, instance=%s)",
                    mask(str(token["access_token"])),
                    token["instance_url"],
                )
                return token
            log.warning("salesforce token request failed (attempt %d): %s", attempt + 1, last.message)
        assert last is not None
        self._failed_at = time.monotonic()
        self.last_error = last.message
        raise last

    def _on_token_response(self, response: httpx2.Response) -> httpx2.Response:
        """Compliance hook: raise our errors on failure; add the configured `expires_in` on success."""
        if response.status_code >= 400:
            raise sf_errors.from_token_response(response)
        body: dict[str, Any] = response.json()
        if "access_token" in body and body.get("expires_in") is None:
            body["expires_in"] = int(self._lifetime)
        return httpx2.Response(response.status_code, json=body, request=response.request)

    async def _finish(self, token: OAuth2Token) -> OAuth2Token:
        """Check the fields we rely on; apply introspection `exp` when enabled."""
        if not token.get("access_token"):
            raise SalesforceAuthError("the token response has no access_token — check SF_DOMAIN")
        instance = str(token.get("instance_url") or self.config.domain).rstrip("/")
        host = httpx2.URL(instance).host
        if not instance.startswith("https://") and not is_loopback(host):
            raise SalesforceAuthError(f"the token response's instance_url is not https ({host})")
        token["instance_url"] = instance
        if self.settings.sf_use_introspection:
            exp = await self._introspect_exp(str(token["access_token"]))
            if exp is not None:
                token["expires_at"] = int(exp)
        return token

    async def _introspect_exp(self, access_token: str) -> int | None:
        """The `exp` (epoch seconds) introspection reports for the token; None when unavailable."""
        try:
            data = {"token": access_token, "token_type_hint": "access_token"}
            secret = self.config.client_secret.get_secret_value()
            if self.config.client_auth == "basic":
                response = await self._oauth.request(
                    "POST", self.config.introspect_url, data=data, auth=(self.config.client_id, secret)
                )
            else:
                data |= {"client_id": self.config.client_id, "client_secret": secret}
                response = await self._oauth.request("POST", self.config.introspect_url, data=data, withhold_token=True)
            body = response.json() if response.status_code == 200 else {}
        except (httpx2.HTTPError, ValueError):
            return None
        exp = body.get("exp") if isinstance(body, dict) and body.get("active") else None
        if isinstance(exp, int | float) and exp > time.time():
            return int(exp)
        return None


def _consume_exception(task: asyncio.Task[OAuth2Token]) -> None:
    """Mark a failed fetch's exception as retrieved (waiters may all have timed out)."""
    if not task.cancelled():
        task.exception()
