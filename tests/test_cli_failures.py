"""Every CLI failure a new user meets is one line on stderr, exit 2, no banner, no server, no traceback.

The cases are in `tests/fixtures/cli_failures.yaml`; they run through `service.cli.main` in-process,
and the two that used to print a traceback or a banner also as a real subprocess.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from service.cli import main
from service.settings import get_settings

REPO = Path(__file__).resolve().parents[1]
CASES: list[dict[str, Any]] = yaml.safe_load((REPO / "tests" / "fixtures" / "cli_failures.yaml").read_text())
_OWN_ENV = ("SF_", "WEBHOOK_", "ORG_", "GATEWAY_", "SOQL_", "TOOL_", "LOG_", "ELEVENLABS_")


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A loopback port something already listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """No service settings from the environment or a .env; the working directory is `tmp_path`."""
    for name in list(os.environ):
        if name.startswith(_OWN_ENV):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _fill(text: str, busy: int, out: Path) -> str:
    return text.replace("{busy}", str(busy)).replace("{out}", str(out)).replace("{secret}", "s" * 40)


def _one_line(err: str) -> str:
    assert "Traceback" not in err
    assert err.endswith("\n") and err.count("\n") == 1, err
    return err


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
async def test_failure_is_one_line_and_exit_2(
    case: dict[str, Any],
    clean_env: Path,
    busy_port: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The case's message, alone on one line of stderr; exit 2; nothing on stdout; no org data written."""
    out = clean_env / "defs"
    for name, value in (case.get("env") or {}).items():
        monkeypatch.setenv(name, _fill(str(value), busy_port, out))
    code = main([_fill(arg, busy_port, out) for arg in case["argv"]])
    captured = capsys.readouterr()
    assert code == 2
    assert _fill(case["says"], busy_port, out) in _one_line(captured.err)
    assert captured.out == ""
    assert not (clean_env / ".data").exists()  # the embedded org never started
    assert not out.exists()


@pytest.mark.parametrize(
    ("argv", "usage"),
    [
        (["serve", "--bogus"], "usage: python -m service serve "),
        (["org", "serve", "--bogus"], "usage: python -m service org serve "),
        (["tools", "export", "--out", "x", "--bogus"], "usage: python -m service tools export "),
        (["soql", "check", "SELECT Id FROM Lead", "--bogus"], "usage: python -m service soql check "),
    ],
)
async def test_unknown_flag_shows_the_sub_commands_usage(
    argv: list[str], usage: str, clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown flag is reported with the usage of the sub-command it was given to, exit 2."""
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert err.startswith(usage)
    assert "unrecognized arguments: --bogus" in err


def _subprocess(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(_OWN_ENV)}
    base.update({"PYTHONPATH": str(REPO), **env})
    return subprocess.run(
        [sys.executable, "-m", "service", *args], cwd=cwd, env=base, capture_output=True, text=True, timeout=60
    )


async def test_bad_setting_in_a_real_process(tmp_path: Path) -> None:
    """`SOQL_MAX_LIMIT=abc python -m service serve`: one line naming the variable, exit 2."""
    proc = _subprocess(["serve"], {"SOQL_MAX_LIMIT": "abc"}, tmp_path)
    assert proc.returncode == 2
    assert _one_line(proc.stderr) == (
        "python -m service serve: SOQL_MAX_LIMIT must be a valid integer (got 'abc'): "
        "fix it in the environment or .env\n"
    )
    assert proc.stdout == ""


async def test_busy_port_in_a_real_process(tmp_path: Path, busy_port: int) -> None:
    """`serve` on a busy port: one line before any banner or generated secret, exit 2."""
    proc = _subprocess(["serve", "--port", str(busy_port)], {}, tmp_path)
    assert proc.returncode == 2
    assert f"cannot listen on 127.0.0.1:{busy_port}" in _one_line(proc.stderr)
    assert proc.stdout == ""
    assert not (tmp_path / ".data").exists()
