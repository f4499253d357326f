"""Fuzz: schemathesis drives the gateway (real uvicorn on loopback, embedded org behind it) with
cases generated from its own OpenAPI. No answer may be a 5xx, and every answer must match the
schema documented for its status."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, Phase, settings
from pydantic import SecretStr
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from service.app import create_app
from service.settings import Settings
from tests.tools.conftest import SECRET, gateway_settings

EXAMPLES_PER_TOOL = 350
CASES = {"count": 0}

schema = schemathesis.openapi.from_dict(
    create_app(Settings(_env_file=None, webhook_secret=SecretStr(SECRET))).openapi()  # type: ignore[call-arg]
)


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:
        return None


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run `app` with uvicorn on an ephemeral loopback port in a thread; yields its base URL."""
    server = _Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("gateway did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def gateway_url(embedded_org: Any) -> Iterator[str]:
    app = create_app(gateway_settings(embedded_org, tool_timeout=5.0), configure_logs=False)
    with serve(app) as url:
        yield url


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_TOOL,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_gateway_fuzz(case: Any, gateway_url: str) -> None:
    """No 5xx; status, content type and body conform to the OpenAPI."""
    CASES["count"] += 1
    case.call_and_validate(
        base_url=gateway_url,
        headers={"X-Webhook-Secret": SECRET},
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance],
        timeout=15,
    )


@pytest.mark.slow
def test_fuzz_ran_enough_cases() -> None:
    """The fuzz above sent at least 1000 generated cases (when it ran in this session)."""
    if CASES["count"] == 0:
        pytest.skip("the fuzz test did not run in this session")
    assert CASES["count"] >= 1000
