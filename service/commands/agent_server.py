"""`python -m service agent-server [--host 127.0.0.1] [--port 8765] [--gateway URL]`."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("agent-server", help="serve the ElevenLabs conversation protocol for the agent")
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765)")
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
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import logging

    import uvicorn

    from service.calls_log.closing import session_end_hook
    from service.runner.protocol import InitData
    from service.runner.run import make_agent
    from service.runner.server import create_agent_server
    from service.runner.stack import Stack
    from service.settings import get_settings
    from service.voice.speech_io import speech_factory_if_available, voice_options

    settings = get_settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("httpx2").setLevel(logging.WARNING)  # one line per tool call is noise here
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    if args.gateway and not secret:
        print("--gateway needs WEBHOOK_SECRET set to the gateway's webhook secret", file=sys.stderr)
        return 2
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

        # Audio sessions (user_audio_chunk in, audio events out) when the offline voice backends are installed;
        # text-only otherwise, with the install command logged.
        speech = speech_factory_if_available(**voice_options(settings))
        app = create_agent_server(
            executor,
            agent_factory=factory,
            speech_factory=speech,
            on_session_end=session_end_hook(stack.post_call_logger()),
        )
        print(f"gateway: {stack.gateway_url}")
        print(f"audio sessions: {'on (pcm_16000)' if speech else 'off (text only; pip install .[voice])'}")
        print(
            f"agent server: ws://{args.host}:{args.port}/v1/convai/conversation  "
            f"(signed URL: http://{args.host}:{args.port}/v1/convai/conversation/get-signed-url)"
        )
        print(
            f"Python SDK: ElevenLabs(base_url='http://{args.host}:{args.port}') + Conversation(..., "
            "requires_auth=False)",
            flush=True,
        )
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning", ws_ping_interval=None)
    return 0
