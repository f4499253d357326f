"""`calls-log list|retry`: the post-call outbox, read and retried from the command line.

Works on the outbox file (`POST_CALL_OUTBOX`) directly, so it needs no running gateway; a running
gateway's delivery loop picks retried entries up within a second.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

_STATES = ("pending", "delivered", "dead")


def register(subparsers: Any) -> None:
    """Add `calls-log list` and `calls-log retry`."""
    parser = subparsers.add_parser("calls-log", help="post-call events waiting, delivered or kept (dead)")
    sub = parser.add_subparsers(dest="calls_log_command", metavar="<list|retry>")
    parser.set_defaults(handler=lambda args: (parser.print_help(), 2)[1])
    listing = sub.add_parser("list", help="list outbox entries (default: the ones not delivered)")
    listing.add_argument("--state", choices=(*_STATES, "all"), default=None, help="only this state")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.set_defaults(handler=run_list)
    retry = sub.add_parser("retry", help="deliver dead entries again (all, or the one given)")
    retry.add_argument("key", nargs="?", help="the entry's key, e.g. post_call_transcription:conv_123")
    retry.set_defaults(handler=run_retry)


def _outbox() -> Any:
    from service.calls_log.outbox import SqliteOutbox
    from service.errors import ConfigError
    from service.settings import get_settings

    path = get_settings().post_call_outbox
    if not path.exists():
        raise ConfigError(f"No post-call outbox at {path} (POST_CALL_OUTBOX): no event was ever accepted here.")
    return SqliteOutbox(path)


def run_list(args: argparse.Namespace) -> int:
    """Print entries; exit 1 when any is dead."""
    outbox = _outbox()
    try:
        entries = asyncio.run(outbox.entries(None if args.state == "all" else args.state))
    finally:
        outbox.close()
    if args.state is None:
        entries = [e for e in entries if e.state != "delivered"]
    for e in entries:
        row = {"key": e.key, "state": e.state, "attempts": e.attempts, "error": e.last_error, "task_id": e.task_id}
        if args.json:
            print(json.dumps(row))
        else:
            print(f"{e.state:9} {e.attempts:3} tries  {e.key}  {e.task_id or e.last_error or ''}")
    if not entries and not args.json:
        print("nothing waiting: every accepted post-call event was delivered")
    return 1 if any(e.state == "dead" for e in entries) else 0


def run_retry(args: argparse.Namespace) -> int:
    """Make dead entries pending again; exit 1 when there was nothing to retry."""
    outbox = _outbox()
    try:
        count = asyncio.run(outbox.retry(args.key))
    finally:
        outbox.close()
    print(f"{count} post-call event(s) queued for delivery again")
    return 0 if count else 1
