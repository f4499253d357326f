"""`python -m service serve`: refuses without a secret off loopback; on the embedded org it prints
both URLs, a generated secret and curl examples, and the printed secret works."""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest

from service.commands.serve import run
from service.settings import get_settings

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_refuses_without_secret_off_loopback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No WEBHOOK_SECRET and a public bind address: exit 2 with the reason, nothing started."""
    monkeypatch.chdir(tmp_path)
    for name in ("WEBHOOK_SECRET", "SF_DOMAIN", "SF_CLIENT_ID", "SF_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    try:
        code = run(argparse.Namespace(host="0.0.0.0", port=0, org_port=0))
    finally:
        get_settings.cache_clear()
    assert code == 2
    assert "WEBHOOK_SECRET" in capsys.readouterr().err


@pytest.mark.slow
def test_embedded_serve_prints_urls_secret_and_curl(tmp_path: Path) -> None:
    """With nothing set: embedded org + gateway on loopback; the printed secret authenticates."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SF_", "WEBHOOK_", "ORG_", "GATEWAY_"))}
    env.update({"ORG_DATA_DIR": str(tmp_path / "org"), "PYTHONPATH": str(REPO), "LOG_LEVEL": "WARNING"})
    proc = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--port", str(port), "--org-port", "0"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        end = time.monotonic() + 60
        while time.monotonic() < end and sum("curl" in line for line in lines) < 3:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
        text = "".join(lines)
        assert f"http://127.0.0.1:{port}" in text and "embedded org:" in text
        secret = re.search(r"webhook secret \(generated for this run\): (\S+)", text)
        assert secret is not None
        assert text.count("curl") == 3
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx2.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx2.TransportError:
                time.sleep(0.1)
        r = httpx2.get(
            f"{base}/tools/salesforce_search_records",
            params={"q": "SELECT Id, Name FROM Account LIMIT 2"},
            headers={"X-Webhook-Secret": secret.group(1)},
        )
        assert r.status_code == 200 and r.json()["count"] == 2
    finally:
        proc.terminate()
        proc.wait(timeout=20)
