"""uvicorn's httptools protocol, with its one hand-written plain-text answer made JSON.

uvicorn answers a request it cannot parse (a request line or headers beyond llhttp's limit,
broken framing) with `400 Invalid HTTP request received.` in plain text, before any ASGI app
sees it. Callers of the gateway expect every error as `{"error": {"code", "message"}}`, so this
subclass overrides only that answer; parsing stays uvicorn's and httptools'.
"""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from service.tools.middleware import MAX_TARGET_BYTES, error_body, target_too_long_text


class JsonErrorProtocol(HttpToolsProtocol):
    """`HttpToolsProtocol` whose parse failures answer in the gateway's JSON error shape."""

    def send_400_response(self, msg: str) -> None:
        if len(self.url) > MAX_TARGET_BYTES:
            status, payload = 414, error_body("uri_too_long", target_too_long_text())
        else:
            status, payload = 400, error_body("bad_request", "The request is not valid HTTP/1.1.")
        content = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        content.extend(
            [
                b"content-type: application/json\r\n",
                b"content-length: " + str(len(payload)).encode("ascii") + b"\r\n",
                b"connection: close\r\n",
                b"\r\n",
                payload,
            ]
        )
        self.transport.write(b"".join(content))
        self.transport.close()
