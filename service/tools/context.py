"""`ToolContext`: everything one tool call needs besides its input, built once per request.

The dependency in `service/deps.py` builds it from the lifespan's `Gateway` (a few attribute reads
and the cached schema), so it costs next to nothing on the hot path; the three tools take it as their
one context argument instead of each a differently shaped bag of keywords.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from service.calls_log.ledger import CallLedger
from service.deadline import Deadline
from service.errors import DeadlineExceeded, ServiceError, StoreUnavailable
from service.schema import Schema
from service.settings import Settings
from service.soql.policy import PolicyConfig
from service.tools.idempotency import IdempotencyStore
from service.tools.ports import SalesforcePort
from service.tools.sections import RecordNote
from service.tools.status import SLOW

log = logging.getLogger("service.tools")
T = TypeVar("T")

# Leave time to write the answer before the platform's own timeout.
_ANSWER_MARGIN = 0.25


@dataclass(frozen=True, slots=True)
class ToolContext:
    """One tool call's client, schema, configuration, budget and caller identity."""

    client: SalesforcePort
    schema: Schema
    settings: Settings
    policy: PolicyConfig
    field_sets: Mapping[str, tuple[str, ...]]
    store: IdempotencyStore
    duplicate_locks: IdempotencyStore
    deadline: Deadline
    conversation_id: str | None = None
    idempotency_key: str | None = None
    ledger: CallLedger | None = None  # records touched per conversation, for the post-call Task

    async def note_records(self, object_name: str, record_ids: Iterable[str], *, created: bool = False) -> None:
        """Remember the records this conversation touched (nothing without a conversation id)."""
        if self.ledger is not None and self.conversation_id:
            try:
                await self.ledger.note(self.conversation_id, object_name, record_ids, created=created)
            except StoreUnavailable:  # Redis down: the search or get still answers; the Task lists less
                log.warning("records of the conversation not noted: the shared store is unavailable")

    def record_note(self, object_name: str, record_ids: Iterable[str], *, created: bool = False) -> RecordNote | None:
        """The same note as `note_records`, for a create to write as it leaves its section (`ctx.store`)."""
        if self.ledger is None or not self.conversation_id:
            return None
        return self.ledger.entry(self.conversation_id, object_name, record_ids, created=created)


def budget(settings: Settings) -> Deadline:
    """The deadline of one tool call."""
    return Deadline.after(max(0.5, float(settings.tool_timeout) - _ANSWER_MARGIN))


async def within(deadline: Deadline, work: Awaitable[T]) -> T:
    """Run `work` inside the budget; anything unexpected becomes a speakable internal error."""
    try:
        async with asyncio.timeout(deadline.remaining()):
            return await work
    except TimeoutError as exc:
        raise DeadlineExceeded(SLOW) from exc
    except ServiceError:
        raise
    except Exception as exc:
        log.exception("tool failed unexpectedly")
        raise ServiceError("Something went wrong in the gateway. Please try again.") from exc
