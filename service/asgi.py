"""Small ASGI helpers shared by the gateway's and the embedded org's middleware."""

from __future__ import annotations

from starlette.types import Message, Receive


def replay(messages: list[Message], receive: Receive) -> Receive:
    """A receive that yields `messages` (a body already read) first, then defers to the real one."""
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed
