"""`python -m service soql check`: one JSON object, exit 0 for accept/repair and 1 for reject."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from service.commands import soql as soql_command

REPO_ROOT = Path(__file__).resolve().parents[2]


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    parser = argparse.ArgumentParser()
    soql_command.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    code = args.handler(args)
    return code, json.loads(capsys.readouterr().out)


def test_repair_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    """A repairable query prints the query that would run and the changes."""
    code, out = _run(["soql", "check", "SELECT Id, Email FROM Contact"], capsys)
    assert code == 0
    assert out == {
        "verdict": "repair",
        "query": "SELECT Id, Name, Email FROM Contact LIMIT 10",
        "changes": ["added Name", "added LIMIT 10"],
        "message": None,
        "suggested_query": None,
    }


def test_reject_exits_one(capsys: pytest.CaptureFixture[str]) -> None:
    """A refused query prints a message and exits 1."""
    code, out = _run(["soql", "check", "SELECT * FROM Contact"], capsys)
    assert code == 1 and out["verdict"] == "reject" and "name the fields" in out["message"]


def test_flags(capsys: pytest.CaptureFixture[str]) -> None:
    """--strict, --max-limit, --default-limit and --objects change the policy."""
    code, out = _run(["soql", "check", "SELECT Id, Name FROM Lead", "--default-limit", "7"], capsys)
    assert out["query"] == "SELECT Id, Name FROM Lead LIMIT 7"
    code, out = _run(["soql", "check", "SELECT Id, Name FROM Lead LIMIT 40", "--max-limit", "20"], capsys)
    assert out["changes"] == ["LIMIT 40 lowered to 20"]
    code, out = _run(["soql", "check", "SELECT Id, Name FROM Lead", "--strict"], capsys)
    assert code == 1 and out["suggested_query"] == "SELECT Id, Name FROM Lead LIMIT 10"
    code, out = _run(["soql", "check", "SELECT Id, Name FROM Lead LIMIT 5", "--objects", "Contact,Case"], capsys)
    assert code == 1 and "Case and Contact" in out["message"]


def test_query_from_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """QUERY `-` reads the query from standard input."""
    monkeypatch.setattr(sys, "stdin", io.StringIO("SELECT Id, Name FROM Contact LIMIT 5\n"))
    code, out = _run(["soql", "check", "-"], capsys)
    assert code == 0 and out["verdict"] == "accept"


def test_module_entry_point() -> None:
    """The real command line prints the same JSON."""
    result = subprocess.run(
        [sys.executable, "-m", "service", "soql", "check", "SELECT Id, CaseNumber FROM Case LIMIT 3"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["verdict"] == "accept"
