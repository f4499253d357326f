"""The one call loop (`play_call`) over its caller/agent seam: what a line does with each side's words."""

from __future__ import annotations

from service.runner.agent import QualificationAgent
from service.runner.call_record import CallRecord
from service.runner.callers import load_persona
from service.runner.callio import TextLine
from service.runner.session import play_call
from service.runner.webhooks import WebhookExecutor


class ShoutingLine(TextLine):
    """A line that changes what the agent hears and reports its own latency (as the voice line does)."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def new_record(self, persona: str, agent_kind: str, conversation_id: str) -> CallRecord:
        self.events.append("record")
        return super().new_record(persona, agent_kind, conversation_id)

    def start(self, greeting: str) -> None:
        self.events.append("start")

    def hear(self, said: str, slot: str | None) -> str:
        self.events.append(f"hear:{slot}")
        return said.upper()

    def deliver(self, reply: str, agent_ms: float) -> float:
        self.events.append("deliver")
        return 1234.0

    def finish(self) -> None:
        self.events.append("finish")


async def test_the_agent_gets_what_the_line_hears(fake_executor: WebhookExecutor) -> None:
    """The transcript shows the caller's line as the line delivered it to the agent."""
    line = ShoutingLine()
    record = await play_call(load_persona("hang-up"), QualificationAgent(), fake_executor, line)
    users = [ln.text for ln in record.lines if ln.role == "user"]
    assert users and all(text == text.upper() for text in users)


async def test_turn_latency_comes_from_the_line(fake_executor: WebhookExecutor) -> None:
    """Each agent reply after the greeting carries the latency the line reported for it."""
    line = ShoutingLine()
    record = await play_call(load_persona("new-prospect"), QualificationAgent(), fake_executor, line)
    assert record.error is None and record.ended_by_agent
    assert record.turn_latencies()[1:] == [1234.0] * (len(record.turn_latencies()) - 1)


async def test_the_line_opens_once_and_finishes_once(fake_executor: WebhookExecutor) -> None:
    """A call opens the line, hears and delivers in turn (with the slot asked for), and finishes it."""
    line = ShoutingLine()
    await play_call(load_persona("existing-contact"), QualificationAgent(), fake_executor, line)
    assert line.events[:2] == ["record", "start"] and line.events[-1] == "finish" and "hear:name" in line.events
    body = line.events[2:-1]
    assert body[0::2] == [e for e in body if e.startswith("hear:")] and set(body[1::2]) == {"deliver"}


async def test_a_broken_agent_still_finishes_the_line(fake_executor: WebhookExecutor) -> None:
    """An agent that raises is a failed call on the record, and the line is still finished."""

    class Broken(QualificationAgent):
        async def reply(self, user_text, tools):  # type: ignore[no-untyped-def]
            raise RuntimeError("agent down")

    line = ShoutingLine()
    record = await play_call(load_persona("new-prospect"), Broken(), fake_executor, line)
    assert record.error == "RuntimeError: agent down" and line.events[-1] == "finish"
