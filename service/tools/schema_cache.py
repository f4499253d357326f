"""The org's object metadata for the tools: live describes, cached, with the built-in schema as
the fallback when the org can't describe right now (so a describe outage never blocks a search).
"""

from __future__ import annotations

import asyncio
import logging
import time

from service.deadline import Deadline
from service.errors import ServiceError
from service.schema import Schema, builtin_schema
from service.tools.ports import SalesforcePort

log = logging.getLogger("service.tools")

# Describe is worth at most this much of a tool call's budget.
_DESCRIBE_BUDGET = 4.0


class SchemaCache:
    """One `Schema` built from the org's describes of the allowed objects (and User)."""

    def __init__(self, client: SalesforcePort, objects: tuple[str, ...], ttl: float) -> None:
        self._client = client
        self._objects = tuple(dict.fromkeys((*objects, "User")))
        self._ttl = ttl
        self._schema: Schema | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()
        self.live = False

    def fresh(self) -> Schema | None:
        """The cached schema while it is fresh, else None (no await: the hot path's check)."""
        return self._schema if self._schema is not None and self._expires > time.monotonic() else None

    async def get(self, deadline: Deadline) -> Schema:
        """The cached schema, refreshed when stale; the built-in schema if describe fails."""
        if self._schema is not None and self._expires > time.monotonic():
            return self._schema
        async with self._lock:
            if self._schema is not None and self._expires > time.monotonic():
                return self._schema
            sub = Deadline.after(deadline.cap(_DESCRIBE_BUDGET))
            try:
                raws = await asyncio.gather(*(self._client.describe(name, deadline=sub) for name in self._objects))
            except ServiceError as exc:
                log.warning("describe failed (%s); using the built-in schema for now", exc.code)
                fallback = self._schema or builtin_schema()
                self._schema, self._expires = fallback, time.monotonic() + 30.0
                return fallback
            self._schema = Schema.from_describes(raws)
            self._expires = time.monotonic() + self._ttl
            self.live = True
            return self._schema
