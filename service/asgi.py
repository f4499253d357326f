"""ASGI entry points: `create()`, the gateway factory uvicorn's worker processes import
(`service.asgi:create`, used by `serve --workers N`), and small helpers shared by the gateway's and
the embedded org's middleware. Nothing is built at import time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.types import Message, Receive

if TYPE_CHECKING:
    from fastapi import FastAPI


def create() -> FastAPI:
    """The gateway app from the environment (each worker process builds its own)."""
    from service.app import create_app
    from service.settings import get_settings

    return create_app(get_settings(), freeze_heap=True)


class BodyTooLarge(Exception):
    """The body ran past the limit given to `read_body`."""


async def read_body(receive: Receive, limit: int | None = None) -> list[Message]:
    """The request's body messages, ending at the last chunk or a disconnect; raises `BodyTooLarge`
    once more than `limit` bytes arrived."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages
        size += len(message.get("body", b""))
        if limit is not None and size > limit:
            raise BodyTooLarge
        if not message.get("more_body", False):
            return messages


def body_of(messages: list[Message]) -> bytes:
    """The bytes of body messages read by `read_body`."""
    return b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")


def replay(messages: list[Message], receive: Receive) -> Receive:
    """A receive that yields `messages` (a body already read) first, then defers to the real one."""
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed
