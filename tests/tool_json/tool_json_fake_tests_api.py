"""The agent-testing half of the ElevenLabs fake: tests, test runs and their invocations.

`POST /v1/convai/agent-testing/create`, `GET /v1/convai/agent-testing` (paginated summaries),
`GET/PUT/DELETE /v1/convai/agent-testing/{id}`, `POST /v1/convai/agents/{agent_id}/run-tests` and
`GET /v1/convai/test-invocations/{id}`, as the API reference documents them. Like the real API it
refuses tool ids that are not in the workspace, answers with every field filled in (nulls for unset
ones, `access_info`), and runs are `pending` at first and settle when read again.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

Answer = tuple[int, Any]
_KINDS = ("llm", "tool", "simulation")


def _unset_fields(kind: str) -> list[str]:
    from elevenlabs.conversational_ai.tests import types

    model = getattr(types, f"TestsGetResponse_{kind.capitalize()}")
    return list(model.model_fields)


def _invalid(loc: list[str], msg: str) -> Answer:
    return 422, {"detail": [{"loc": ["body", *loc], "msg": msg, "type": "value_error"}]}


@dataclass
class FakeTestsApi:
    """Tests by id, invocations by id, which agents exist, and the verdict each test name gets."""

    tool_ids: dict[str, Any]  # the tools fake's own dict: tool ids must exist there
    tests: dict[str, dict[str, Any]] = field(default_factory=dict)
    invocations: dict[str, dict[str, Any]] = field(default_factory=dict)
    agents: set[str] = field(default_factory=lambda: {"agent_test_0001"})
    verdicts: dict[str, tuple[str, str]] = field(default_factory=dict)  # name → (status, summary)
    page_size_cap: int = 5
    clock: int = 1_767_225_600

    def _tick(self) -> int:
        self.clock += 1
        return self.clock

    def _check(self, body: Any) -> Answer | None:
        if not isinstance(body, dict) or body.get("type") not in _KINDS:
            return _invalid(["type"], f"type must be one of {list(_KINDS)}")
        if not str(body.get("name") or "").strip():
            return _invalid(["name"], "Field required")
        ref = (body.get("tool_call_parameters") or {}).get("referenced_tool")
        used = [ref["id"]] if ref else []
        used += (body.get("tool_mock_config") or {}).get("mocked_tool_ids") or []
        used += list(body.get("tool_mock_overrides") or {})
        unknown = [t for t in used if t not in self.tool_ids]
        if unknown:
            return 404, {"detail": {"status": "tool_not_found", "message": f"Tool(s) not found: {unknown}"}}
        return None

    def answer(self, test_id: str) -> dict[str, Any]:
        stored = self.tests[test_id]
        out: dict[str, Any] = {name: None for name in _unset_fields(stored["body"]["type"])}
        out.update(copy.deepcopy(stored["body"]))
        out["id"] = test_id
        out["access_info"] = {
            "is_creator": True,
            "creator_name": "Test",
            "creator_email": "t@example.com",
            "role": "admin",
        }
        return out

    def _summary(self, test_id: str) -> dict[str, Any]:
        stored = self.tests[test_id]
        return {
            "id": test_id,
            "name": stored["body"]["name"],
            "type": stored["body"]["type"],
            "entity_type": "test",
            "created_at_unix_secs": stored["created"],
            "last_updated_at_unix_secs": stored["updated"],
        }

    def _runs(self, invocation: dict[str, Any]) -> dict[str, Any]:
        return copy.deepcopy(invocation)

    def _settle(self, invocation: dict[str, Any]) -> None:
        for run in invocation["test_runs"]:
            if run["status"] != "pending":
                continue
            status, summary = self.verdicts.get(run["test_name"], ("passed", "All conditions met."))
            run["status"] = status
            result = "success" if status == "passed" else "failure"
            run["condition_result"] = {"result": result, "rationale": {"summary": summary, "messages": [summary]}}
            run["last_updated_at_unix"] = self._tick()

    def _run_tests(self, agent_id: str, body: Any) -> Answer:
        if agent_id not in self.agents:
            return 404, {"detail": {"status": "agent_not_found", "message": "Agent not found"}}
        requested = (body or {}).get("tests") or []
        if not requested:
            return _invalid(["tests"], "List should have at least 1 item")
        missing = [t.get("test_id") for t in requested if t.get("test_id") not in self.tests]
        if missing:
            return 404, {"detail": {"status": "test_not_found", "message": f"Test(s) not found: {missing}"}}
        invocation_id = f"inv_{len(self.invocations) + 1:04d}"
        runs = [
            {
                "test_run_id": f"run_{invocation_id}_{i:03d}",
                "test_invocation_id": invocation_id,
                "agent_id": agent_id,
                "status": "pending",
                "test_id": t["test_id"],
                "test_name": self.tests[t["test_id"]]["body"]["name"],
                "agent_responses": [],
                "condition_result": None,
            }
            for i, t in enumerate(requested, 1)
        ]
        self.invocations[invocation_id] = {
            "id": invocation_id,
            "agent_id": agent_id,
            "created_at": self._tick(),
            "test_runs": runs,
        }
        return 200, self._runs(self.invocations[invocation_id])

    def route(self, method: str, segments: list[str], query: dict[str, list[str]], body: Any) -> Answer | None:
        """The answer for an agent-testing path, or None when the path is not one of these."""
        if segments[:3] == ["v1", "convai", "agents"] and len(segments) == 5 and segments[4] == "run-tests":
            return self._run_tests(segments[3], body) if method == "POST" else (405, {"detail": "Method Not Allowed"})
        if segments[:3] == ["v1", "convai", "test-invocations"] and len(segments) == 4 and method == "GET":
            invocation = self.invocations.get(segments[3])
            if invocation is None:
                return 404, {"detail": {"status": "test_invocation_not_found", "message": "Not found"}}
            answer = self._runs(invocation)
            self._settle(invocation)  # pending on the first read after the run, settled on the next
            return 200, answer
        if segments[:3] != ["v1", "convai", "agent-testing"] or len(segments) > 4:
            return None
        rest = segments[3] if len(segments) == 4 else None
        if rest == "create" and method == "POST":
            problem = self._check(body)
            if problem is not None:
                return problem
            test_id = f"test_{len(self.tests) + 1:04d}"
            now = self._tick()
            self.tests[test_id] = {"body": copy.deepcopy(body), "created": now, "updated": now}
            return 200, {"id": test_id}
        if rest is None and method == "GET":
            ids = sorted(self.tests)
            search = query.get("search", [""])[0].lower()
            ids = [i for i in ids if search in self.tests[i]["body"]["name"].lower()]
            start = int(query.get("cursor", ["0"])[0])
            size = min(int(query.get("page_size", ["30"])[0]), self.page_size_cap)
            more = start + size < len(ids)
            page = [self._summary(i) for i in ids[start : start + size]]
            return 200, {"tests": page, "has_more": more, "next_cursor": str(start + size) if more else None}
        if rest is None or rest not in self.tests:
            return 404, {"detail": {"status": "test_not_found", "message": "Test not found"}}
        if method == "GET":
            return 200, self.answer(rest)
        if method == "PUT":
            problem = self._check(body)
            if problem is not None:
                return problem
            self.tests[rest].update(body=copy.deepcopy(body), updated=self._tick())
            return 200, self.answer(rest)
        if method == "DELETE":
            del self.tests[rest]
            return 200, {}
        return 405, {"detail": "Method Not Allowed"}
