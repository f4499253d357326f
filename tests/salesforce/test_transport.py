"""The client's aiohttp-backed transport against scripted loopback servers: reuse, framing, errors, proxies."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx2
import pytest

from service.salesforce.transport import AiohttpTransport

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
OK = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n{"ok": true}'


async def read_request(reader: asyncio.StreamReader) -> bytes:
    """One request head (and its Content-Length body)."""
    head = await reader.readuntil(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return head + await reader.readexactly(int(line.split(b":")[1]))
    return head


class Server:
    """A loopback server that counts connections and runs `handler` on each."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.connections = 0
        self.requests: list[bytes] = []
        self.url = ""

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            await self.handler(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@asynccontextmanager
async def serving(handler: Handler) -> AsyncIterator[Server]:
    server = Server(handler)
    listener = await asyncio.start_server(server._serve, "127.0.0.1", 0)
    server.url = f"http://127.0.0.1:{listener.sockets[0].getsockname()[1]}"
    async with listener:
        yield server


@asynccontextmanager
async def client(**kwargs: float) -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient(transport=AiohttpTransport(), timeout=httpx2.Timeout(2.0, **kwargs)) as http:
        yield http


def keep_alive(server_requests: list[bytes], response: bytes = OK) -> Handler:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            server_requests.append(await read_request(reader))
            writer.write(response)
            await writer.drain()

    return handler


async def test_requests_reuse_one_keep_alive_connection() -> None:
    """Sequential requests share one connection and get the whole JSON answer."""
    seen: list[bytes] = []
    async with serving(keep_alive(seen)) as server, client() as http:
        answers = [await http.get(f"{server.url}/q", params={"q": "SELECT Id FROM Contact"}) for _ in range(3)]
    assert [a.json() for a in answers] == [{"ok": True}] * 3
    assert server.connections == 1
    assert seen[0].startswith(b"GET /q?q=SELECT+Id+FROM+Contact HTTP/1.1\r\n")


async def test_post_body_and_headers_are_sent() -> None:
    """A JSON body arrives with its Content-Length and the caller's headers."""
    seen: list[bytes] = []
    async with serving(keep_alive(seen)) as server, client() as http:
        await http.post(f"{server.url}/c", json={"LastName": "Doe"}, headers={"Authorization": "Bearer t"})
    assert b"authorization: Bearer t\r\n" in seen[0].lower().replace(b"bearer", b"Bearer")
    assert seen[0].endswith(b'{"LastName":"Doe"}')


async def test_a_connection_the_server_closed_while_idle_is_not_reused() -> None:
    """After the server drops an idle connection the next request opens a new one and succeeds."""

    async def one_then_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(OK)
        await writer.drain()

    async with serving(one_then_close) as server, client() as http:
        first = await http.get(server.url)
        await asyncio.sleep(0.05)
        second = await http.get(server.url)
    assert (first.status_code, second.status_code) == (200, 200)
    assert server.connections == 2


async def test_connection_close_answers_are_not_pooled() -> None:
    """`Connection: close` in the answer means a new connection for the next request."""
    seen: list[bytes] = []
    closing = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}"
    async with serving(keep_alive(seen, closing)) as server, client() as http:
        for _ in range(2):
            assert (await http.get(server.url)).json() == {}
    assert server.connections == 2


async def test_chunked_answer_is_decoded() -> None:
    """A chunked body arrives whole."""
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n[1, 2\r\n2\r\n]\n\r\n0\r\n\r\n"
    async with serving(keep_alive([], chunked)) as server, client() as http:
        answer = await http.get(server.url)
    assert answer.json() == [1, 2]


async def test_answer_delimited_by_close_is_read_to_the_end() -> None:
    """Without Content-Length or chunking, the body runs until the server closes."""

    async def until_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b'HTTP/1.1 200 OK\r\n\r\n{"a": 1}')
        await writer.drain()

    async with serving(until_close) as server, client() as http:
        assert (await http.get(server.url)).json() == {"a": 1}


async def test_gzip_answer_is_decompressed_by_httpx2() -> None:
    """Content-Encoding is left to httpx2, as with its own transport."""
    import gzip

    body = gzip.compress(b'{"z": 1}')
    answer = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    async with serving(keep_alive([], answer)) as server, client() as http:
        assert (await http.get(server.url)).json() == {"z": 1}


async def test_disconnect_after_the_request_is_not_a_connect_error() -> None:
    """A server that reads the request and hangs up: a protocol error, never 'not sent'."""

    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)

    async with serving(hang_up) as server, client() as http:
        with pytest.raises(httpx2.RemoteProtocolError) as caught:
            await http.post(server.url, json={"x": 1})
    assert not isinstance(caught.value, httpx2.ConnectError)
    assert caught.value.request.method == "POST"


async def test_truncated_body_is_a_protocol_error() -> None:
    """Fewer body bytes than Content-Length, then close: RemoteProtocolError."""

    async def truncated(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"a"')
        await writer.drain()

    async with serving(truncated) as server, client() as http:
        with pytest.raises(httpx2.RemoteProtocolError):
            await http.get(server.url)


async def test_malformed_answer_is_a_protocol_error() -> None:
    """Garbage instead of a status line: RemoteProtocolError."""
    async with serving(keep_alive([], b"NOT HTTP AT ALL\r\n\r\n")) as server, client() as http:
        with pytest.raises(httpx2.RemoteProtocolError):
            await http.get(server.url)


async def test_slow_answer_is_a_read_timeout() -> None:
    """No answer within the read timeout: ReadTimeout, and the connection is dropped."""

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await asyncio.sleep(5)

    async with serving(silent) as server, client(read=0.2) as http:
        with pytest.raises(httpx2.ReadTimeout):
            await http.get(server.url)


async def test_refused_connection_is_a_connect_error() -> None:
    """Nothing listening: ConnectError (the request was never sent)."""
    async with serving(keep_alive([])) as server:
        url = server.url
    async with client() as http:
        with pytest.raises(httpx2.ConnectError):
            await http.get(url)


async def test_header_injection_is_refused_before_sending() -> None:
    """A header value with CR/LF never reaches the wire."""
    seen: list[bytes] = []
    async with serving(keep_alive(seen)) as server, client() as http:
        with pytest.raises(httpx2.LocalProtocolError):
            await http.get(server.url, headers={"X-Evil": "a\r\nInjected: yes"})
    assert seen == []


async def test_concurrent_requests_open_at_most_the_pool_size() -> None:
    """More requests in flight than the pool holds wait for a connection instead of opening more."""

    async def slow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            await read_request(reader)
            await asyncio.sleep(0.02)
            writer.write(OK)
            await writer.drain()

    async with serving(slow) as server:
        async with httpx2.AsyncClient(transport=AiohttpTransport(max_connections=3), timeout=5.0) as http:
            answers = await asyncio.gather(*(http.get(server.url) for _ in range(9)))
    assert all(a.status_code == 200 for a in answers)
    assert server.connections == 3


async def test_https_with_a_verified_certificate() -> None:
    """TLS to the org: the certificate is verified against the given CA and requests are reused."""
    import ssl

    import trustme

    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    server = Server(keep_alive([]))
    listener = await asyncio.start_server(server._serve, "127.0.0.1", 0, ssl=server_ctx)
    port = listener.sockets[0].getsockname()[1]
    async with listener, httpx2.AsyncClient(transport=AiohttpTransport(verify=client_ctx), timeout=5.0) as http:
        answers = [await http.get(f"https://localhost:{port}/") for _ in range(2)]
        async with httpx2.AsyncClient(transport=AiohttpTransport(), timeout=5.0) as untrusting:
            with pytest.raises(httpx2.ConnectError):
                await untrusting.get(f"https://localhost:{port}/")
    assert [a.json() for a in answers] == [{"ok": True}] * 2
    assert server.connections == 1  # reused; the unverified handshake never became a connection


async def test_http_proxy_from_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """With HTTP_PROXY set, requests go to the proxy in absolute form."""
    seen: list[bytes] = []
    async with serving(keep_alive(seen)) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        async with httpx2.AsyncClient(transport=AiohttpTransport(), timeout=2.0) as http:
            answer = await http.get("http://org.example.invalid/services/data")
    assert answer.json() == {"ok": True}
    assert seen[0].startswith(b"GET http://org.example.invalid/services/data HTTP/1.1\r\n")


async def test_https_proxy_tunnels_with_connect(monkeypatch: pytest.MonkeyPatch) -> None:
    """With HTTPS_PROXY set, an https request is tunnelled through CONNECT and TLS-verified end to end."""
    import ssl

    import trustme

    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("org.example.test").configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    origin = Server(keep_alive([]))
    listener = await asyncio.start_server(origin._serve, "127.0.0.1", 0, ssl=server_ctx)
    origin_port = listener.sockets[0].getsockname()[1]
    tunnels: list[bytes] = []

    async def connect_proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        tunnels.append(await read_request(reader))
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", origin_port)
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            while data := await src.read(65536):
                dst.write(data)
                await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer), return_exceptions=True)

    async with listener, serving(connect_proxy) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        async with httpx2.AsyncClient(transport=AiohttpTransport(verify=client_ctx), timeout=5.0) as http:
            answer = await http.get("https://org.example.test/services/data")
    assert answer.json() == {"ok": True}
    assert tunnels[0].startswith(b"CONNECT org.example.test:443 HTTP/1.1\r\n")


async def test_no_proxy_hosts_are_reached_directly(monkeypatch: pytest.MonkeyPatch) -> None:
    """A host listed in NO_PROXY bypasses the proxy."""
    async with serving(keep_alive([])) as origin:
        monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        async with httpx2.AsyncClient(transport=AiohttpTransport(), timeout=2.0) as http:
            answer = await http.get(origin.url)
    assert answer.json() == {"ok": True}


async def test_waiting_for_a_free_connection_too_long_is_not_sent() -> None:
    """With the pool full, a request that times out waiting is a connect timeout and never reaches the server."""
    seen: list[bytes] = []

    async def slow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            seen.append(await read_request(reader))
            await asyncio.sleep(0.5)
            writer.write(OK)
            await writer.drain()

    async with serving(slow) as server:
        timeout = httpx2.Timeout(5.0, pool=0.1, connect=0.1)
        async with httpx2.AsyncClient(transport=AiohttpTransport(max_connections=1), timeout=timeout) as http:
            first = asyncio.create_task(http.get(server.url))
            await asyncio.sleep(0.05)
            with pytest.raises(httpx2.ConnectTimeout):
                await http.post(server.url, json={"x": 1})
            assert (await first).status_code == 200
    assert len(seen) == 1


async def test_the_client_reaches_the_org_through_a_configured_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """With HTTP_PROXY set and no transport given, the token manager's request goes through the proxy."""
    from replay_server import replaying

    from scripts.contract import CASSETTE_DIR, Sandbox, replay_settings

    async with replaying(CASSETTE_DIR / "token_fetch.yaml") as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        sandbox = Sandbox(replay_settings("http://127.0.0.1:9"))  # nothing listens there: only the proxy answers
        try:
            await sandbox.tokens.start()
        finally:
            await sandbox.aclose()
    assert sandbox.tokens.has_token
    assert proxy.played == [0] and proxy.unmatched == []
