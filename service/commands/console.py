"""`python -m service console [--host 127.0.0.1] [--port 8080] [--gateway URL] [--agent rules|llm]`."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("console", help="the web console: talk to the agent in the browser, watch the tools")
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    parser.add_argument(
        "--gateway",
        help="gateway base URL (default: start the embedded org and gateway here); "
        "the webhook secret then comes from WEBHOOK_SECRET",
    )
    parser.add_argument(
        "--agent",
        choices=("rules", "llm"),
        default="rules",
        help="rules: the built-in qualification agent (offline); llm: chat completions at AGENT_LLM_URL",
    )
    parser.add_argument("--text-only", action="store_true", help="no audio sessions, even with the voice extra")
    parser.add_argument("--reports-dir", default=None, help="where call reports go (default: REPORTS_DIR)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import logging
    from pathlib import Path

    import uvicorn

    from service.console.app import create_console_app
    from service.console.assets import bundle_missing
    from service.runner.protocol import InitData
    from service.runner.run import make_agent
    from service.runner.stack import Stack
    from service.settings import get_settings

    settings = get_settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("httpx2").setLevel(logging.WARNING)
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    if args.gateway and not secret:
        print("--gateway needs WEBHOOK_SECRET set to the gateway's webhook secret", file=sys.stderr)
        return 2
    hint = bundle_missing()
    if hint:
        print(hint, file=sys.stderr)
    speech = None
    if not args.text_only:
        from service.voice.speech_io import speech_factory_if_available, voice_options

        speech = speech_factory_if_available(**voice_options(settings))
    reports = Path(args.reports_dir) if args.reports_dir else settings.reports_dir
    with Stack(gateway_url=args.gateway, secret=secret) as stack:
        executor = stack.executor()

        def factory(init: InitData) -> Any:
            return make_agent(
                args.agent,
                executor,
                first_message=init.first_message,
                dynamic_variables=init.dynamic_variables,
                prompt=init.prompt,
                language=init.language,
            )

        app = create_console_app(
            executor,
            reports_dir=reports,
            agent_factory=factory,
            speech_factory=speech,
            agent_kind=args.agent,
            gateway_url=stack.gateway_url,
        )
        print(f"gateway: {stack.gateway_url}")
        why = "--text-only" if args.text_only else "pip install .[voice]"
        print(f"voice calls: {'on' if speech else f'off ({why})'}")
        print(f"console: http://{args.host}:{args.port}/", flush=True)
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning", ws_ping_interval=None)
    return 0
