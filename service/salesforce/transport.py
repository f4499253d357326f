"""A lean HTTP/1.1 transport for the Salesforce client's hot path.

`httpx2`'s default transport (httpcore2 pool + h11 + anyio) costs about half the gateway's CPU per
search: each pool pass probes every idle connection's socket, and each request goes through several
layers of stream and timeout objects. This transport keeps the httpx2 API (it is an
`AsyncBaseTransport`; the client, errors and timeouts are httpx2's) but sends each request as one
write on a pooled keep-alive asyncio connection and parses the answer with `httptools` (the C parser
uvicorn uses). Anything out of the ordinary (streamed request bodies, HEAD, CONNECT, other schemes)
goes to a stock `httpx2.AsyncHTTPTransport`, and so does everything while a recorder such as vcrpy
has patched that class (cassette recording and replay see every request, as before).

Errors keep httpx2's meaning, which the client relies on: `ConnectError`/`ConnectTimeout`/
`PoolTimeout` only when nothing was sent; once a request was written any failure is a `ReadError`,
`ReadTimeout` or `RemoteProtocolError`. A connection the server closed while idle is seen (its
`connection_lost` ran) before reuse and never written to.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import time
from typing import Any

import httptools
import httpx2

_DEFAULT_PORTS = {b"http": 80, b"https": 443}
_LEAN_METHODS = frozenset({"GET", "POST", "PATCH", "PUT", "DELETE"})
_BAD_HEADER = re.compile(rb"[\r\n\0]")
_Key = tuple[bytes, bytes, int]
_STOCK = httpx2.AsyncHTTPTransport.handle_async_request


class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection; one request at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.idle_since = 0.0
        self._parser = httptools.HttpResponseParser(self)
        self._waiter: asyncio.Future[None] | None = None
        self._status = 0
        self._headers: list[tuple[bytes, bytes]] = []
        self._body: list[bytes] = []
        self._started = False
        self._complete = False
        self._until_close = False
        self._keep_alive = False

    # --- asyncio.Protocol --------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's transports aren't subclasses

    def data_received(self, data: bytes) -> None:
        if self._waiter is None:  # bytes nobody asked for: the connection can't be trusted
            self.close()
            return
        self._started = True
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(httpx2.RemoteProtocolError("unexpected protocol upgrade"))
        except httptools.HttpParserError as exc:
            self._fail(httpx2.RemoteProtocolError(f"malformed HTTP response ({exc})"))

    def eof_received(self) -> bool | None:
        return False  # close the transport; connection_lost decides what that means

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._waiter is None or self._waiter.done():
            return
        if self._until_close and exc is None:
            self._keep_alive = False
            self._finish()
        elif exc is not None:
            self._fail(httpx2.ReadError(f"connection to Salesforce lost ({type(exc).__name__})"))
        elif not self._started:
            self._fail(httpx2.RemoteProtocolError("Server disconnected without sending a response."))
        else:
            self._fail(httpx2.RemoteProtocolError("peer closed connection without sending complete message body"))

    # --- httptools callbacks -----------------------------------------------------------------

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name, value))

    def on_headers_complete(self) -> None:
        self._status = self._parser.get_status_code()
        names = {name.lower() for name, _ in self._headers}
        self._until_close = (
            b"content-length" not in names
            and b"transfer-encoding" not in names
            and self._status >= 200
            and self._status not in (204, 304)
        )

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        self._keep_alive = self._parser.should_keep_alive()
        self._finish()

    # --- use ---------------------------------------------------------------------------------

    @property
    def usable(self) -> bool:
        return not self.closed and self.transport is not None and not self.transport.is_closing()

    async def exchange(self, data: bytes, read_timeout: float | None) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """Write one request; the status, headers and whole body of its answer."""
        assert self.transport is not None
        loop = asyncio.get_running_loop()
        self._waiter = waiter = loop.create_future()
        self._status, self._headers, self._body = 0, [], []
        self._started = self._complete = self._until_close = self._keep_alive = False
        self.transport.write(data)
        try:
            if read_timeout is None:
                await waiter
            else:
                async with asyncio.timeout(read_timeout):
                    await waiter
        except TimeoutError as exc:
            self.close()
            raise httpx2.ReadTimeout("Salesforce did not answer in time") from exc
        except BaseException:
            self.close()
            raise
        finally:
            self._waiter = None
        return self._status, self._headers, b"".join(self._body)

    @property
    def reusable(self) -> bool:
        return self._complete and self._keep_alive and self.usable

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def _finish(self) -> None:
        self._complete = True
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def _fail(self, error: Exception) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(error)
        self.close()


class LeanTransport(httpx2.AsyncBaseTransport):
    """Pooled keep-alive HTTP/1.1 for plain requests; a stock transport for the rest."""

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | bool = True,
        max_connections: int = 100,
        keepalive_expiry: float = 30.0,
    ) -> None:
        self._ssl = httpx2.create_ssl_context(verify=verify, trust_env=True)
        self._ssl.set_alpn_protocols(["http/1.1"])
        self._slots = asyncio.Semaphore(max_connections)
        self._expiry = keepalive_expiry
        self._idle: dict[_Key, list[_Connection]] = {}
        self._fallback = httpx2.AsyncHTTPTransport(
            verify=verify, limits=httpx2.Limits(max_connections=max_connections, keepalive_expiry=keepalive_expiry)
        )

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        url = request.url
        if (
            _instrumented()
            or url.raw_scheme not in _DEFAULT_PORTS
            or request.method not in _LEAN_METHODS
            or not isinstance(request.stream, httpx2.ByteStream)
        ):
            return await self._fallback.handle_async_request(request)
        timeouts: dict[str, Any] = request.extensions.get("timeout") or {}
        data = _encode(request, await request.aread())
        key: _Key = (url.raw_scheme, url.raw_host, url.port or _DEFAULT_PORTS[url.raw_scheme])
        try:
            async with asyncio.timeout(timeouts.get("pool")):
                await self._slots.acquire()
        except TimeoutError as exc:
            raise httpx2.PoolTimeout("no free connection to Salesforce in time", request=request) from exc
        try:
            connection = self._checkout(key) or await self._connect(key, timeouts.get("connect"), request)
            try:
                status, headers, body = await connection.exchange(data, timeouts.get("read"))
            except httpx2.TransportError as exc:
                exc.request = request
                raise
            if connection.reusable:
                connection.idle_since = time.monotonic()
                self._idle.setdefault(key, []).append(connection)
            else:
                connection.close()
        finally:
            self._slots.release()
        return httpx2.Response(
            status,
            headers=headers,
            stream=httpx2.ByteStream(body),
            request=request,
            extensions={"http_version": b"HTTP/1.1"},
        )

    def _checkout(self, key: _Key) -> _Connection | None:
        """The most recently used live idle connection to `key` (stale ones are closed)."""
        idle = self._idle.get(key)
        oldest = time.monotonic() - self._expiry
        while idle:
            connection = idle.pop()
            if connection.usable and connection.idle_since >= oldest:
                return connection
            connection.close()
        return None

    async def _connect(self, key: _Key, limit: float | None, request: httpx2.Request) -> _Connection:
        scheme, host, port = key
        name = host.decode("ascii")
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(limit):
                _, connection = await loop.create_connection(
                    _Connection,
                    name.strip("[]"),
                    port,
                    ssl=self._ssl if scheme == b"https" else None,
                    server_hostname=name if scheme == b"https" else None,
                )
        except TimeoutError as exc:
            raise httpx2.ConnectTimeout(f"connecting to {name} timed out", request=request) from exc
        except (OSError, ssl.SSLError) as exc:
            raise httpx2.ConnectError(f"cannot connect to {name} ({exc})", request=request) from exc
        return connection

    async def aclose(self) -> None:
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle.clear()
        await self._fallback.aclose()


def _instrumented() -> bool:
    """True while something (vcrpy) has replaced the stock transport's request method."""
    method = httpx2.AsyncHTTPTransport.handle_async_request
    return method is not _STOCK or hasattr(method, "__wrapped__")


def _encode(request: httpx2.Request, body: bytes) -> bytes:
    """The request's head and body as one buffer; header injection is refused."""
    lines = [b"%s %s HTTP/1.1\r\n" % (request.method.encode("ascii"), request.url.raw_path)]
    for name, value in request.headers.raw:
        if _BAD_HEADER.search(name) or _BAD_HEADER.search(value):
            raise httpx2.LocalProtocolError("illegal header name or value", request=request)
        lines.append(b"%s: %s\r\n" % (name, value))
    lines.append(b"\r\n")
    lines.append(body)
    return b"".join(lines)
