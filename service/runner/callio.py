"""The caller/agent seam of a call: `CallIO` says what each side's words become on the way to the other.

The call loop (`service.runner.session.play_call`) is written once over it. `TextLine` passes text
through; `service.voice.call.VoiceLine` synthesises the caller's line, adds noise, endpoints and
recognises it, and speaks the agent's reply onto the stereo track, recording the per-turn voice figures.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from service.runner.call_record import CallRecord

R_co = TypeVar("R_co", bound=CallRecord, covariant=True)


class CallIO(Protocol[R_co]):
    """The line between caller and agent for one call: what each side's words become on the way."""

    def new_record(self, persona: str, agent_kind: str, conversation_id: str) -> R_co:
        """The empty record this kind of call fills (`finish` completes it)."""
        ...

    def start(self, greeting: str) -> None:
        """The agent's first message reaches the caller."""
        ...

    def hear(self, said: str, slot: str | None) -> str:
        """The caller's line as the agent gets it (`slot`: what the agent's last question asked for)."""
        ...

    def deliver(self, reply: str, agent_ms: float) -> float:
        """The agent's reply reaches the caller; returns the turn's latency in ms."""
        ...

    def finish(self) -> None:
        """The call is over (also after an error): add this line's figures to the record, free resources."""
        ...


class TextLine:
    """The text call: words pass unchanged; a turn's latency is the agent's (tools included)."""

    def new_record(self, persona: str, agent_kind: str, conversation_id: str) -> CallRecord:
        return CallRecord(persona=persona, agent=agent_kind, conversation_id=conversation_id)

    def start(self, greeting: str) -> None:
        pass

    def hear(self, said: str, slot: str | None) -> str:
        return said

    def deliver(self, reply: str, agent_ms: float) -> float:
        return agent_ms

    def finish(self) -> None:
        pass
