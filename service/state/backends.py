"""`build_stores(settings)`: the token, idempotency and lock stores the lifespan hands out.

`REDIS_URL` unset: the in-process stores (one process; the embedded default, unchanged). Set: the
Redis stores of this package, on one client per process, so every replica shares one truth (the
post-call outbox too: a Redis Stream with a consumer group instead of the SQLite file).
"""

from __future__ import annotations

from dataclasses import dataclass

from service.calls_log.outbox import Outbox
from service.salesforce.config import org_config
from service.salesforce.token_store import InMemoryTokenStore, TokenStore
from service.settings import Settings
from service.state.shared import SharedRedis
from service.tools.idempotency import IdempotencyStore, InMemoryIdempotencyStore

# A lock outlives one tool call's budget by this much, so a live holder never loses it.
_LOCK_MARGIN = 2.0


@dataclass
class Stores:
    """The stores of one gateway process; `shared` is the Redis client when there is one."""

    tokens: TokenStore
    idempotency: IdempotencyStore
    duplicate_locks: IdempotencyStore
    shared: SharedRedis | None = None
    outbox: Outbox | None = None  # None: the post-call outbox's own default (SQLite)

    async def aclose(self) -> None:
        if self.shared is not None:
            await self.shared.aclose()


def build_stores(settings: Settings) -> Stores:
    """In-process stores, or Redis ones when `REDIS_URL` is set (nothing is sent until first use)."""
    if settings.redis_url is None:
        return Stores(InMemoryTokenStore(), InMemoryIdempotencyStore(), InMemoryIdempotencyStore())
    from service.state.idempotency import RedisIdempotencyStore
    from service.state.outbox import RedisOutbox
    from service.state.token_store import RedisTokenStore

    shared = SharedRedis(settings.redis_url.get_secret_value(), timeout=settings.redis_timeout)
    lock_timeout = float(settings.tool_timeout) + _LOCK_MARGIN
    config = org_config(settings)
    return Stores(
        tokens=RedisTokenStore(
            shared, domain=config.domain, client_id=config.client_id, lock_timeout=float(settings.sf_timeout) + 5
        ),
        idempotency=RedisIdempotencyStore(shared, space="idem", lock_timeout=lock_timeout),
        duplicate_locks=RedisIdempotencyStore(shared, space="dup", lock_timeout=lock_timeout),
        shared=shared,
        # A delivery attempt that outlives this has lost its replica: another one claims it.
        outbox=RedisOutbox(shared, claim_idle=float(settings.post_call_delivery_timeout) + 10),
    )
