"""`tests export | push | diff | run`: ElevenLabs agent tests from our personas' runs on the org."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def _add_source_options(parser: argparse.ArgumentParser, *, with_dir: bool) -> None:
    parser.add_argument("--personas", default="all", help="all, or a comma-separated list of persona names")
    parser.add_argument(
        "--base-url",
        default=None,
        help="a running gateway to record the personas' calls against (its WEBHOOK_SECRET from the settings); "
        "default: a fresh embedded org and gateway started here",
    )
    if with_dir:
        parser.add_argument(
            "--from", dest="from_dir", type=Path, default=None, help="use the test JSON in this directory (from export)"
        )


def _add_api_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--elevenlabs-url",
        default=None,
        help="ElevenLabs API base URL (default: ELEVENLABS_BASE_URL or the production API); "
        "the key is read from ELEVENLABS_API_KEY",
    )


def register(subparsers: Any) -> None:
    """Add `tests export`, `tests push`, `tests diff` and `tests run`."""
    tests = subparsers.add_parser("tests", help="export, push, diff or run ElevenLabs agent tests from the personas")
    sub = tests.add_subparsers(dest="tests_command", metavar="<export|push|diff|run>")
    tests.set_defaults(handler=lambda args: (tests.print_help(), 2)[1])

    export = sub.add_parser("export", help="record the personas on the org and write one test JSON per test")
    _add_source_options(export, with_dir=False)
    export.add_argument("--out", required=True, type=Path, help="directory to write into")
    export.set_defaults(handler=run_export, error_prefix="tests export")

    for name, handler, text in (
        ("push", run_push, "create or update the tests in the ElevenLabs workspace, matched by name"),
        ("diff", run_diff, "show how deployed tests differ from the generated ones; exit 1 on drift"),
    ):
        cmd = sub.add_parser(name, help=text)
        _add_source_options(cmd, with_dir=True)
        _add_api_options(cmd)
        cmd.set_defaults(handler=handler, error_prefix=f"tests {name}")

    run = sub.add_parser("run", help="run the personas' tests on an agent and print each result")
    run.add_argument("--agent-id", required=True, help="the ElevenLabs agent to test")
    run.add_argument("--personas", default="all", help="all, or a comma-separated list of persona names")
    run.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for the results (default 600)")
    _add_api_options(run)
    run.set_defaults(handler=run_run, error_prefix="tests run")


def _bodies(args: argparse.Namespace) -> list[dict[str, Any]]:
    """The suite the options ask for; raises `ConfigError`."""
    from service.errors import ConfigError
    from service.settings import get_settings
    from service.tool_json.agent_tests.record import persona_names
    from service.tool_json.agent_tests.suite import build_suite, read_dir
    from service.tool_json.generate import check_base_url

    if getattr(args, "from_dir", None) is not None:
        return read_dir(args.from_dir)
    names = persona_names(args.personas)
    if args.base_url is None:
        return build_suite(names)
    url = check_base_url(args.base_url, "--base-url")
    secret = get_settings().webhook_secret
    if secret is None:
        raise ConfigError("set WEBHOOK_SECRET to the gateway's webhook secret to record calls through --base-url")
    return build_suite(names, gateway_url=url, secret=secret.get_secret_value())


def _client(args: argparse.Namespace) -> Any:
    """The SDK client from ELEVENLABS_API_KEY and the URL option or ELEVENLABS_BASE_URL."""
    from service.errors import ConfigError
    from service.settings import get_settings
    from service.tool_json.generate import check_base_url
    from service.tool_json.push import make_client

    settings = get_settings()
    if settings.elevenlabs_api_key is None:
        raise ConfigError("set ELEVENLABS_API_KEY (environment or .env) to reach the ElevenLabs API")
    url = args.elevenlabs_url or settings.elevenlabs_base_url
    return make_client(
        settings.elevenlabs_api_key.get_secret_value(), check_base_url(url, "--elevenlabs-url") if url else None
    )


def run_export(args: argparse.Namespace) -> int:
    """Write the files; 2 with a message on bad input, nothing written."""
    from service.tool_json.agent_tests.suite import render
    from service.tool_json.export import write_files

    written = write_files(args.out, render(_bodies(args)))
    for path in written:
        print(path)
    return 0


def run_push(args: argparse.Namespace) -> int:
    """Create or update; prints one line per test."""
    from service.tool_json.agent_tests.remote import push

    results = push(_client(args), _bodies(args))
    for result in results:
        print(f"{result.action:9} {result.name}  id={result.test_id}")
    return 0


def run_diff(args: argparse.Namespace) -> int:
    """0 when deployed equals generated, 1 on drift or a missing test, 2 on error."""
    from service.tool_json.agent_tests.remote import diff

    results = diff(_client(args), _bodies(args))
    for result in results:
        print(f"{result.status:9} {result.name}")
        sys.stdout.write(result.text)
    return 0 if all(r.status == "same" for r in results) else 1


def run_run(args: argparse.Namespace) -> int:
    """0 when every test passed, 1 when one did not, 2 on error."""
    from service.runner.callers import load_persona
    from service.tool_json.agent_tests.build import suite_names
    from service.tool_json.agent_tests.record import persona_names
    from service.tool_json.agent_tests.remote import run

    names = [n for p in persona_names(args.personas) for n in suite_names(load_persona(p))]
    results = run(_client(args), args.agent_id, names, timeout=args.timeout)
    for result in results:
        print(f"{result.status:9} {result.name}" + (f"  ({result.summary})" if result.summary else ""))
    return 0 if results and all(r.status == "passed" for r in results) else 1
