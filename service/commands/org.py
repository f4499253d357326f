"""`org serve | seed | reset`: the embedded Salesforce-compatible org on loopback."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    """Add `org serve`, `org seed` and `org reset`."""
    org = subparsers.add_parser("org", help="the embedded Salesforce-compatible org (SQLite, loopback)")
    sub = org.add_subparsers(dest="org_command", metavar="<org command>")

    serve = sub.add_parser("serve", help="serve the org over HTTP(S); seeds an empty data dir first")
    serve.add_argument("--host", default=None, help="bind address (default ORG_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default ORG_PORT or 8766; 0 = any free port)")
    serve.add_argument("--data-dir", type=Path, default=None, help="where org.sqlite3 lives (default ./.data)")
    serve.add_argument("--session-timeout", type=float, default=None, help="session inactivity timeout, seconds")
    serve.add_argument("--latency-ms", type=float, default=0.0, help="delay every API response by N ms")
    serve.add_argument("--tls", action="store_true", help="serve HTTPS with a local CA written to the data dir")
    serve.set_defaults(handler=_serve)

    seed = sub.add_parser("seed", help="load the deterministic demo data into an empty data dir")
    seed.add_argument("--data-dir", type=Path, default=None, help="data dir (default ./.data)")
    seed.add_argument("--records", type=int, default=None, help="leads and contacts each (large sets for benchmarks)")
    seed.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    seed.set_defaults(handler=_seed)

    reset = sub.add_parser("reset", help="delete the org's database")
    reset.add_argument("--data-dir", type=Path, default=None, help="data dir (default ./.data)")
    reset.set_defaults(handler=_reset)
    org.set_defaults(handler=lambda args: (org.print_help(), 2)[1])


_WORDS = ("the org", "--port (ORG_PORT; 0 = any free port)", "--host (ORG_HOST)")


def _mask(secret: str) -> str:
    return secret[:3] + "…" + "*" * 6 if len(secret) > 6 else "******"


def _serve(args: argparse.Namespace) -> int:
    import importlib
    import signal
    import sys
    import threading

    from service.commands.serve import bind, cannot_listen, check_port
    from service.errors import ConfigError
    from service.org.server import TLS_MISSING, OrgServer
    from service.org.state import OrgConfig
    from service.settings import get_settings

    if args.tls:
        try:
            importlib.import_module("trustme")  # optional: only --tls needs it
        except ImportError:
            print(f"error: {TLS_MISSING}", file=sys.stderr)
            return 2

    settings = get_settings()
    overrides: dict[str, Any] = {"latency_ms": args.latency_ms}
    if args.data_dir is not None:
        overrides["data_dir"] = args.data_dir
    if args.session_timeout is not None:
        overrides["session_timeout"] = args.session_timeout
    config = OrgConfig.from_settings(settings, **overrides)
    host = args.host or settings.org_host
    port = check_port(settings.org_port if args.port is None else args.port, "--port (ORG_PORT)", allow_any=True)
    if port:
        bind(host, port, *_WORDS).close()  # before the org seeds its data
    server = OrgServer(config=config, host=host, port=port, tls=args.tls)
    try:
        server.start()
    except OSError as exc:
        raise ConfigError(cannot_listen(_WORDS[0], host, port, exc, *_WORDS[1:])) from None
    print(f"embedded org serving at {server.url}  (data: {config.data_dir / 'org.sqlite3'})")
    print(f"  token endpoint: {server.token_url}")
    print(f"  ORG_CLIENT_ID={config.client_id}  ORG_CLIENT_SECRET={_mask(config.client_secret)}")
    if server.ca_path is not None:
        print(f"  TLS CA certificate: {server.ca_path}")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def _data_dir(args: argparse.Namespace) -> Path:
    from service.settings import get_settings

    return Path(args.data_dir) if args.data_dir is not None else Path(get_settings().org_data_dir)


def _seed(args: argparse.Namespace) -> int:
    from service.org.seed import seed_store
    from service.org.store import Store
    from service.schema import builtin_schema

    data_dir = _data_dir(args)
    store = Store(data_dir, builtin_schema())
    try:
        if not store.is_empty():
            print(f"{data_dir} already holds records; run `org reset` first")
            return 1
        counts = seed_store(store, seed=args.seed, records=args.records)
    finally:
        store.close()
    print("seeded " + ", ".join(f"{n} {name}" for name, n in counts.items()) + f" into {data_dir}")
    return 0


def _reset(args: argparse.Namespace) -> int:
    from service.org.store import DB_NAME

    data_dir = _data_dir(args)
    removed = 0
    for suffix in ("", "-wal", "-shm"):
        path = data_dir / f"{DB_NAME}{suffix}"
        if path.exists():
            path.unlink()
            removed += 1
    print(f"reset {data_dir}" if removed else f"nothing to reset in {data_dir}")
    return 0
