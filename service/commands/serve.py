"""`python -m service serve`: the gateway, on the configured org or on the embedded one."""

from __future__ import annotations

import argparse
import errno
import socket
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import uvicorn


def register(subparsers: Any) -> None:
    """Add the `serve` command."""
    parser = subparsers.add_parser(
        "serve",
        help="run the webhook gateway (starts the embedded org when no SF_* is set)",
        description="Serve the three webhook tools. With SF_DOMAIN/SF_CLIENT_ID/SF_CLIENT_SECRET set it "
        "serves that org; with none set it starts the embedded org on loopback (seeded on first run).",
    )
    parser.add_argument("--host", default=None, help="bind address (default GATEWAY_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="port (default GATEWAY_PORT or 8000; 0 = any free port)")
    parser.add_argument(
        "--org-port", type=int, default=None, help="embedded org port (default ORG_PORT; 0 = any free port)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes on the one port (more than 1 needs REDIS_URL: the shared token and idempotency)",
    )
    parser.set_defaults(handler=run)


def _loopback(host: str) -> bool:
    from service.salesforce.config import is_loopback

    return is_loopback(host)


_ORG_WORDS = ("the embedded org", "--org-port (ORG_PORT; 0 = any free port)", "ORG_HOST")
# Against a real (non-loopback) org the secret is all that guards the tools: at least 32 characters.
MIN_SECRET_CHARS = 32


def check_port(port: int, name: str, *, allow_any: bool = False) -> int:
    """`port` when it is a usable TCP port (0 = any free one, only when `allow_any`); else `ConfigError`."""
    from service.errors import ConfigError

    low = 0 if allow_any else 1
    if not low <= port <= 65535:
        raise ConfigError(
            f"{name} {port} is not a TCP port: use {low}-65535" + (" (0 = any free port)" if allow_any else "")
        )
    return port


def _open(host: str, port: int) -> socket.socket:
    """A TCP socket bound to `host:port` (listening starts in uvicorn); raises `OSError`."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def cannot_listen(what: str, host: str, port: int, exc: OSError, port_flag: str, host_flag: str) -> str:
    """One line: why `host:port` can't be used, and the flag or setting that fixes it."""
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.EADDRINUSE, errno.EACCES):
        fix = f"stop what is using it or choose another port with {port_flag}"
    else:
        fix = f"check the address in {host_flag}"
    return f"{what} cannot listen on {host}:{port} ({reason}): {fix}"


def bind(host: str, port: int, what: str, port_flag: str, host_flag: str) -> socket.socket:
    """A socket bound to `host:port`, or `ConfigError` saying why not and what to do."""
    from service.errors import ConfigError

    try:
        return _open(host, port)
    except OSError as exc:
        raise ConfigError(cannot_listen(what, host, port, exc, port_flag, host_flag)) from None


def uvicorn_server(app: Any, *, host: str, port: int) -> uvicorn.Server:
    """The uvicorn server `serve` runs (tests start the same one): JSON answers for unparseable requests."""
    import uvicorn

    from service.commands.http_protocol import JsonErrorProtocol

    config = uvicorn.Config(app, host=host, port=port, http=JsonErrorProtocol, log_config=None, access_log=False)
    return uvicorn.Server(config)


def run(args: argparse.Namespace) -> int:
    """Start the (embedded org and the) gateway; blocks until interrupted. 2 with one line on bad setup."""
    from service.errors import ConfigError

    try:
        return _run(args)
    except ConfigError as exc:
        print(f"python -m service serve: {exc.message}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    import secrets
    from urllib.parse import urlsplit

    from pydantic import SecretStr

    from service.errors import ConfigError
    from service.salesforce.config import org_config
    from service.settings import get_settings

    settings = get_settings()
    host = args.host or settings.gateway_host
    port = check_port(
        settings.gateway_port if args.port is None else args.port, "--port (GATEWAY_PORT)", allow_any=True
    )
    org_port = settings.org_port if args.org_port is None else args.org_port
    workers = getattr(args, "workers", 1)
    if workers < 1:
        raise ConfigError(f"--workers {workers} is not a number of processes: use 1 or more")
    if workers > 1 and settings.redis_url is None:
        raise ConfigError(
            f"--workers {workers} needs REDIS_URL: the token, idempotency keys and locks must be shared "
            "between processes (set REDIS_URL, or run one worker)"
        )
    real_org = False  # an org on loopback (tests, benchmarks) is not one a caller can reach
    if settings.uses_embedded_org:
        check_port(org_port, "--org-port (ORG_PORT)", allow_any=True)
    else:  # refuses login.salesforce.com, http://, missing SF_* with the reason
        real_org = not _loopback(urlsplit(org_config(settings).domain).hostname or "")
    generated = False
    if settings.webhook_secret is None:
        if not (settings.uses_embedded_org and _loopback(host)):
            raise ConfigError(
                "refusing to start: WEBHOOK_SECRET is not set. Set it to a long random value and store the "
                "same value as an ElevenLabs workspace secret sent in the X-Webhook-Secret header "
                "(only the embedded org on a loopback address may run without one)."
            )
        settings = settings.model_copy(update={"webhook_secret": SecretStr(secrets.token_urlsafe(24))})
        generated = True
    elif real_org and len(settings.webhook_secret.get_secret_value()) < MIN_SECRET_CHARS:
        raise ConfigError(
            f"WEBHOOK_SECRET is shorter than {MIN_SECRET_CHARS} characters: against a real org use a long random "
            'value, e.g. python -c "import secrets; print(secrets.token_urlsafe(32))"'
        )
    sock = bind(host, port, "the gateway", "--port (GATEWAY_PORT)", "--host (GATEWAY_HOST)")
    if settings.uses_embedded_org and org_port:
        try:  # before the org builds its app and seeds its data: a busy port costs nothing
            bind(settings.org_host, org_port, *_ORG_WORDS).close()
        except ConfigError:
            sock.close()
            raise
    port = sock.getsockname()[1]  # the real one when 0 asked for any free port
    org = None
    try:
        if settings.uses_embedded_org:
            org = _start_org(settings, org_port)
            settings = settings.model_copy(
                update={
                    "sf_domain": org.url,
                    "sf_client_id": org.client_id,
                    "sf_client_secret": SecretStr(org.client_secret),
                }
            )
        from service.app import create_app  # heavy: only once every check has passed

        _banner(settings, host, port, org, generated)
        if workers > 1:
            _run_workers(settings, sock, workers)
        else:
            server = uvicorn_server(create_app(settings, freeze_heap=True), host=host, port=port)
            server.run(sockets=[sock])
    finally:
        sock.close()
        if org is not None:
            org.stop()
    return 0


def _run_workers(settings: Any, sock: socket.socket, workers: int) -> None:
    """`workers` processes serving `sock`: each imports `service.asgi:create` and reads the environment,
    so the settings decided here (the embedded org's address, a generated secret) go there first."""
    import os

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from service.commands.http_protocol import JsonErrorProtocol

    os.environ["SF_DOMAIN"] = str(settings.sf_domain)
    os.environ["SF_CLIENT_ID"] = str(settings.sf_client_id)
    os.environ["SF_CLIENT_SECRET"] = settings.sf_client_secret.get_secret_value()
    os.environ["WEBHOOK_SECRET"] = settings.webhook_secret.get_secret_value()
    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(
        "service.asgi:create",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http=JsonErrorProtocol,
        log_config=None,
        access_log=False,
    )
    Multiprocess(config, sockets=[sock]).run()


def _start_org(settings: Any, port: int) -> Any:
    from service.errors import ConfigError
    from service.org.server import OrgServer
    from service.org.state import OrgConfig

    config = OrgConfig.from_settings(settings)
    org = OrgServer(config=config, host=settings.org_host, port=port)
    try:
        return org.start()
    except OSError as exc:
        raise ConfigError(cannot_listen(_ORG_WORDS[0], settings.org_host, port, exc, *_ORG_WORDS[1:])) from None


def _sample_id(settings: Any) -> str:
    """A Contact id from the org, for the curl example (a placeholder if the org can't say)."""
    import httpx2

    try:
        with httpx2.Client(base_url=settings.sf_domain, timeout=5.0) as http:
            token = http.post(
                "/services/oauth2/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": settings.sf_client_id,
                    "client_secret": settings.sf_client_secret.get_secret_value(),
                },
            ).json()["access_token"]
            version = "v" + settings.sf_api_version.lstrip("vV")
            rows = http.get(
                f"/services/data/{version}/query",
                params={"q": "SELECT Id FROM Contact LIMIT 1"},
                headers={"Authorization": f"Bearer {token}"},
            ).json()["records"]
            return str(rows[0]["Id"])
    except Exception:
        return "<contact id from a search>"


def _banner(settings: Any, host: str, port: int, org: Any, generated: bool) -> None:
    secret = settings.webhook_secret.get_secret_value()
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    base = f"http://{shown_host}:{port}"
    print(f"gateway:       {base}   (OpenAPI: {base}/docs, health: {base}/healthz, metrics: {base}/metrics)")
    if org is not None:
        print(f"embedded org:  {org.url}   (data: {settings.org_data_dir})")
        print(f"webhook secret ({'generated for this run' if generated else 'from WEBHOOK_SECRET'}): {secret}")
        record_id = _sample_id(settings)
    else:
        print(f"org:           {settings.sf_domain}")
        print("webhook secret: from WEBHOOK_SECRET")
        secret = "$WEBHOOK_SECRET"  # noqa: S105 - a shell variable in the example, not a secret
        record_id = "<contact id from a search>"
    header = f'-H "X-Webhook-Secret: {secret}"'
    print("\ntry:")
    print(
        f"  curl -sG {header} {base}/tools/salesforce_search_records "
        '--data-urlencode "q=SELECT Id, Name, Email, Title, Account.Name FROM Contact LIMIT 3"'
    )
    print(f"  curl -s {header} {base}/tools/salesforce_get_record/Contact/{record_id}")
    print(
        f"  curl -s {header} -H 'Content-Type: application/json' -H 'X-Conversation-Id: demo-1' "
        f"'{base}/tools/salesforce_create_record/Lead?dry_run=true' "
        '-d \'{"FirstName": "Jane", "LastName": "Doe", "Company": "Acme Robotics", '
        '"Email": "jane dot doe at acme dot com"}\''
    )
    print(flush=True)
