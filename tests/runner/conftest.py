"""Runner fixtures: the committed tool definitions and an executor wired to the fake gateway."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from runner_fake_gateway import executor_for, fake_gateway

from service.runner.stack import Stack
from service.runner.webhooks import WebhookExecutor

REPO = Path(__file__).resolve().parents[2]
SECRET = "test-secret"


@pytest.fixture
def tools_dir() -> Path:
    return REPO / "tool_definitions"


@pytest.fixture
def fake_app() -> FastAPI:
    return fake_gateway(SECRET)


@pytest.fixture
async def fake_executor(fake_app: FastAPI, tools_dir: Path) -> AsyncIterator[WebhookExecutor]:
    executor = executor_for(fake_app, tools_dir, SECRET)
    yield executor
    await executor.aclose()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The embedded org (demo data) + the real gateway, on loopback, shared by a module's tests."""
    with Stack(data_dir=tmp_path_factory.mktemp("org")) as running:
        yield running
