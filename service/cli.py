"""`python -m service <command>`: one argparse tree, each group defined in `service/commands/`.

Command modules import their heavy dependencies inside their handlers, so `--help` stays fast and
nothing happens at import time.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# (module in service.commands, one-line help). Each module defines `register(subparsers)`, which
# adds its parser(s) and sets `handler=callable(args) -> int` as a default.
COMMAND_MODULES: tuple[str, ...] = (
    "soql",  # soql check
    "org",  # org serve | seed | reset
    "serve",  # serve (gateway, embedded org when no SF_* is set)
    "tools",  # tools export | push | diff
    "agent",  # agent export
    "call",  # call --persona
    "calls",  # calls --personas all
    "agent_server",  # agent-server
    "console",  # console (the web console)
)


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree."""
    parser = argparse.ArgumentParser(
        prog="python -m service",
        description="Salesforce tools for ElevenLabs voice agents: gateway, embedded org, tool JSON, calls.",
    )
    sub = parser.add_subparsers(dest="command", metavar="<command>")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"service.commands.{name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse `argv` and run the chosen command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return int(handler(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
