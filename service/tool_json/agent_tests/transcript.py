"""A persona's run as the platform sees it: chat history turns and tool response mocks.

Tool ids are unknown until the tools exist in a workspace, so bodies carry the tool's *name* where
the API wants its id (`referenced_tool.id`, `mocked_tool_ids`, the keys of `tool_mock_overrides`);
`remote.resolve_tool_ids` swaps in the workspace's ids before anything is sent.

The org's answers are kept as they came, except that the run's random conversation id (the org
notes it in record descriptions) becomes `conv_<persona>`, and tool latencies are left out: both
change on every run and would show as drift between two exports of the same personas.
"""

from __future__ import annotations

import json
import re
from typing import Any

from service.runner.base import CREATE, GET, SEARCH
from service.runner.call_record import CallRecord, ToolEvent
from service.tool_json.agent_tests.expect import escape

TOOL_NAMES: tuple[str, ...] = (SEARCH, GET, CREATE)

# The quoted literals of a SOQL WHERE clause (what a search is *about*: an email, a company name).
_LITERAL = re.compile(r"'((?:[^'\\]|\\.)*)'")
_FROM = re.compile(r"\bFROM\s+(\w+)", re.IGNORECASE)


def stable_conversation_id(record: CallRecord) -> str:
    """The conversation id exported answers carry instead of the run's random one."""
    return f"conv_{record.persona}"


def result_text(record: CallRecord, event: ToolEvent) -> str:
    """What the agent saw from the tool, as the string a mock returns."""
    text = event.result if isinstance(event.result, str) else json.dumps(event.result, ensure_ascii=False)
    return text.replace(record.conversation_id, stable_conversation_id(record))


def _turn(role: str, message: str | None, at: float) -> dict[str, Any]:
    turn: dict[str, Any] = {"role": role, "time_in_call_secs": int(at)}
    if message is not None:
        turn["message"] = message
    return turn


def _attach(record: CallRecord, turn: dict[str, Any], events: list[tuple[int, ToolEvent]]) -> None:
    calls, results = [], []
    for index, event in events:
        request_id = f"call_{index + 1:03d}"
        calls.append(
            {
                "type": "webhook",
                "request_id": request_id,
                "tool_name": event.name,
                "params_as_json": json.dumps(event.params, ensure_ascii=False),
                "tool_has_been_called": True,
            }
        )
        results.append(
            {
                "type": "webhook",
                "request_id": request_id,
                "tool_name": event.name,
                "result_value": result_text(record, event),
                "is_error": not event.ok,
                "tool_has_been_called": True,
            }
        )
    if calls:
        turn["tool_calls"], turn["tool_results"] = calls, results


def chat_history(record: CallRecord, upto: int, before_tool: int | None = None) -> list[dict[str, Any]]:
    """The conversation up to line `upto` (exclusive), with each earlier tool call on the agent turn
    that made it; tool calls of the turn at `upto` that precede tool event `before_tool` go on one
    more agent turn without words (the agent already called them in the turn under test)."""
    limit = len(record.tools) if before_tool is None else before_tool
    tools = [(i, e) for i, e in enumerate(record.tools[:limit])]
    turns: list[dict[str, Any]] = []
    for index, line in enumerate(record.lines[:upto]):
        if line.role not in ("user", "agent"):
            continue
        turn = _turn(line.role, line.text, line.at)
        if line.role == "agent":
            _attach(record, turn, [(i, e) for i, e in tools if e.after_line == index])
        turns.append(turn)
    pending = [(i, e) for i, e in tools if e.after_line == upto]
    if pending:
        at = record.lines[upto - 1].at if upto else 0.0
        turn = _turn("agent", None, at)
        _attach(record, turn, pending)
        turns.append(turn)
    return turns


def _search_pattern(query: str) -> str:
    """A pattern for "a search of the same object about the same values", whatever fields or
    limits the agent's own query picks."""
    found = _FROM.search(query)
    parts = [rf"\bFROM\s+{escape(found.group(1))}\b"] if found else []
    parts += [escape(literal.replace("\\'", "'")) for literal in _LITERAL.findall(query)]
    return r"[\s\S]*".join(parts) or escape(query)


def _conditions(event: ToolEvent) -> list[dict[str, Any]]:
    params = event.params
    if event.name == SEARCH:
        return [{"path": "q", "eval": {"type": "regex", "pattern": _search_pattern(str(params.get("q", "")))}}]
    # A create is told apart by object and email: a record's other fields (an opportunity's name, a
    # description) are the agent's own wording and would rarely match exactly.
    keys = ("object_type", "record_id") if event.name == GET else ("object_type", "Email")
    return [
        {"path": key, "eval": {"type": "exact", "expected_value": str(params[key])}}
        for key in keys
        if params.get(key) not in (None, "")
    ]


def tool_mocks(record: CallRecord) -> dict[str, list[dict[str, Any]]]:
    """Per tool (by name), one mock per distinct call in the run: its parameters as conditions and
    the embedded org's answer as the result. The first call with given conditions wins, as the
    platform evaluates mocks top to bottom."""
    mocks: dict[str, list[dict[str, Any]]] = {}
    for event in record.tools:
        if event.name not in TOOL_NAMES:
            continue
        conditions = _conditions(event)
        entries = mocks.setdefault(event.name, [])
        if any(entry["parameter_conditions"] == conditions for entry in entries):
            continue
        entries.append(
            {"parameter_conditions": conditions, "mock_result": result_text(record, event), "is_error": not event.ok}
        )
    return mocks
