"""Console fixtures: one embedded stack + console server and one headless Chromium (driven by playwright-core
from `service/console/web/node_modules`) shared by a module's tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from console_browser import Browser, Console, console_web, require_browser

from service.console.app import create_console_app
from service.console.assets import bundle_missing
from service.runner.stack import ServerThread, Stack


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory, _seeded_org_template: Path) -> Iterator[Console]:
    """The embedded org + gateway + console (agent server included) on loopback, text-only agent."""
    if bundle_missing():
        pytest.fail(str(bundle_missing()))
    from service.org.store import DB_NAME

    data = tmp_path_factory.mktemp("console-org")
    shutil.copy(_seeded_org_template / DB_NAME, data / DB_NAME)
    with Stack(data_dir=data) as stack:
        app = create_console_app(
            stack.executor(),
            reports_dir=tmp_path_factory.mktemp("console-reports"),
            gateway_url=stack.gateway_url,
            ping_interval=1.0,
        )
        with ServerThread(app) as server:
            yield Console(stack, server, app)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """One headless Chromium for the module (a fresh profile)."""
    require_browser()
    with Browser(console_web(), tmp_path_factory.mktemp("chromium-profile")) as running:
        yield running
