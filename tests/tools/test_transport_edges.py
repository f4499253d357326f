"""Transport edges over a real socket to the real uvicorn server `serve` runs, on loopback.

A body that never finishes gets 408 and a closed connection; an oversized request line gets the
JSON error shape (from the middleware up to llhttp's limit, from `JsonErrorProtocol` past it);
a non-ASCII or non-UTF-8 conversation id is refused instead of stored as mojibake.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from service.app import create_app
from service.commands.serve import uvicorn_server
from tests.tools.conftest import SECRET, gateway_settings

BODY_TIMEOUT = 0.5
CREATE = "/tools/salesforce_create_record/Lead?dry_run=true"


@pytest.fixture
def server(embedded_org: Any) -> Iterator[int]:
    """The gateway on the embedded org, served by `serve`'s uvicorn server on a loopback port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    app = create_app(gateway_settings(embedded_org, request_body_timeout=BODY_TIMEOUT), configure_logs=False)
    uv = uvicorn_server(app, host="127.0.0.1", port=port)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not uv.started and thread.is_alive():
        threading.Event().wait(0.02)
    try:
        yield port
    finally:
        uv.should_exit = True
        thread.join(10)
        sock.close()


async def _exchange(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes; read until the server closes or the response is complete."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
        headers = {k.lower(): v for k, v in headers.items()}
        body = await asyncio.wait_for(reader.readexactly(int(headers["content-length"])), 30)
        return status, headers, body
    finally:
        writer.close()


def _request(target: str, *, method: str = "GET", headers: bytes = b"", body: bytes = b"") -> bytes:
    return (
        f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Webhook-Secret: {SECRET}\r\n".encode()
        + headers
        + b"\r\n"
        + body
    )


async def test_unfinished_body_gets_408_and_a_closed_connection(server: int) -> None:
    """Content-Length 500 with 43 bytes sent: 408 in the JSON shape, then the server closes."""
    body = b'{"FirstName": "Jane", "LastName": "Doe", "C'
    assert len(body) == 43
    reader, writer = await asyncio.open_connection("127.0.0.1", server)
    try:
        request = _request(
            CREATE, method="POST", headers=b"Content-Type: application/json\r\nContent-Length: 500\r\n", body=body
        )
        writer.write(request)
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(-1), 30)  # EOF: the connection was closed
    finally:
        writer.close()
    head, _, payload = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 ")
    assert b"connection: close" in head.lower()
    assert json.loads(payload)["error"]["code"] == "request_timeout"


async def test_complete_body_still_reaches_the_route(server: int) -> None:
    """A body sent in full over the socket is read, replayed and answered by the create route."""
    body = b'{"FirstName": "Jane", "LastName": "Doe", "Company": "Acme Robotics"}'
    headers = b"Content-Type: application/json\r\nContent-Length: " + str(len(body)).encode() + b"\r\n"
    status, _, payload = await _exchange(server, _request(CREATE, method="POST", headers=headers, body=body))
    assert status == 200, payload
    assert "error" not in json.loads(payload)


@pytest.mark.parametrize("size", [20_000, 100_000])
async def test_long_query_string_gets_the_json_error(server: int, size: int) -> None:
    """A 20 KB (middleware) or 100 KB (past llhttp's limit) query string: 414 with code and message."""
    target = "/tools/salesforce_search_records?q=" + "a" * size
    status, headers, payload = await _exchange(server, _request(target))
    assert status == 414
    assert headers["content-type"] == "application/json"
    error = json.loads(payload)["error"]
    assert error["code"] == "uri_too_long"
    assert "16 KB" in error["message"]


async def test_broken_request_gets_the_json_error(server: int) -> None:
    """A request llhttp can't parse at all gets 400 in the JSON shape, not uvicorn's plain text."""
    status, headers, payload = await _exchange(server, b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
    assert status == 400
    assert headers["content-type"] == "application/json"
    assert json.loads(payload)["error"]["code"] == "bad_request"


@pytest.mark.parametrize(
    ("value", "says"),
    [("conv_😀".encode(), "must be plain ASCII"), (b"conv_\xff\xfe", "is not valid UTF-8")],
    ids=["emoji", "latin-1 bytes"],
)
async def test_non_ascii_conversation_id_is_refused(server: int, embedded_org: Any, value: bytes, says: str) -> None:
    """A conversation id that would be stored as mojibake is a JSON 422 naming the header; nothing stored."""
    before = embedded_org.stats()["records"]
    body = b'{"FirstName": "Jane", "LastName": "Doe", "Company": "Acme Robotics"}'
    headers = (
        b"Content-Type: application/json\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\nX-Conversation-Id: "
        + value
        + b"\r\n"
    )
    target = "/tools/salesforce_create_record/Lead"
    status, _, payload = await _exchange(server, _request(target, method="POST", headers=headers, body=body))
    assert status == 422
    error = json.loads(payload)["error"]
    assert error["code"] == "invalid_header"
    assert "X-Conversation-Id" in error["message"] and says in error["message"]
    assert embedded_org.stats()["records"] == before
