"""OAuth sessions of the embedded org: tokens that expire after a period of inactivity.

Each successful use extends the session (like a real org's session timeout); expired, revoked and
unknown tokens are all simply invalid. Thread-safe: the server thread and test code share it.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from service.org.ids import ORG_ID


@dataclass
class Session:
    """One issued access token."""

    token: str
    client_id: str
    issued_at: float
    last_used: float
    revoked: bool = False


class Sessions:
    """The token table; `timeout` (seconds of inactivity) may be changed at run time."""

    def __init__(self, timeout: float, clock: Callable[[], float] = time.time) -> None:
        self.timeout = timeout
        self.clock = clock
        self._lock = threading.Lock()
        self._sessions: dict[str, Session] = {}

    def issue(self, client_id: str) -> Session:
        """A new session for `client_id`, token shaped `00D<org id 15>!<random>`."""
        now = self.clock()
        token = f"{ORG_ID[:15]}!AQ{secrets.token_urlsafe(72)}"
        session = Session(token=token, client_id=client_id, issued_at=now, last_used=now)
        with self._lock:
            self._prune(now)
            self._sessions[token] = session
        return session

    def _alive(self, session: Session, now: float) -> bool:
        return not session.revoked and now - session.last_used <= self.timeout

    def _prune(self, now: float) -> None:
        if len(self._sessions) > 10_000:
            self._sessions = {t: s for t, s in self._sessions.items() if self._alive(s, now)}

    def use(self, token: str) -> Session | None:
        """The live session of `token`, extended; None if expired, revoked or unknown."""
        now = self.clock()
        with self._lock:
            session = self._sessions.get(token)
            if session is None or not self._alive(session, now):
                return None
            session.last_used = now
            return session

    def peek(self, token: str) -> Session | None:
        """The live session of `token` without extending it."""
        now = self.clock()
        with self._lock:
            session = self._sessions.get(token)
            return session if session is not None and self._alive(session, now) else None

    def expires_at(self, session: Session) -> float:
        """When `session` expires if unused from now on (epoch seconds)."""
        return session.last_used + self.timeout

    def revoke(self, token: str) -> bool:
        """Revoke a token; True if it existed."""
        with self._lock:
            session = self._sessions.get(token)
            if session is None:
                return False
            session.revoked = True
            return True

    def expire_all(self) -> int:
        """Revoke every session (e.g. to simulate an org-wide logout); returns how many were live."""
        now = self.clock()
        with self._lock:
            live = [s for s in self._sessions.values() if self._alive(s, now)]
            for s in live:
                s.revoked = True
            return len(live)

    def active(self) -> int:
        """How many sessions are live now."""
        now = self.clock()
        with self._lock:
            return sum(1 for s in self._sessions.values() if self._alive(s, now))
