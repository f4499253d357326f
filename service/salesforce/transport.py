"""The Salesforce client's HTTP transport: aiohttp's client behind httpx2's transport seam.

httpx2's own transport (httpcore2 + h11 + anyio) costs the gateway about 1.7x the CPU per search of
this one (`python -m benchmarks.gateway --stock-gateway` measures both). aiohttp's client is a
maintained C-accelerated HTTP/1.1 stack (llhttp parser, keep-alive pool, chunked bodies, TLS,
proxies via CONNECT), so it owns the protocol; this module only adapts it to
`httpx2.AsyncBaseTransport`, so the client, its timeouts, gzip decoding (left to httpx2: aiohttp's
`auto_decompress` is off), redirects (off) and errors stay httpx2's. The same transport runs in
production, behind a proxy, in the cassette tests (replayed over loopback HTTP) and in the client's
embedded-org and fault tests. No maintained adapter exists for httpx2 (`httpx-aiohttp` targets
httpx), hence this one.

Errors keep httpx2's meaning, which the client relies on: `ConnectError`/`ConnectTimeout` only when
nothing was sent (aiohttp raises its connector errors and its `connect` timeout, which also covers
waiting for a free pooled connection, before writing); once a request was written any failure is a
`ReadError`, `ReadTimeout` or `RemoteProtocolError`. aiohttp re-sends an idempotent request (never a
POST) once when a reused keep-alive connection turns out to be closed, as browsers do.

Proxies: the `*_PROXY`/`NO_PROXY` variables are read once, when the transport is made (as httpx2
does for its own), and each request goes through the proxy its scheme and host call for.
"""

from __future__ import annotations

import asyncio
import ssl
import urllib.request
from functools import lru_cache
from typing import Any

import aiohttp
import httpx2
from yarl import URL

# What aiohttp must not add on its own: httpx2 already set what the request needs.
_SKIP_AUTO_HEADERS = ("User-Agent", "Accept", "Accept-Encoding", "Content-Type")
_NOT_SENT_ERRORS = (aiohttp.ClientConnectorError, aiohttp.ClientHttpProxyError)


class AiohttpTransport(httpx2.AsyncBaseTransport):
    """httpx2 requests sent by one pooled `aiohttp.ClientSession` (made on first use, in its loop)."""

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | bool = True,
        max_connections: int = 100,
        keepalive_expiry: float = 30.0,
        trust_env: bool = True,
    ) -> None:
        self._ssl = httpx2.create_ssl_context(verify=verify, trust_env=trust_env)
        self._ssl.set_alpn_protocols(["http/1.1"])
        self._max_connections = max_connections
        self._keepalive_expiry = keepalive_expiry
        self._proxies = tuple(sorted((urllib.request.getproxies() if trust_env else {}).items()))
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=self._max_connections, keepalive_timeout=self._keepalive_expiry, ssl=self._ssl
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),  # cookies are the httpx2 client's business
            auto_decompress=False,
            skip_auto_headers=_SKIP_AUTO_HEADERS,
            trust_env=False,  # proxies are chosen here, from the environment read once
            timeout=aiohttp.ClientTimeout(total=None),
        )
        return self._session

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        session = self._session or self._open()
        url = request.url
        timeouts: dict[str, Any] = request.extensions.get("timeout") or {}
        body = await request.aread()
        try:
            async with session.request(
                request.method,
                _yarl(str(url)),
                headers=request.headers.multi_items(),
                data=body or None,
                allow_redirects=False,
                proxy=_proxy_for(url.scheme, url.host, self._proxies) if self._proxies else None,
                timeout=_timeout(timeouts.get("pool"), timeouts.get("connect"), timeouts.get("read")),
            ) as answer:
                content = await answer.read()
                status, headers = answer.status, answer.raw_headers
        except Exception as exc:
            raise _httpx2_error(exc, request) from exc
        return httpx2.Response(
            status,
            headers=headers,
            stream=httpx2.ByteStream(content),
            request=request,
            extensions={"http_version": b"HTTP/1.1"},
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _httpx2_error(exc: Exception, request: httpx2.Request) -> Exception:
    """aiohttp's failure as the httpx2 error of the same meaning (sent or not sent)."""
    name = type(exc).__name__
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx2.ConnectTimeout(f"connecting to {request.url.host} timed out", request=request)
    if isinstance(exc, _NOT_SENT_ERRORS):
        return httpx2.ConnectError(f"cannot connect to {request.url.host} ({exc})", request=request)
    if isinstance(exc, aiohttp.SocketTimeoutError | asyncio.TimeoutError):
        return httpx2.ReadTimeout("Salesforce did not answer in time", request=request)
    if isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError | aiohttp.ClientResponseError):
        return httpx2.RemoteProtocolError(f"malformed or incomplete HTTP answer ({name}: {exc})", request=request)
    if isinstance(exc, aiohttp.ClientError | OSError):
        return httpx2.ReadError(f"connection to Salesforce lost ({name})", request=request)
    if isinstance(exc, ValueError):  # aiohttp refuses CR/LF in headers before anything is written
        return httpx2.LocalProtocolError(f"request refused before sending ({exc})", request=request)
    return exc


@lru_cache(maxsize=512)
def _yarl(url: str) -> URL:
    """httpx2's (already encoded) URL as aiohttp's, remembered: agents repeat the same queries."""
    return URL(url, encoded=True)


@lru_cache(maxsize=64)
def _timeout(pool: float | None, connect: float | None, read: float | None) -> aiohttp.ClientTimeout:
    """aiohttp's timeouts for httpx2's: its `connect` covers waiting for a pooled connection too."""
    acquire = None if pool is None and connect is None else (pool or 0.0) + (connect or 0.0)
    return aiohttp.ClientTimeout(total=None, connect=acquire, sock_connect=connect, sock_read=read)


@lru_cache(maxsize=256)
def _proxy_for(scheme: str, host: str, proxies: tuple[tuple[str, str], ...]) -> str | None:
    """The proxy URL for `scheme://host` under the environment's proxy settings (None: direct)."""
    table = dict(proxies)
    proxy = table.get(scheme) or table.get("all")
    if not proxy or urllib.request.proxy_bypass(host):  # NO_PROXY
        return None
    return proxy if "://" in proxy else f"http://{proxy}"
