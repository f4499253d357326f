"""Where the current access token lives: a small interface, in-process by default.

Replicas share one token through `service.state.token_store.RedisTokenStore`, the same four
methods: `clear_if` is compare-and-delete so a stale 401 never throws away a newer token, and
`refresh` runs the token request (in-process: just runs it; Redis: under a fleet-wide lock, so
one replica asks the org and the others read its answer).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from authlib.oauth2.rfc6749 import OAuth2Token


class TokenStore(Protocol):
    """Holds at most one token for one org + client; `shared` when reading it costs a round trip
    (the manager then answers from its local copy while that is fresh)."""

    shared: bool

    async def get(self) -> OAuth2Token | None:
        """The current token, or None."""
        ...

    async def set(self, token: OAuth2Token) -> None:
        """Replace the current token."""
        ...

    async def clear_if(self, access_token: str) -> bool:
        """Drop the current token only if it is `access_token`; True if it was dropped."""
        ...

    async def refresh(
        self, fetch: Callable[[], Awaitable[OAuth2Token]], *, stale: str | None, leeway: float
    ) -> OAuth2Token:
        """A new token: `fetch()`'s, stored; or one another holder stored meanwhile (not `stale`,
        not within `leeway` of its expiry)."""
        ...


class InMemoryTokenStore:
    """The in-process store (one event loop; no locking needed between awaits)."""

    shared = False

    def __init__(self) -> None:
        self._token: OAuth2Token | None = None

    async def get(self) -> OAuth2Token | None:
        return self._token

    async def set(self, token: OAuth2Token) -> None:
        self._token = token

    async def clear_if(self, access_token: str) -> bool:
        if self._token is not None and self._token.get("access_token") == access_token:
            self._token = None
            return True
        return False

    async def refresh(
        self, fetch: Callable[[], Awaitable[OAuth2Token]], *, stale: str | None, leeway: float
    ) -> OAuth2Token:
        token = await fetch()  # the manager's single flight already makes this the only one
        self._token = token
        return token

    def __repr__(self) -> str:
        return f"InMemoryTokenStore(held={self._token is not None})"
