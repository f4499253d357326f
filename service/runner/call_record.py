"""What a call leaves behind: its transcript lines, tool calls and checks, and the `CallRecord` that
the checks judge and the report renders (a voice call's record adds a `voice` section)."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Line:
    """One transcript line; agent lines carry the turn latency (caller message → reply)."""

    role: str
    text: str
    at: float
    latency_ms: float | None = None


@dataclass
class ToolEvent:
    """One tool call as the agent made it, with what came back."""

    name: str
    params: dict[str, Any]
    ok: bool
    status: int | None
    latency_ms: float
    result: Any
    after_line: int
    request: dict[str, Any] = field(default_factory=dict)


@dataclass
class Check:
    """One pass/fail judgement about a call."""

    name: str
    passed: bool
    detail: str = ""


@dataclass
class CallRecord:
    """Everything a report needs about one call."""

    persona: str
    agent: str
    conversation_id: str
    lines: list[Line] = field(default_factory=list)
    tools: list[ToolEvent] = field(default_factory=list)
    fixtures: dict[str, str] = field(default_factory=dict)
    hung_up: bool = False
    ended_by_agent: bool = False
    outcome: str = ""
    checks: list[Check] = field(default_factory=list)
    verification: dict[str, Any] = field(default_factory=dict)
    started: float = field(default_factory=time.time)
    duration_s: float = 0.0
    error: str | None = None

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)

    def turn_latencies(self) -> list[float]:
        return [ln.latency_ms for ln in self.lines if ln.role == "agent" and ln.latency_ms is not None]

    def to_dict(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["passed"] = self.passed
        return doc
