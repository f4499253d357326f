"""The HTML call report, opened in a real headless Chromium as a sales team member would."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from service.runner.report import write_report
from service.runner.run import run_persona
from service.runner.stack import Stack

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


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (scripts/install-test-deps installs it)")
        pytest.skip("chromium is not installed: apt-get install -y chromium")
    return path


async def test_report_page_renders_checks_transcript_and_records(stack: Stack, tmp_path: Path) -> None:
    """Chromium renders the report: verdict, every check, the transcript and the created Lead are on the page."""
    browser = _chromium()
    executor = stack.executor()
    try:
        record = await run_persona("new-prospect", executor, tag="b")
    finally:
        await executor.aclose()
    _, html_path = write_report(record, tmp_path)
    profile = tmp_path / "profile"
    dom = (
        await asyncio.to_thread(
            subprocess.run,
            [browser, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", html_path.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
        )
    ).stdout
    assert "Call: new-prospect" in dom and ">PASS<" in dom
    for check in record.checks:
        assert check.name in dom
    assert "Priya" in dom and "salesforce_create_record" in dom and "Brightwave Analytics" in dom
    shot = tmp_path / "report.png"
    await asyncio.to_thread(
        subprocess.run,
        [
            browser,
            *FLAGS,
            f"--user-data-dir={profile}",
            "--window-size=1100,1400",
            f"--screenshot={shot}",
            html_path.as_uri(),
        ],
        capture_output=True,
        timeout=120,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
