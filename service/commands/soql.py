"""`soql check QUERY|-`: the policy's verdict on one query, as one JSON object."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def _positive(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be zero or more")
    return value


def register(subparsers: Any) -> None:
    """Add `soql check`."""
    soql = subparsers.add_parser("soql", help="check SOQL queries against the gateway's policy")
    sub = soql.add_subparsers(dest="soql_command", metavar="<check>")
    soql.set_defaults(handler=lambda args: (soql.print_help(), 2)[1])
    check = sub.add_parser(
        "check",
        help="print the verdict (accept/repair/reject) on a query; exit 1 on reject",
        description="Prints {verdict, query, changes, message, suggested_query}. Defaults come from the "
        "SOQL_* and ALLOWED_OBJECTS settings.",
    )
    check.add_argument("query", help="the SOQL query, or - to read it from stdin")
    check.add_argument("--strict", action="store_true", default=None, help="reject instead of repairing")
    check.add_argument("--max-limit", type=_positive, help="largest LIMIT allowed (default 50)")
    check.add_argument("--default-limit", type=_positive, help="LIMIT added when absent (default 10)")
    check.add_argument("--max-offset", type=_positive, help="largest OFFSET allowed (default 2000)")
    check.add_argument("--objects", help="allowed objects, comma-separated (default Lead,Contact,...)")
    check.set_defaults(handler=run_check)


def run_check(args: argparse.Namespace) -> int:
    """Print the verdict; 0 for accept and repair, 1 for reject."""
    from dataclasses import replace

    from service.settings import get_settings
    from service.soql.policy import PolicyConfig, check_query

    text = sys.stdin.read() if args.query == "-" else args.query
    config = PolicyConfig.from_settings(get_settings())
    overrides: dict[str, Any] = {
        "strict": args.strict,
        "max_limit": args.max_limit,
        "default_limit": args.default_limit,
        "max_offset": args.max_offset,
    }
    if args.objects is not None:
        overrides["allowed_objects"] = tuple(o.strip() for o in args.objects.split(",") if o.strip())
    config = replace(config, **{k: v for k, v in overrides.items() if v is not None})
    verdict = check_query(text, config=config)
    print(json.dumps(verdict.to_json(), ensure_ascii=False))
    return 1 if verdict.verdict == "reject" else 0
