"""The test side of `driver.mjs`: a headless system Chromium driven by playwright-core over a JSON-lines pipe."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import shutil
import subprocess
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest
from fastapi import FastAPI

from service.runner.stack import ServerThread, Stack

REPO = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("driver.mjs")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def console_web() -> Path:
    return REPO / "service" / "console" / "web"


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def require_browser() -> None:
    """Skip (fail in CI) without node, Chromium and the console's npm packages (scripts/install-test-deps)."""
    missing = [
        what
        for what, ok in (
            ("node", shutil.which("node") is not None),
            ("chromium", chromium_path() is not None),
            ("playwright-core", (console_web() / "node_modules" / "playwright-core").is_dir()),
        )
        if not ok
    ]
    if missing:
        message = f"needs {', '.join(missing)}: bash scripts/install-test-deps"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


class Console:
    """The running console: its URL, the stack behind it and the app (for its call book)."""

    def __init__(self, stack: Stack, server: ServerThread, app: FastAPI) -> None:
        self.stack, self.server, self.app = stack, server, app
        self.url = server.url


class Browser:
    """One Chromium (a persistent context with `flags`); `call(op, **kw)` runs one driver op."""

    def __init__(self, web: Path, profile: Path, extra_flags: list[str] | None = None) -> None:
        self.web, self.profile = web, profile
        self.flags = [*FLAGS, *(extra_flags or [])]
        self._ids = itertools.count(1)
        self._proc: subprocess.Popen[str] | None = None
        self._lock = asyncio.Lock()

    def __enter__(self) -> Browser:
        env = {**os.environ, "CONSOLE_WEB": str(self.web), "CHROMIUM": chromium_path() or "/usr/bin/chromium"}
        self._proc = subprocess.Popen(
            ["node", str(DRIVER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )
        self._sync("launch", args=self.flags, userDataDir=str(self.profile))
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._proc is None:
            return
        try:
            self._sync("close")
            self._proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired, RuntimeError):
            self._proc.kill()
            self._proc.wait()
        self._proc = None

    def _sync(self, op: str, **params: Any) -> Any:
        assert self._proc is not None and self._proc.stdin is not None and self._proc.stdout is not None
        ident = next(self._ids)
        self._proc.stdin.write(json.dumps({"id": ident, "op": op, **params}) + "\n")
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the browser driver exited during {op}")
        reply = json.loads(line)
        if not reply["ok"]:
            raise RuntimeError(f"{op} failed: {reply['error']}")
        return reply["value"]

    async def call(self, op: str, **params: Any) -> Any:
        """Run one op off the event loop (the console server runs in its own thread)."""
        async with self._lock:
            return await asyncio.to_thread(self._sync, op, **params)
