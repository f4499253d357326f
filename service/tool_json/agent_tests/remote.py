"""Push, diff and run the tests in an ElevenLabs workspace through the official SDK.

Tests are matched by name. The bodies carry tool names where the API wants tool ids (see
`transcript`); `resolve_tool_ids` maps them onto the workspace's tools, found by name the way
`tools push` finds them, so `tools push` comes first. Comparison reuses `push.canonical` after
dropping what only an answer carries (`id`, `access_info`), so the platform filling unset fields
with nulls is not drift.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from typing import Any, Literal

from service.errors import ConfigError
from service.tool_json.agent_tests.transcript import TOOL_NAMES
from service.tool_json.agent_tests.validate import validate_test
from service.tool_json.push import canonical, deployed_tools, diff_one, sdk_call

Action = Literal["created", "updated", "unchanged"]
_ANSWER_ONLY = ("id", "access_info")


@dataclass(frozen=True)
class TestPush:
    name: str
    action: Action
    test_id: str


@dataclass(frozen=True)
class TestDiff:
    name: str
    status: Literal["same", "drift", "missing"]
    text: str


@dataclass(frozen=True)
class TestRun:
    name: str
    status: str  # passed | failed | cancelled | pending (timed out)
    summary: str


def tool_ids(client: Any) -> dict[str, str]:
    """Our three tools' workspace ids by name; `ConfigError` when one is not deployed."""
    deployed = deployed_tools(client)
    missing = [name for name in TOOL_NAMES if name not in deployed]
    if missing:
        raise ConfigError(f"tool(s) {', '.join(missing)} are not in the workspace: run `tools push` first")
    return {name: deployed[name][0] for name in TOOL_NAMES}


def resolve_tool_ids(body: dict[str, Any], ids: dict[str, str]) -> dict[str, Any]:
    """A copy of `body` with tool names replaced by workspace ids wherever the API wants an id."""
    out = copy.deepcopy(body)
    ref = (out.get("tool_call_parameters") or {}).get("referenced_tool")
    if ref and ref.get("id") in ids:
        ref["id"] = ids[ref["id"]]
    config = out.get("tool_mock_config")
    if config and config.get("mocked_tool_ids"):
        config["mocked_tool_ids"] = [ids.get(t, t) for t in config["mocked_tool_ids"]]
    if out.get("tool_mock_overrides"):
        out["tool_mock_overrides"] = {ids.get(t, t): m for t, m in out["tool_mock_overrides"].items()}
    return out


def deployed_tests(client: Any) -> dict[str, str]:
    """Every test in the workspace: name → id (first one wins on duplicates)."""
    found: dict[str, str] = {}
    cursor: str | None = None
    while True:
        page = sdk_call("listing tests", client.conversational_ai.tests.list, page_size=100, cursor=cursor)
        for test in page.tests:
            if test.type != "folder":
                found.setdefault(test.name, test.id)
        if not page.has_more or not page.next_cursor:
            return found
        cursor = page.next_cursor


def _deployed_body(client: Any, test_id: str, name: str) -> dict[str, Any]:
    test = sdk_call(f"reading test {name}", client.conversational_ai.tests.get, test_id)
    data = test.model_dump(mode="json", by_alias=True, exclude_none=True)
    return {k: v for k, v in data.items() if k not in _ANSWER_ONLY}


def _compare(name: str, deployed: dict[str, Any], body: dict[str, Any]) -> TestDiff:
    dep, gen = canonical(deployed, body)
    if dep == gen:
        return TestDiff(name, "same", "")
    return TestDiff(name, "drift", diff_one(name, deployed, body).text)


def diff(client: Any, bodies: list[dict[str, Any]]) -> list[TestDiff]:
    """One `TestDiff` per body, deployed → generated."""
    ids = tool_ids(client)
    deployed = deployed_tests(client)
    out = []
    for body in bodies:
        name = body["name"]
        if name not in deployed:
            out.append(TestDiff(name, "missing", f"{name}: not deployed\n"))
            continue
        out.append(_compare(name, _deployed_body(client, deployed[name], name), resolve_tool_ids(body, ids)))
    return out


def _request(body: dict[str, Any], update: bool) -> Any:
    from elevenlabs.conversational_ai.tests import types

    kind = {"llm": "Llm", "tool": "Tool", "simulation": "Simulation"}[body["type"]]
    model = getattr(types, f"Tests{'Update' if update else 'Create'}RequestBody_{kind}")
    return model.model_validate(body)


def push(client: Any, bodies: list[dict[str, Any]]) -> list[TestPush]:
    """Create missing tests and update drifted ones (by name); everything is validated first."""
    for body in bodies:
        validate_test(body)
    ids = tool_ids(client)
    deployed = deployed_tests(client)
    tests = client.conversational_ai.tests
    out = []
    for body in bodies:
        name, resolved = body["name"], resolve_tool_ids(body, ids)
        test_id = deployed.get(name)
        if test_id is None:
            created = sdk_call(f"creating test {name}", tests.create, request=_request(resolved, update=False))
            out.append(TestPush(name, "created", created.id))
        elif _compare(name, _deployed_body(client, test_id, name), resolved).status == "same":
            out.append(TestPush(name, "unchanged", test_id))
        else:
            sdk_call(f"updating test {name}", tests.update, test_id, request=_request(resolved, update=True))
            out.append(TestPush(name, "updated", test_id))
    return out


def _summary(run: Any) -> str:
    result = run.condition_result
    rationale = result.rationale if result is not None else None
    if rationale is not None and rationale.summary:
        return str(rationale.summary)
    if rationale is not None and rationale.messages:
        return "; ".join(rationale.messages)
    return ""


def run(client: Any, agent_id: str, names: list[str], *, timeout: float = 600.0, poll: float = 2.0) -> list[TestRun]:
    """Run the named tests on `agent_id` and wait for every result (at most `timeout` seconds)."""
    from elevenlabs import SingleTestRunRequestModel

    deployed = deployed_tests(client)
    missing = [n for n in names if n not in deployed]
    if missing:
        raise ConfigError(f"test(s) not in the workspace: {', '.join(missing)}; run `tests push` first")
    by_id = {deployed[n]: n for n in names}
    invocation = sdk_call(
        f"running tests on agent {agent_id}",
        client.conversational_ai.agents.run_tests,
        agent_id,
        tests=[SingleTestRunRequestModel(test_id=deployed[n]) for n in names],
    )
    deadline, wait = time.monotonic() + timeout, 0.25
    while any(r.status == "pending" for r in invocation.test_runs) and time.monotonic() < deadline:
        time.sleep(min(wait, max(0.0, deadline - time.monotonic())))
        wait = min(wait * 2, poll)
        invocation = sdk_call("reading the test run", client.conversational_ai.tests.invocations.get, invocation.id)
    return [
        TestRun(r.test_name or by_id.get(r.test_id, r.test_id), str(r.status), _summary(r))
        for r in invocation.test_runs
    ]
