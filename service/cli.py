"""`python -m service <command>`: one argparse tree, each group defined in `service/commands/`.

Command modules import their heavy dependencies inside their handlers, so `--help` stays fast and
nothing happens at import time. Every failure a user can fix (bad settings, busy ports, refused
domains) is one line on stderr and exit 2: settings are validated here, before any handler runs,
and a `ConfigError` from a handler is printed as its message, never as a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any

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
    "agent_tests",  # tests export | push | diff | run
    "calls_log",  # calls-log list | retry
    "console",  # console (the web console)
)

PROG = "python -m service"


class CommandParser(argparse.ArgumentParser):
    """An ArgumentParser whose unknown flags are reported with the sub-command's own usage.

    argparse hands a sub-command's leftovers back to the top-level parser, which then prints the
    top-level usage (`serve --bogus` would show `python -m service <command>`). Each parser records
    itself on the namespace (innermost first, so the deepest sub-command wins) and `parse_args`
    reports leftovers through it.
    """

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        if getattr(parsed, "_parser", None) is None:
            parsed._parser = self
        return parsed, extras

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            owner: argparse.ArgumentParser = getattr(parsed, "_parser", self)
            owner.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree."""
    parser = CommandParser(
        prog=PROG,
        description="Salesforce tools for ElevenLabs voice agents: gateway, embedded org, tool JSON, calls.",
    )
    sub = parser.add_subparsers(dest="command", metavar="<command>")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"service.commands.{name}")
        module.register(sub)
    return parser


def _settings_problem() -> str | None:
    """None when the environment's settings validate, else the one line that says what to fix."""
    from pydantic import ValidationError

    from service.settings import describe_invalid, get_settings

    try:
        get_settings()
    except ValidationError as exc:
        return describe_invalid(exc)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Parse `argv` and run the chosen command; returns the exit code."""
    from service.errors import ConfigError

    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Any = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    where = f"{PROG} {args.command}"
    problem = _settings_problem()
    if problem is not None:
        print(f"{where}: {problem}", file=sys.stderr)
        return 2
    try:
        return int(handler(args))
    except ConfigError as exc:  # a sub-command names itself (`error_prefix`, e.g. "tools push")
        print(f"{getattr(args, 'error_prefix', where)}: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
