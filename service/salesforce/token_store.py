"""Where the current access token lives: a small interface, in-process by default.

Replicas can later share one token through another implementation (e.g. Redis) with the same three
methods; `clear_if` is compare-and-delete so a stale 401 never throws away a newer token.
"""

from __future__ import annotations

from typing import Protocol

from authlib.oauth2.rfc6749 import OAuth2Token


class TokenStore(Protocol):
    """Holds at most one token for one org + client."""

    async def get(self) -> OAuth2Token | None:
        """The current token, or None."""
        ...

    async def set(self, token: OAuth2Token) -> None:
        """Replace the current token."""
        ...

    async def clear_if(self, access_token: str) -> bool:
        """Drop the current token only if it is `access_token`; True if it was dropped."""
        ...


class InMemoryTokenStore:
    """The in-process store (one event loop; no locking needed between awaits)."""

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

    def __repr__(self) -> str:
        return f"InMemoryTokenStore(held={self._token is not None})"
