"""The strict type check as a background process (a uniquely named helper module of `tests/`).

`mypy service benchmarks scripts` costs ~40 s of one core while much of the suite waits on sockets and audio, so
when its test is selected `tests/conftest.py` starts it early and `tests/test_quality.py` waits for its verdict
(the test's duration then shows only the wait that is left). It starts at `start_index`: the first selected test
outside the real-time directories that comes after every selected browser test, so it never runs beside the
console's call played in real time (in a whole run: the first fault drill, minutes before tests/voice)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import IO

REPO = Path(__file__).resolve().parents[1]
MYPY_TEST = "tests/test_quality.py::test_mypy_strict_is_clean_on_the_package"
MYPY_ARGS = ("service", "benchmarks", "scripts")
REAL_TIME = ("tests/console/", "tests/voice/")  # calls played in real time: no extra CPU load beside them
BROWSER = "tests/console/"

_running: tuple[subprocess.Popen[bytes], IO[bytes]] | None = None
start_index: int | None = None  # where the selected type check starts (set after collection)
_started = False  # once per session: a finished check is not started again by a later test


def plan(nodeids: list[str]) -> int | None:
    """The index of the test to start the type check at, or None when it isn't selected (or nothing fits)."""
    if MYPY_TEST not in nodeids:
        return None
    after = max((i + 1 for i, nodeid in enumerate(nodeids) if nodeid.startswith(BROWSER)), default=0)
    return next((i for i in range(after, len(nodeids)) if not nodeids[i].startswith(REAL_TIME)), None)


def tool(name: str) -> str | None:
    """The venv's `name` executable, else one on PATH."""
    return shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)


def start_mypy() -> None:
    """Start the type check, once (output to a temp file: no pipe to fill)."""
    global _running, _started
    if _started or (path := tool("mypy")) is None:
        return
    _started = True
    out = tempfile.TemporaryFile()
    proc = subprocess.Popen([path, *MYPY_ARGS], cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
    _running = (proc, out)


def mypy_result(timeout: float = 280) -> tuple[int, str]:
    """The exit code and output of the type check (started now if it isn't running yet)."""
    global _started
    if _running is None:
        _started = False
        start_mypy()
    assert _running is not None
    proc, out = _running
    try:
        proc.wait(timeout=timeout)
        out.seek(0)
        return proc.returncode, out.read().decode(errors="replace")
    finally:
        stop()


def stop() -> None:
    """End a type check nobody waits for (the session is over) and drop its output."""
    global _running
    if _running is not None:
        proc, out = _running
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        out.close()
        _running = None
