"""`agent export`: an ElevenLabs agent config (API format) with the seed's prompt and the three tools,
reached as webhooks (`--tools webhook`) or through the gateway's MCP server (`--tools mcp`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    """Add `agent export`."""
    from service.tool_json.generate import PLACEHOLDER_BASE_URL, PLACEHOLDER_SECRET_ID

    agent = subparsers.add_parser("agent", help="export the ElevenLabs agent config")
    sub = agent.add_subparsers(dest="agent_command", metavar="<export>")
    agent.set_defaults(handler=lambda args: (agent.print_help(), 2)[1])
    export = sub.add_parser("export", help="write the agent config (create body + tool requests) as JSON")
    export.add_argument("--out", required=True, type=Path, help="file to write")
    export.add_argument("--base-url", default=PLACEHOLDER_BASE_URL, help="public URL of the gateway")
    export.add_argument("--secret-id", default=PLACEHOLDER_SECRET_ID, help="workspace secret id holding WEBHOOK_SECRET")
    export.add_argument(
        "--tools",
        default="webhook",
        help="how the agent reaches the tools: webhook (three webhook tools, default) or mcp (the gateway's /mcp)",
    )
    export.set_defaults(handler=run_export, error_prefix="agent export")


def run_export(args: argparse.Namespace) -> int:
    """Write the config; 2 with a message on bad input."""
    from service.errors import ConfigError
    from service.settings import get_settings
    from service.tool_json.agent_config import agent_config, validate_agent_config
    from service.tool_json.export import dumps, write_file
    from service.tool_json.generate import gateway_tools

    tools = gateway_tools(args.base_url, args.secret_id, get_settings().tool_timeout)
    config = agent_config(tools)
    if args.tools == "mcp":
        from service.tool_json.mcp_server import mcp_agent_config, mcp_server_request, validate_mcp_agent_config

        config = mcp_agent_config(config, mcp_server_request(tools, args.base_url, args.secret_id))
        validate_mcp_agent_config(config)
    elif args.tools == "webhook":
        validate_agent_config(config)
    else:
        raise ConfigError(f"--tools must be webhook or mcp, got {args.tools!r}")
    path = write_file(args.out, dumps(config))
    print(path)
    return 0
