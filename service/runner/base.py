"""What every agent is to the runner and the agent server: replies, the agent interface, tool calls,
and the small helpers both agents and the checks share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from service.runner.webhooks import ToolResult

ToolFn = Callable[[str, dict[str, Any]], Awaitable[ToolResult]]

SEARCH, GET, CREATE = "salesforce_search_records", "salesforce_get_record", "salesforce_create_record"


@dataclass
class AgentReply:
    """One agent turn: what it says, whether it ends the call, and the slot it now waits for."""

    text: str
    end_call: bool = False
    slot: str | None = None


class Agent(Protocol):
    """What the session runner and the agent server drive (rules and LLM agents alike)."""

    expected_slot: str | None

    async def greet(self) -> AgentReply:
        """The first message."""
        ...

    async def reply(self, user_text: str, tools: ToolFn) -> AgentReply:
        """Answer one caller turn, calling tools through `tools` as needed."""
        ...

    def add_context(self, text: str) -> None:
        """A contextual update from the client (does not interrupt, needs no answer)."""
        ...


def spoken_email(email: str) -> str:
    """How an email is read back: "jane dot doe at acme dot com"."""
    return email.replace(".", " dot ").replace("@", " at ").replace("_", " underscore ").replace("-", " dash ")
