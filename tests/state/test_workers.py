"""`serve --workers N`: more than one process only with the shared store."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


async def test_workers_without_redis_url_are_refused_in_one_line(tmp_path: Path) -> None:
    """--workers 2 without REDIS_URL: exit 2 and one line naming REDIS_URL, before anything starts."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | {"ORG_DATA_DIR": str(tmp_path / "org")}
    proc = await asyncio.create_subprocess_exec(
        *[sys.executable, "-m", "service", "serve", "--workers", "2", "--port", "0"],
        cwd=REPO,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 2
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1 and "REDIS_URL" in lines[0] and "--workers 2" in lines[0]
    assert not os.path.exists(tmp_path / "org")  # noqa: ASYNC240 - the embedded org was never started
