"""The fault drill: one fault × one tool through the real gateway against a faulted embedded org.

Both servers are real uvicorn servers on loopback (ephemeral ports); each cell gets a fresh org
(a copy of one seeded SQLite file), a fresh gateway and its own `Faults`. A cell is green when the
tool answered a correct result or a speakable error (`{"error": {"code", "message"}}`, not a 500)
within the budget, and — for creates — the org ends with exactly one record for the request,
whose id is the one every answer named (no duplicate, nothing lost), after an identical repeat of
the call once the fault is gone.

Used by `tests/faults/test_drills.py` (a reduced matrix) and `python -m benchmarks.faults` (all).
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
from pydantic import SecretStr

from service.org.faults import Faults
from service.org.server import OrgServer
from service.org.store import DB_NAME

SECRET = secrets.token_urlsafe(24)  # per process: the drills start their own gateways
REPEATS = 3
LATE_KINDS = frozenset({"delay", "slow_commit", "slow_response", "token_slow"})
TOOLS = ("search", "get", "create_lead", "create_case")
READS = ("search", "get")
# The org request each tool depends on (the get tool reads with one SOQL query).
TOOL_SCOPE = {"search": "query", "get": "query", "create_lead": "create", "create_case": "create"}
# Servers start one at a time: building FastAPI/pydantic schemas in several threads at once is not thread-safe
# (cells may run concurrently, as tests/faults/test_drills.py does).
_STARTING = threading.Lock()


@dataclass(frozen=True)
class Scenario:
    """A fault to inject: `kind` (None = no fault), uses, and its delay relative to the budgets."""

    name: str
    kind: str | None
    times: int | None = 1
    status: int = 503
    token: bool = False  # kill the gateway's session first, so the call must fetch a new token
    recovers: tuple[str, ...] = ()  # tools that must hide this one-off fault (answer a correct result)
    delay: Callable[[float, float], float] = lambda budget, attempt: 1.5 * budget


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("none", None, recovers=TOOLS),
    Scenario("token_5xx_once", "token_error", recovers=TOOLS, token=True),
    Scenario("token_5xx", "token_error", times=None, token=True),
    Scenario("token_slow", "token_slow", times=None, token=True),
    Scenario("token_refused_once", "token_refuse", recovers=TOOLS, token=True),
    Scenario("token_refused", "token_refuse", times=None, token=True),
    Scenario("session_expired_once", "session_expired", recovers=TOOLS),
    Scenario("session_expired", "session_expired", times=None),
    Scenario("503_once", "unavailable", recovers=TOOLS),
    Scenario("503", "unavailable", times=None),
    Scenario("limit_once", "limit_exceeded", recovers=TOOLS),
    Scenario("limit", "limit_exceeded", times=None),
    Scenario("delay_past_budget", "delay"),
    Scenario("delay_past_budget_always", "delay", times=None),
    Scenario("answer_past_budget", "slow_response"),
    Scenario("reset_once", "reset", recovers=READS),
    Scenario("reset", "reset", times=None),
    Scenario("reset_after_commit", "reset_after_commit", recovers=TOOLS),
    Scenario("reset_after_commit_always", "reset_after_commit", times=None),
    Scenario("slow_commit", "slow_commit", delay=lambda budget, attempt: 1.5 * attempt),
    Scenario("slow_commit_past_budget", "slow_commit"),
)
BY_NAME = {s.name: s for s in SCENARIOS}


@dataclass
class Cell:
    """The outcome of one fault × tool."""

    scenario: str
    tool: str
    status: int = 0
    outcome: str = ""
    latency: float = 0.0
    budget: float = 0.0
    records: int | None = None
    duplicated: bool = False
    lost: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def green(self) -> bool:
        """No problem found."""
        return not self.problems


@dataclass
class Known:
    """Seeded data the read tools look for."""

    account_id: str
    account_name: str


class Template:
    """One seeded org database, copied for every cell (seeding once keeps cells cheap)."""

    def __init__(self, workdir: Path | None = None) -> None:
        self.workdir = workdir
        self.dir = Path(tempfile.mkdtemp(prefix="drill-template-", dir=workdir))
        from service.org.seed import seed_store
        from service.org.store import Store
        from service.schema import builtin_schema

        store = Store(self.dir, builtin_schema())
        seed_store(store, seed=42)
        row = store.execute("SELECT Id, Name FROM Account WHERE Name IS NOT NULL ORDER BY Id LIMIT 1")[0]
        store.close()
        self.known = Known(str(row[0]), str(row[1]))

    def copy(self) -> Path:
        target = Path(tempfile.mkdtemp(prefix="drill-org-", dir=self.workdir))
        shutil.copy(self.dir / DB_NAME, target / DB_NAME)
        return target

    def cleanup(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def gateway_settings(org: OrgServer, budget: float, attempt_timeout: float) -> Any:
    from service.settings import Settings

    return Settings(
        _env_file=None,
        sf_domain=org.url,
        sf_client_id=org.client_id,
        sf_client_secret=SecretStr(org.client_secret),
        webhook_secret=SecretStr(SECRET),
        tool_timeout=budget,
        sf_timeout=attempt_timeout,
        sf_connect_timeout=min(1.0, attempt_timeout),
    )


def start_gateway(settings: Any) -> Any:
    """The gateway app under uvicorn on an ephemeral loopback port."""
    from service.app import create_app
    from service.runner.stack import ServerThread

    with _STARTING:
        return ServerThread(create_app(settings, configure_logs=False)).start()


def start_cell_org(template: Template, faults: Faults) -> OrgServer:
    """A fresh copy of the template org, with `faults`, on an ephemeral loopback port."""
    with _STARTING:
        return OrgServer(data_dir=template.copy(), faults=faults, seed_if_empty=False).start()


def _request(tool: str, known: Known, marker: str) -> tuple[str, str, dict[str, Any] | None, dict[str, Any]]:
    if tool == "search":
        soql = f"SELECT Id, Name FROM Account WHERE Name = '{known.account_name}'"
        return "GET", "/tools/salesforce_search_records", None, {"q": soql}
    if tool == "get":
        return "GET", f"/tools/salesforce_get_record/Account/{known.account_id}", None, {}
    if tool == "create_lead":
        body = {
            "FirstName": "Drill",
            "LastName": f"Lead {marker}",
            "Company": "Drill Co",
            "Email": f"drill.{marker}@example.com",
        }
        return "POST", "/tools/salesforce_create_record/Lead", body, {}
    body = {"Subject": f"Drill case {marker}", "Description": "Fault drill"}
    return "POST", "/tools/salesforce_create_record/Case", body, {}


def org_records(org: OrgServer, tool: str, marker: str) -> list[str]:
    """Ids of the records a create cell made, read straight from the org's SQLite file."""
    if tool == "create_lead":
        sql, value = 'SELECT Id FROM "Lead" WHERE Email = ?', f"drill.{marker}@example.com"
    else:
        sql, value = 'SELECT Id FROM "Case" WHERE Subject = ?', f"Drill case {marker}"
    return [str(r[0]) for r in org.state.store.execute(sql, (value,))]


def check_answer(cell: Cell, tool: str, response: httpx2.Response, known: Known) -> dict[str, Any] | None:
    """Record the outcome; returns the JSON body of a 200."""
    cell.status = response.status_code
    try:
        body = response.json()
    except ValueError:
        cell.outcome = "not_json"
        cell.problems.append(f"HTTP {response.status_code} answer is not JSON")
        return None
    if response.status_code == 200:
        cell.outcome = "ok"
        if tool == "search" and not any(r.get("Name") == known.account_name for r in body.get("records", [])):
            cell.problems.append("search result lacks the known account")
        if tool == "get" and known.account_name not in str(body.get("record", {}).get("Name", "")):
            cell.problems.append("get result is not the known account")
        if tool.startswith("create") and not body.get("id"):
            cell.problems.append("create answer has no id")
        return dict(body)
    error = body.get("error") if isinstance(body, dict) else None
    if not (isinstance(error, dict) and isinstance(error.get("code"), str) and error.get("message")):
        cell.outcome = "unspeakable"
        cell.problems.append(f"HTTP {response.status_code} without an error code and message")
        return None
    cell.outcome = f"error:{error['code']}"
    if response.status_code >= 500 and error["code"] == "internal":
        cell.problems.append(f"server error: {error['message']}")
    return None


@asynccontextmanager
async def running_stack(
    template: Template, faults: Faults, *, budget: float, attempt: float
) -> AsyncIterator[tuple[OrgServer, str]]:
    """A fresh org (with `faults`) and a gateway on it, both under uvicorn; yields (org, gateway URL)."""
    org = await asyncio.to_thread(start_cell_org, template, faults)
    try:
        gateway = await asyncio.to_thread(start_gateway, gateway_settings(org, budget, attempt))
        try:
            yield org, gateway.url
        finally:
            await asyncio.to_thread(gateway.stop)
    finally:
        await asyncio.to_thread(org.stop)
        shutil.rmtree(org.data_dir, ignore_errors=True)


async def run_cell(
    scenario: Scenario, tool: str, template: Template, *, budget: float = 2.0, attempt_timeout: float | None = None
) -> Cell:
    """Run one fault × tool and judge it (see the module docstring)."""
    attempt = attempt_timeout if attempt_timeout is not None else budget * 0.5
    cell = Cell(scenario.name, tool, budget=budget)
    faults = Faults()
    marker = uuid.uuid4().hex[:12]
    method, path, body, params = _request(tool, template.known, marker)
    headers = {"X-Webhook-Secret": SECRET, "X-Conversation-Id": f"drill-{marker}"}
    delay = scenario.delay(budget, attempt)
    async with (
        running_stack(template, faults, budget=budget, attempt=attempt) as (org, url),
        httpx2.AsyncClient(base_url=url, headers=headers, timeout=budget * 3 + delay) as client,
    ):
        if scenario.kind is not None:
            scope = "token" if scenario.token else TOOL_SCOPE[tool]
            faults.add(scenario.kind, scope=scope, times=scenario.times, delay=delay, status=scenario.status)
        if scenario.token:
            org.state.sessions.expire_all()
        started = time.monotonic()
        try:
            response = await client.request(method, path, json=body, params=params)
        except httpx2.HTTPError as exc:
            cell.outcome = f"no_answer:{type(exc).__name__}"
            cell.problems.append(f"the gateway did not answer ({type(exc).__name__})")
            return cell
        cell.latency = time.monotonic() - started
        if cell.latency > budget + 1.0:
            cell.problems.append(f"answered after {cell.latency:.2f}s, budget {budget:.2f}s")
        first = check_answer(cell, tool, response, template.known)
        if tool in scenario.recovers and response.status_code != 200:
            cell.problems.append(f"a one-off {scenario.kind} fault was not hidden: {response.text[:160]}")
        # Let late commits land (and the org's delayed handlers finish) before counting.
        if scenario.kind in LATE_KINDS:
            await asyncio.sleep(max(0.0, started + delay + 0.3 - time.monotonic()))
        faults.clear()
        if tool.startswith("create"):
            await _check_records(cell, client, org, tool, marker, first, (method, path, body, params))
    return cell


async def _check_records(
    cell: Cell,
    client: httpx2.AsyncClient,
    org: OrgServer,
    tool: str,
    marker: str,
    first: dict[str, Any] | None,
    call: tuple[str, str, Any, Any],
) -> None:
    before = org_records(org, tool, marker)
    if len(before) > 1:
        cell.duplicated = True
        cell.problems.append(f"{len(before)} records after one call")
    if first is not None and first.get("id") and first["id"] not in before:
        cell.lost = True
        cell.problems.append(f"answered id {first['id']} is not in the org ({before})")
    method, path, body, params = call
    for _ in range(REPEATS):  # the caller tries again until the gateway has recovered
        repeat = await client.request(method, path, json=body, params=params)
        if repeat.status_code == 200:
            break
        await asyncio.sleep(1.0)
    after = org_records(org, tool, marker)
    cell.records = len(after)
    if repeat.status_code != 200:
        cell.problems.append(
            f"{REPEATS} repeats after the fault failed, last HTTP {repeat.status_code}: {repeat.text[:120]}"
        )
    elif repeat.json().get("id") not in after:
        cell.lost = True
        cell.problems.append(f"the repeat answered id {repeat.json().get('id')}, the org has {after}")
    if len(after) > 1 and not cell.duplicated:
        cell.duplicated = True
        cell.problems.append(f"{len(after)} records after the repeat (committed record was created again)")
    if not after and repeat.status_code == 200:
        cell.lost = True
        cell.problems.append("no record after a successful repeat")
