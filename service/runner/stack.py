"""Start what a call needs in-process on loopback: the embedded org and the gateway (when no
`--gateway` URL is given), each served by uvicorn on an ephemeral port in a background thread.

    with Stack() as stack:                    # or Stack(gateway_url=..., secret=...)
        stack.gateway_url, stack.secret
        executor = stack.executor()           # a WebhookExecutor for the current event loop
"""

from __future__ import annotations

import secrets
import socket
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from service.runner.toolspec import ToolSpec, parse_tool
from service.runner.webhooks import WebhookExecutor, load_tools

REPO_ROOT = Path(__file__).resolve().parents[2]


def default_tools_dir() -> Path:
    """`tool_definitions/` of the working directory, else of the source tree."""
    here = Path("tool_definitions")
    return here if here.is_dir() else REPO_ROOT / "tool_definitions"


def tools_from(directory: Path) -> dict[str, ToolSpec]:
    """The tool JSON in `directory`; when it is absent (an installed package), the same tools generated
    in memory by `service.tool_json` (the URL is rebased onto the gateway at call time anyway)."""
    if directory.is_dir() and any(directory.glob("*.json")):
        return load_tools(directory)
    from service.tool_json.export import render
    from service.tool_json.generate import build_tools

    specs = (parse_tool(doc) for doc in render(build_tools(), "ui").values())
    return {spec.name: spec for spec in specs}


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # the owning thread handles signals
        return None


class ServerThread:
    """Serve an ASGI app on `host:port` (0 = ephemeral) in a daemon thread."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app, self.host, self.port = app, host, port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> ServerThread:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=2,
            ws_ping_interval=None,
        )
        self._server = _Server(config)
        server = self._server
        self._thread = threading.Thread(target=lambda: server.run(sockets=[sock]), daemon=True, name="uvicorn")
        self._thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"server on {self.url} did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Stack:
    """The gateway to call: a given URL, or an embedded org + gateway started here."""

    def __init__(
        self,
        *,
        gateway_url: str | None = None,
        secret: str | None = None,
        data_dir: Path | None = None,
        tools_dir: Path | None = None,
        seed_demo: bool = True,
    ) -> None:
        self.gateway_url = gateway_url.rstrip("/") if gateway_url else None
        self.secret = secret
        self.data_dir = data_dir
        self.tools_dir = tools_dir or default_tools_dir()
        self.seed_demo = seed_demo
        self.org: Any = None
        self._gateway: ServerThread | None = None
        self.post_call_secret: str | None = None  # the gateway's ELEVENLABS_WEBHOOK_SECRET

    def start(self) -> Stack:
        if self.gateway_url is not None:
            from service.settings import get_settings

            configured = get_settings().elevenlabs_webhook_secret
            self.post_call_secret = configured.get_secret_value() if configured else None
            return self
        from service.app import create_app
        from service.org.server import OrgServer
        from service.settings import Settings

        params: dict[str, Any] = {"seed_if_empty": self.seed_demo}
        if self.data_dir is not None:
            params["data_dir"] = self.data_dir
        self.org = OrgServer(**params).start()
        self.secret = self.secret or secrets.token_urlsafe(24)
        self.post_call_secret = secrets.token_urlsafe(24)
        settings = Settings(
            sf_domain=self.org.url,
            sf_client_id=self.org.client_id,
            sf_client_secret=self.org.client_secret,
            webhook_secret=self.secret,
            elevenlabs_webhook_secret=self.post_call_secret,
            post_call_outbox=Path(self.org.data_dir) / "post_call_outbox.sqlite3",
        )
        self._gateway = ServerThread(create_app(settings, configure_logs=False)).start()
        self.gateway_url = self._gateway.url
        return self

    def stop(self) -> None:
        if self._gateway is not None:
            self._gateway.stop()
            self._gateway = None
        if self.org is not None:
            self.org.stop()
            self.org = None

    def executor(self, **kwargs: Any) -> WebhookExecutor:
        """A webhook executor aimed at this stack's gateway (create one per event loop)."""
        return WebhookExecutor(tools_from(self.tools_dir), base_url=self.gateway_url, secret=self.secret, **kwargs)

    def post_call_logger(self) -> Any:
        """The end-of-call hook (`service.calls_log.closing.PostCallLogger`), or None without a post-call secret."""
        from service.calls_log.closing import PostCallLogger

        if not (self.gateway_url and self.post_call_secret and self.secret):
            return None
        return PostCallLogger(self.gateway_url, self.post_call_secret, self.secret)

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
