"""The committed front-end bundle is what `npm run build` makes from the lockfile, and it ships in the package."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from service.console import assets

BUILT = ("console.js", "libsamplerate.worklet.js")
PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


async def test_the_committed_bundle_matches_a_fresh_build(tmp_path: Path) -> None:
    """`node build.mjs` from `service/console/web` (npm ci'd from its lockfile) reproduces static/ byte for byte."""
    if shutil.which("node") is None or not (assets.WEB_DIR / "node_modules" / "esbuild").is_dir():
        message = "needs node and `cd service/console/web && npm ci` (bash scripts/install-test-deps)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    done = await asyncio.to_thread(
        subprocess.run,
        ["node", "build.mjs", str(tmp_path)],
        cwd=assets.WEB_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    stale = [name for name in BUILT if (tmp_path / name).read_bytes() != (assets.STATIC_DIR / name).read_bytes()]
    assert not stale, f"rebuild and commit: cd service/console/web && npm run build ({stale} differ)"


async def test_the_page_and_bundle_are_package_data() -> None:
    """pyproject's package-data ships service/console/static/*, so `pip install .` serves the page offline."""
    text = await asyncio.to_thread(PYPROJECT.read_text)
    assert '"service.console" = ["static/*"]' in text
    assert all((assets.STATIC_DIR / name).is_file() for name in (*BUILT, "index.html", "console.css"))
    assert assets.bundle_missing() is None
