"""Run the embedded org on loopback from Python: uvicorn in a background thread.

    from service.org.server import OrgServer, start_org

    with start_org(data_dir=tmp_path, port=0) as org:        # port 0: an ephemeral port
        org.url              # "http://127.0.0.1:54321" (https://… with tls=True)
        org.client_id, org.client_secret
        org.token_url        # f"{org.url}/services/oauth2/token"
        org.ca_path          # PEM of the local CA when tls=True (requests: `verify=str(org.ca_path)`)
        org.ssl_context()    # an SSLContext trusting that CA (httpx2: `verify=org.ssl_context()`)
        org.stats()          # same JSON as GET /_org/stats: token_requests, api_requests, records{...}
        org.get_token()      # a valid access token issued in-process (not counted in token_requests)
        org.state            # OrgState: .sessions (timeout, expire_all()), .limits (limit), .config (latency_ms)
    # stopped here

`OrgServer(...)` takes the same keyword arguments (all optional): `data_dir`, `host`
("127.0.0.1"), `port` (0), `tls` (False), `client_id`, `client_secret`, `session_timeout`,
`daily_api_limit`, `latency_ms`, `timezone`, `seed`, `seed_if_empty` (True), `faults`, or a
ready `config=OrgConfig(...)`. `start()`/`stop()` are idempotent and thread-safe; it is also a
sync and async context manager (`async with OrgServer(...) as org:` starts it in a worker thread,
so the event loop is never blocked). `url` is valid once started.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from service.errors import ConfigError
from service.org.app import create_app
from service.org.state import OrgConfig, OrgState

TLS_MISSING = "--tls needs the trustme package: pip install 'sf-voice-gateway[tls]'"
CA_FILE = "org-ca.pem"
CERT_FILE = "org-cert.pem"
KEY_FILE = "org-key.pem"


def make_tls_files(data_dir: Path, host: str) -> tuple[Path, Path, Path]:
    """A local CA (trustme) and a server certificate for `host`, localhost and 127.0.0.1.

    trustme is an optional dependency (only `--tls` needs it): imported here, and named in a
    `ConfigError` with its install command when it is missing.
    """
    try:
        import trustme
    except ImportError:
        raise ConfigError(TLS_MISSING) from None

    ca = trustme.CA()
    names = sorted({host, "localhost", "127.0.0.1"})
    cert = ca.issue_cert(*names)
    data_dir.mkdir(parents=True, exist_ok=True)
    ca_path, cert_path, key_path = data_dir / CA_FILE, data_dir / CERT_FILE, data_dir / KEY_FILE
    ca.cert_pem.write_to_path(str(ca_path))
    cert.cert_chain_pems[0].write_to_path(str(cert_path))
    for extra in cert.cert_chain_pems[1:]:
        extra.write_to_path(str(cert_path), append=True)
    cert.private_key_pem.write_to_path(str(key_path))
    return ca_path, cert_path, key_path


class _Server(uvicorn.Server):
    """uvicorn's server, stoppable promptly from another thread (tests start and stop many)."""

    _wake: asyncio.Event | None = None
    _loop: asyncio.AbstractEventLoop | None = None

    def install_signal_handlers(self) -> None:  # the owner thread handles signals
        return None

    async def main_loop(self) -> None:
        self._loop, self._wake = asyncio.get_running_loop(), asyncio.Event()
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 0.1)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        for _ in range(int(self.config.timeout_graceful_shutdown or 1) * 100):
            if not self.server_state.connections and not self.server_state.tasks or self.force_exit:
                break
            await asyncio.sleep(0.01)
        for task in self.server_state.tasks:
            task.cancel()
        if not self.force_exit:
            await self.lifespan.shutdown()

    def wake(self) -> None:
        """Make the main loop notice `should_exit` now."""
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(wake.set)


class OrgServer:
    """A running (or startable) embedded org on loopback; see the module docstring."""

    def __init__(
        self,
        *,
        config: OrgConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: bool = False,
        faults: Any | None = None,
        **params: Any,
    ) -> None:
        if config is None:
            if params.get("data_dir") is None:
                params["data_dir"] = Path(tempfile.mkdtemp(prefix="embedded-org-"))
            params["data_dir"] = Path(params["data_dir"])
            config = OrgConfig(**params)
        elif params:
            config = replace(config, **params)
        self.config = config
        self.host = host
        self.port = port
        self.tls = tls
        self.faults = faults
        self.ca_path: Path | None = None
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._state: OrgState | None = None

    # --- life cycle ---------------------------------------------------------------------------

    def start(self) -> OrgServer:
        """Start serving (no-op if running); returns self once the port accepts connections."""
        with self._lock:
            if self._server is not None:
                return self
            app = create_app(self.config, faults=self.faults)
            self._state = app.state.org
            family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
            # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted sockets only when proto is TCP
            # (with proto 0, Nagle + delayed ACK add ~40 ms to every response).
            sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
            self.port = sock.getsockname()[1]
            tls_args: dict[str, Any] = {}
            if self.tls:
                self.ca_path, cert, key = make_tls_files(Path(self.config.data_dir), self.host)
                tls_args = {"ssl_certfile": str(cert), "ssl_keyfile": str(key)}
            cfg = uvicorn.Config(
                app,
                loop="asyncio",
                http="httptools",
                log_level="warning",
                access_log=False,
                lifespan="on",
                timeout_graceful_shutdown=1,
                **tls_args,
            )
            server = _Server(cfg)
            thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="embedded-org")
            thread.start()
            deadline = time.monotonic() + 20
            while not server.started:
                if not thread.is_alive() or time.monotonic() > deadline:
                    sock.close()
                    raise RuntimeError("the embedded org did not start")
                time.sleep(0.01)
            self._server, self._thread = server, thread
            return self

    def stop(self) -> None:
        """Stop serving and wait for the thread (no-op if not running)."""
        with self._lock:
            server, thread = self._server, self._thread
            self._server = self._thread = None
        if server is None or thread is None:
            return
        server.should_exit = True
        server.wake()
        thread.join(timeout=2)
        if thread.is_alive():  # a client kept a connection open: stop waiting for it
            server.force_exit = True
            thread.join(timeout=10)

    @property
    def running(self) -> bool:
        """True while serving."""
        return self._server is not None

    # --- what callers need --------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL (instance URL), e.g. `http://127.0.0.1:54321`."""
        scheme = "https" if self.tls else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}"

    @property
    def token_url(self) -> str:
        """The OAuth token endpoint."""
        return f"{self.url}/services/oauth2/token"

    @property
    def client_id(self) -> str:
        """Consumer key accepted by the token endpoint."""
        return self.config.client_id

    @property
    def client_secret(self) -> str:
        """Consumer secret accepted by the token endpoint."""
        return self.config.client_secret

    @property
    def data_dir(self) -> Path:
        """Where the SQLite file (and TLS files) live."""
        return Path(self.config.data_dir)

    @property
    def state(self) -> OrgState:
        """Run-time state (sessions, limits, config, store); valid after `start()`."""
        if self._state is None:
            raise RuntimeError("the embedded org is not started")
        return self._state

    def stats(self) -> dict[str, Any]:
        """The counters `GET /_org/stats` answers, read in-process."""
        return self.state.snapshot()

    def ssl_context(self) -> ssl.SSLContext | None:
        """A client SSL context trusting the org's CA (None without TLS)."""
        if self.ca_path is None:
            return None
        return ssl.create_default_context(cafile=str(self.ca_path))

    def get_token(self) -> str:
        """A new access token issued in-process (not counted in `token_requests`, which counts HTTP calls)."""
        return self.state.sessions.issue(self.client_id).token

    # --- context managers ---------------------------------------------------------------------

    def __enter__(self) -> OrgServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> OrgServer:
        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await asyncio.to_thread(self.stop)


@contextmanager
def start_org(config: OrgConfig | None = None, **params: Any) -> Iterator[OrgServer]:
    """Run an org for the duration of a `with` block (keyword arguments as `OrgServer`)."""
    server = OrgServer(config=config, **params)
    server.start()
    try:
        yield server
    finally:
        server.stop()
