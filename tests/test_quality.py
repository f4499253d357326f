"""Project-wide gates: lint and strict types stay clean, and the CLI tree loads."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import quality_gate

REPO = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    path = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed (pip install -e '.[dev]')")
        pytest.skip(f"{name} is not installed")
    return path


def test_ruff_is_clean():
    """`ruff check .` reports nothing."""
    result = subprocess.run([_tool("ruff"), "check", "."], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_mypy_strict_is_clean_on_the_package():
    """`mypy service benchmarks scripts` (strict, per pyproject.toml) reports nothing."""
    _tool("mypy")
    code, output = quality_gate.mypy_result()  # started in the background by tests/conftest.py
    assert code == 0, output


def test_cli_lists_every_command_group():
    """`python -m service --help` loads every command group without side effects."""
    result = subprocess.run(
        [sys.executable, "-m", "service", "--help"], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    for group in ("soql", "org", "serve", "tools", "agent", "call", "calls", "agent-server"):
        assert f"    {group}" in result.stdout


def test_cli_without_a_command_prints_help_and_exits_2():
    """A bare `python -m service` explains itself instead of doing something."""
    result = subprocess.run([sys.executable, "-m", "service"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "usage:" in result.stdout
