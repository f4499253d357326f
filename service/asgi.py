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


def replay(messages: list[Message], receive: Receive) -> Receive:
    """A receive that yields `messages` (a body already read) first, then defers to the real one."""
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed
