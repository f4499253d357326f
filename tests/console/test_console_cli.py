"""`python -m service console` starts the embedded stack, prints the page's URL and serves the page offline."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import httpx2

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_console_command_prints_its_url_and_serves_the_page(tmp_path: Path) -> None:
    """One command: org + gateway + console; the printed URL serves the page, its bundle and the signed URL."""
    port = _free_port()
    env = {**os.environ, "ORG_DATA_DIR": str(tmp_path / "org"), "REPORTS_DIR": str(tmp_path / "reports")}
    env.pop("WEBHOOK_SECRET", None)
    log = tmp_path / "console.log"
    with log.open("w") as out:
        proc = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "service", "console", "--port", str(port), "--text-only"),
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        url, page = None, None
        async with httpx2.AsyncClient() as client:
            for _ in range(400):
                found = re.search(r"console: (http://127\.0\.0\.1:\d+/)", log.read_text())
                if found:
                    url = found.group(1)
                    try:
                        page = await client.get(url)
                        break
                    except httpx2.TransportError:  # printed just before uvicorn binds
                        pass
                assert proc.returncode is None, log.read_text()
                await asyncio.sleep(0.05)
            assert url == f"http://127.0.0.1:{port}/", log.read_text()
            bundle = await client.get(f"{url}static/console.js")
            signed = (await client.get(f"{url}v1/convai/conversation/get-signed-url")).json()["signed_url"]
        assert page is not None and page.status_code == 200 and '<div id="app" data-call-state="idle">' in page.text
        assert bundle.status_code == 200 and len(bundle.content) > 100_000
        assert signed.startswith(f"ws://127.0.0.1:{port}/v1/convai/conversation?agent_id=")
        assert "voice calls: off" in log.read_text()
    finally:
        proc.terminate()
        async with asyncio.timeout(20):
            await proc.wait()
