"""`tools export | push | diff`: the ElevenLabs tool JSON for the gateway (or Salesforce directly)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

_FORMATS = "ui|api|mcp"
_TARGETS = "gateway|direct"


def _add_generation_options(parser: argparse.ArgumentParser, *, base_url_default: str | None) -> None:
    parser.add_argument(
        "--base-url",
        default=None,
        help="public URL of the gateway (gateway target)"
        + (f"; default {base_url_default}" if base_url_default else ""),
    )
    parser.add_argument(
        "--secret-id",
        default=None,
        help="id of the ElevenLabs workspace secret holding WEBHOOK_SECRET (gateway target)",
    )
    parser.add_argument("--target", default="gateway", help=f"{_TARGETS} (default gateway)")
    parser.add_argument(
        "--domain",
        default=None,
        help="Salesforce My Domain URL for --target direct, e.g. https://acme.my.salesforce.com",
    )
    parser.add_argument("--api-version", default=None, help="REST API version for --target direct (default v58.0)")
    parser.add_argument(
        "--gateway-timeout",
        type=float,
        default=None,
        help="the gateway's per-call budget in seconds (default: TOOL_TIMEOUT); the tools wait 2 s longer",
    )


def register(subparsers: Any) -> None:
    """Add `tools export`, `tools push` and `tools diff`."""
    from service.tool_json.generate import PLACEHOLDER_BASE_URL

    tools = subparsers.add_parser("tools", help="export, push or diff the ElevenLabs tool JSON")
    sub = tools.add_subparsers(dest="tools_command", metavar="<export|push|diff>")
    tools.set_defaults(handler=lambda args: (tools.print_help(), 2)[1])

    export = sub.add_parser("export", help="write the three tool JSON files into a directory")
    _add_generation_options(export, base_url_default=PLACEHOLDER_BASE_URL)
    export.add_argument("--out", required=True, type=Path, help="directory to write into")
    export.add_argument(
        "--format",
        default="ui",
        help=f"{_FORMATS}: dashboard shape, POST /v1/convai/tools bodies, or one POST /v1/convai/mcp-servers body",
    )
    export.add_argument(
        "--approval-policy",
        default=None,
        help="--format mcp: auto_approve_all (default; phone callers can't approve) or require_approval_all",
    )
    export.set_defaults(handler=run_export, error_prefix="tools export")

    for name, handler, text in (
        ("push", run_push, "create or update the tools in the ElevenLabs workspace, matched by name"),
        ("diff", run_diff, "show how deployed tools differ from the generated ones; exit 1 on drift"),
    ):
        cmd = sub.add_parser(name, help=text)
        _add_generation_options(cmd, base_url_default=None)
        cmd.add_argument(
            "--elevenlabs-url",
            default=None,
            help="ElevenLabs API base URL (default: ELEVENLABS_BASE_URL or the production API); "
            "the key is read from ELEVENLABS_API_KEY",
        )
        cmd.set_defaults(handler=handler, error_prefix=f"tools {name}")


# Which flags each target reads; the others are refused rather than silently ignored.
_TARGET_FLAGS = {
    "gateway": ("base_url", "secret_id", "gateway_timeout"),
    "direct": ("domain", "api_version"),
}


def _ignored_flags(args: argparse.Namespace) -> list[str]:
    """The flags given on the command line that `args.target` doesn't read."""
    used = _TARGET_FLAGS.get(args.target, ())
    others = {flag for flags in _TARGET_FLAGS.values() for flag in flags} - set(used)
    return ["--" + flag.replace("_", "-") for flag in sorted(others) if getattr(args, flag, None) is not None]


def check_direct_domain(domain: str) -> str:
    """`--domain` checked as `SF_DOMAIN` is (My Domain host, https unless loopback); raises `ConfigError`."""
    from service.errors import ConfigError
    from service.salesforce.config import normalize_domain
    from service.tool_json.generate import check_base_url

    check_base_url(domain, "--domain")
    try:
        return normalize_domain(domain)
    except ConfigError as exc:
        raise ConfigError(exc.message.replace("SF_DOMAIN", "--domain")) from None


def build(args: argparse.Namespace, *, for_deploy: bool) -> tuple[Any, ...]:
    """The three tool specs the options ask for; raises `ConfigError`."""
    from service.errors import ConfigError
    from service.settings import get_settings
    from service.tool_json.direct import SEED_API_VERSION, SEED_DOMAIN
    from service.tool_json.generate import PLACEHOLDER_BASE_URL, PLACEHOLDER_SECRET_ID, build_tools

    ignored = _ignored_flags(args)
    if ignored:
        raise ConfigError(
            f"--target {args.target} ignores {', '.join(ignored)}: drop "
            + ("it" if len(ignored) == 1 else "them")
            + f" (or use --target {'direct' if args.target == 'gateway' else 'gateway'})"
        )
    if args.target == "gateway":
        if for_deploy and not args.base_url:
            raise ConfigError("--base-url is required: the gateway's public https URL")
        if for_deploy and not args.secret_id:
            raise ConfigError("--secret-id is required: the id of the workspace secret holding WEBHOOK_SECRET")
    elif args.target == "direct":
        if for_deploy and not args.domain:
            raise ConfigError("--domain is required with --target direct, e.g. https://acme.my.salesforce.com")
        if args.domain:
            check_direct_domain(args.domain)
    timeout = args.gateway_timeout if args.gateway_timeout is not None else get_settings().tool_timeout
    return build_tools(
        args.target,
        base_url=args.base_url or ("" if for_deploy else PLACEHOLDER_BASE_URL),
        secret_id=args.secret_id or PLACEHOLDER_SECRET_ID,
        gateway_timeout=timeout,
        domain=args.domain or SEED_DOMAIN,
        api_version=args.api_version or SEED_API_VERSION,
    )


def run_export(args: argparse.Namespace) -> int:
    """Write the files; 2 with a message on bad input, nothing written."""
    from service.errors import ConfigError
    from service.tool_json.export import dumps, render, write_files

    if args.approval_policy is not None and args.format != "mcp":
        raise ConfigError("--approval-policy applies to --format mcp only")
    files = _mcp_files(args) if args.format == "mcp" else render(build(args, for_deploy=False), args.format)
    written = write_files(args.out, {name: dumps(doc) for name, doc in files.items()})
    for path in written:
        print(path)
    return 0


def _mcp_files(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """`--format mcp`: the MCP-server create body for the gateway, validated; raises `ConfigError`."""
    from service.errors import ConfigError
    from service.tool_json.generate import PLACEHOLDER_BASE_URL, PLACEHOLDER_SECRET_ID
    from service.tool_json.mcp_server import FILE_NAME, mcp_server_request, validate_mcp_server_request

    if args.target != "gateway":
        raise ConfigError("--format mcp describes the gateway's /mcp: use --target gateway")
    body = mcp_server_request(
        build(args, for_deploy=False),
        args.base_url or PLACEHOLDER_BASE_URL,
        args.secret_id or PLACEHOLDER_SECRET_ID,
        args.approval_policy or "auto_approve_all",
    )
    validate_mcp_server_request(body)
    return {FILE_NAME: body}


def _client(args: argparse.Namespace) -> Any:
    from service.errors import ConfigError
    from service.settings import get_settings
    from service.tool_json.generate import check_base_url
    from service.tool_json.push import make_client

    settings = get_settings()
    if settings.elevenlabs_api_key is None:
        raise ConfigError("set ELEVENLABS_API_KEY (environment or .env) to reach the ElevenLabs API")
    url = args.elevenlabs_url or settings.elevenlabs_base_url
    if url:
        url = check_base_url(url, "--elevenlabs-url")
    return make_client(settings.elevenlabs_api_key.get_secret_value(), url)


def _requests(args: argparse.Namespace) -> list[dict[str, Any]]:
    from service.tool_json.api_format import tool_request

    return [tool_request(spec) for spec in build(args, for_deploy=True)]


def run_push(args: argparse.Namespace) -> int:
    """Create or update; prints one line per tool."""
    from service.tool_json.push import push

    results = push(_client(args), _requests(args))
    for result in results:
        print(f"{result.action:9} {result.name}  id={result.tool_id}")
    return 0


def run_diff(args: argparse.Namespace) -> int:
    """0 when deployed equals generated, 1 on drift or a missing tool, 2 on error."""
    from service.tool_json.push import diff

    results = diff(_client(args), _requests(args))
    drift = False
    for result in results:
        if result.status == "same":
            print(f"same      {result.name}")
        else:
            drift = True
            print(f"{result.status:9} {result.name}")
            sys.stdout.write(result.text)
    return 1 if drift else 0
