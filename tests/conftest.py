"""Shared fixtures for the whole suite.

* `embedded_org` — a running embedded Salesforce org (`service.org.server.OrgServer`) on a loopback
  ephemeral port, over plain HTTP, with its own copy of the seeded demo data in `tmp_path`.
  Use `.url` (instance URL), `.token_url`, `.client_id`, `.client_secret`, `.stats()` (the
  `/_org/stats` counters: `token_requests`, `api_requests`, `records` per object), `.get_token()`,
  and `.state` to change behaviour live: `org.state.sessions.timeout = 0.5`,
  `org.state.sessions.expire_all()`, `org.state.limits.limit = 3`, `org.state.config.latency_ms = 50`.
  Cheap: the demo data is seeded once per session and the SQLite file copied per test.
* `module_embedded_org` — one such org shared by a module's tests, for modules whose tests write nothing (or
  only records no other test of the module looks at): a module overrides `embedded_org` with it.
* `embedded_org_tls` — the same over HTTPS; `.ca_path` is the local CA (pass it as `verify=`).
* `make_embedded_org(**params)` — start more orgs with `OrgServer` keyword arguments
  (`session_timeout`, `daily_api_limit`, `latency_ms`, `tls`, `faults`, `seed_if_empty`, ...);
  each gets its own seeded copy and is stopped after the test.
* `shared_dir` — `../shared` next to the repository; skips the test when it is absent.

Hooks: the strict type check of `tests/test_quality.py` runs in the background (see `tests/quality_gate.py`).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def pytest_collection_finish(session: pytest.Session) -> None:
    """Plan when the type check of `tests/test_quality.py` starts, if it is selected (see `tests/quality_gate.py`)."""
    import quality_gate

    quality_gate.start_index = quality_gate.plan([item.nodeid for item in session.items])


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Start the selected type check in the background at its planned test."""
    import quality_gate

    if quality_gate.start_index is not None and item is item.session.items[quality_gate.start_index]:
        quality_gate.start_mypy()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A background type check nobody waited for (a stopped or failed run) ends with the session."""
    import quality_gate

    quality_gate.stop()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """`../shared` (reference material); skips when it is not there."""
    path = REPO_ROOT.parent / "shared"
    if not path.is_dir():
        pytest.skip("../shared is not available")
    return path


@pytest.fixture(scope="session")
def _seeded_org_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from service.org.seed import seed_store
    from service.org.store import Store
    from service.schema import builtin_schema

    template = tmp_path_factory.mktemp("org-template")
    store = Store(template, builtin_schema())
    seed_store(store, seed=42)
    store.close()
    return template


@pytest.fixture
def make_embedded_org(
    _seeded_org_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., Any]]:
    """Factory: `make_embedded_org(**OrgServer kwargs)` → a started org with seeded data."""
    from service.org.server import OrgServer
    from service.org.store import DB_NAME

    started: list[OrgServer] = []

    def make(**params: Any) -> OrgServer:
        data_dir = params.pop("data_dir", None) or tmp_path_factory.mktemp("org")
        if not (Path(data_dir) / DB_NAME).exists():
            shutil.copy(_seeded_org_template / DB_NAME, Path(data_dir) / DB_NAME)
        server = OrgServer(data_dir=data_dir, **params)
        started.append(server)
        return server.start()

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def embedded_org(make_embedded_org: Callable[..., Any]) -> Any:
    """A running embedded org over HTTP on 127.0.0.1:<ephemeral>, seeded demo data."""
    return make_embedded_org()


@pytest.fixture
def embedded_org_tls(make_embedded_org: Callable[..., Any]) -> Any:
    """A running embedded org over HTTPS; `.ca_path` is the CA certificate to trust."""
    return make_embedded_org(tls=True)


@pytest.fixture(scope="module")
def module_embedded_org(_seeded_org_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One running embedded org (seeded copy) for a whole module; stopped after its last test."""
    from service.org.server import OrgServer
    from service.org.store import DB_NAME

    data_dir = tmp_path_factory.mktemp("module-org")
    shutil.copy(_seeded_org_template / DB_NAME, data_dir / DB_NAME)
    server = OrgServer(data_dir=data_dir).start()
    yield server
    server.stop()
