"""`python -m service agent-server` serves the protocol on the embedded stack for the official Python SDK."""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from sdk_helpers import python_sdk_call

from service.runner.callers import load_persona

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_agent_server_command_holds_a_call(tmp_path: Path) -> None:
    """The command starts org + gateway + agent server; an SDK call ends with end_call; SIGTERM stops it."""
    port = _free_port()
    env = {**os.environ, "ORG_DATA_DIR": str(tmp_path / "org"), "REPORTS_DIR": str(tmp_path)}
    env.pop("WEBHOOK_SECRET", None)
    log = tmp_path / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "service", "agent-server", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        for _ in range(300):
            if "agent server: ws://127.0.0.1:" in log.read_text() or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert "agent server: ws://127.0.0.1:" in log.read_text(), log.read_text()
        voice_installed = all(importlib.util.find_spec(m) for m in ("pocketsphinx", "webrtcvad")) and shutil.which(
            "flite"
        )
        expected = "audio sessions: on (pcm_16000)" if voice_installed else "audio sessions: off"
        assert expected in log.read_text(), log.read_text()
        for _ in range(100):  # the banner is printed just before uvicorn binds
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        result = python_sdk_call(f"http://127.0.0.1:{port}", load_persona("new-prospect"))
        assert result["disconnect"] is not None and result["disconnect"].reason == "agent"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
