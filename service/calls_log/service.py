"""`CallsLog`: the outbox, the ledger and the delivery loop of one gateway, owned by the lifespan.

`accept` stores an event (before the webhook answers); the loop delivers due entries, backing off
exponentially (with jitter, capped) on failures that may clear, and keeps the rest as dead. The
loop restarts with the gateway and picks up whatever the outbox still holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable

from service.calls_log.deliver import CallLogPort, FieldMap, deliver, is_permanent
from service.calls_log.events import PostCallEvent, parse_event
from service.calls_log.ledger import CallLedger
from service.calls_log.outbox import Outbox, OutboxEntry
from service.deadline import Deadline
from service.errors import ServiceError
from service.schema import Schema

log = logging.getLogger("service.calls_log")

_IDLE_POLL = 1.0


class CallsLog:
    """Accepts post-call events and delivers them as Tasks."""

    def __init__(
        self,
        outbox: Outbox,
        ledger: CallLedger,
        client: CallLogPort,
        schema: Callable[[Deadline], Awaitable[Schema]],
        *,
        conversation_field: str | None,
        field_maps: tuple[FieldMap, ...] = (),
        agent_name: str = "the assistant",
        retry_base: float = 1.0,
        retry_max: float = 300.0,
        budget: float = 30.0,
    ) -> None:
        self.outbox, self.ledger, self._client, self._schema = outbox, ledger, client, schema
        self._conversation_field, self._maps, self._agent = conversation_field, field_maps, agent_name
        self._base, self._max, self._budget = retry_base, retry_max, budget
        self._wake = asyncio.Event()
        self._pass = asyncio.Lock()  # one delivery pass at a time: an entry is never sent twice at once
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.counts: dict[str, int] = {"pending": 0, "delivered": 0, "dead": 0}
        self.delivered_total = 0
        self.failures_total = 0

    async def accept(self, event: PostCallEvent, payload: dict[str, object]) -> bool:
        """Store the event durably; False for a repeat of one already held."""
        fresh = await self.outbox.add(event.key, payload)
        if fresh:
            self.counts["pending"] = self.counts.get("pending", 0) + 1
            self._wake.set()
        return fresh

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="calls-log-delivery")

    async def stop(self) -> None:
        """Stop the loop (an entry in flight stays pending and is sent again by the next start)."""
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait({self._task}, timeout=5.0)  # never hold up the gateway's shutdown
            self._task = None

    def close(self) -> None:
        self.outbox.close()

    def status(self) -> dict[str, int]:
        """Entries by state as of the last pass (for `/readyz` detail)."""
        return dict(self.counts)

    async def run_once(self) -> int:
        """Deliver every due entry once; how many landed."""
        landed = 0
        async with self._pass:
            for entry in await self.outbox.due(time.time()):
                if self._stopping:
                    break
                landed += await self._attempt(entry)
            self.counts = await self.outbox.counts()
        return landed

    async def _loop(self) -> None:
        self.counts = await self.outbox.counts()
        while not self._stopping:
            try:
                await self.run_once()
            except Exception:  # the loop must outlive any one bad pass (disk full, a bug)
                log.exception("post-call delivery pass failed")
            self._wake.clear()
            # asyncio.timeout, not wait_for: 3.11's wait_for can swallow a cancellation that races its wake-up
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(_IDLE_POLL):
                    await self._wake.wait()

    async def _attempt(self, entry: OutboxEntry) -> int:
        deadline = Deadline.after(self._budget)
        try:
            event = parse_event(entry.payload)
            schema = await self._schema(deadline)
            task_id = await deliver(
                event,
                client=self._client,
                schema=schema,
                ledger=self.ledger,
                conversation_field=self._conversation_field,
                field_maps=self._maps,
                agent_name=self._agent,
                deadline=deadline,
            )
        except ServiceError as exc:
            self.failures_total += 1
            permanent = is_permanent(exc)
            next_at = None if permanent else time.time() + self._delay(entry.attempts)
            log.warning("post-call %s not delivered (%s, %s)", entry.key, exc.code, "kept" if permanent else "retry")
            await self.outbox.failed(entry.key, f"{exc.code}: {exc.message}", next_at)
            return 0
        except Exception as exc:  # a bug must not spin: back off like any transient failure
            log.exception("post-call %s failed unexpectedly", entry.key)
            await self.outbox.failed(entry.key, type(exc).__name__, time.time() + self._delay(entry.attempts))
            return 0
        await self.outbox.delivered(entry.key, task_id)
        self.delivered_total += 1
        log.info("post-call %s delivered as Task %s", entry.key, task_id)
        return 1

    def _delay(self, attempts: int) -> float:
        ceiling = min(self._max, self._base * 2 ** min(attempts, 30))
        return float(ceiling * random.uniform(0.5, 1.0))
