"""queryMore state: open query locators (`Cursors`) and the batch size a client asks for."""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass

from service.org import ids
from service.org.plan import Plan

DEFAULT_BATCH = 2000
MIN_BATCH, MAX_BATCH = 200, 2000
MAX_CURSORS = 2000


@dataclass
class Cursor:
    """What queryMore needs to fetch the next window."""

    plan: Plan
    total: int
    batch: int
    all_rows: bool


def batch_size(header: str | None) -> int:
    """`Sforce-Query-Options: batchSize=N` clamped to 200–2000 (default 2000)."""
    for part in (header or "").split(","):
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "batchsize" and value.strip().isdigit():
            return max(MIN_BATCH, min(MAX_BATCH, int(value)))
    return DEFAULT_BATCH


class Cursors:
    """Open query locators (bounded, oldest dropped first)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[str, Cursor] = OrderedDict()

    def open(self, cursor: Cursor) -> str:
        """Store a cursor; returns its 18-character locator id."""
        locator = ids.to18("01g" + ids.POD + "".join(secrets.choice(ids.BASE62) for _ in range(9)))
        with self._lock:
            self._items[locator] = cursor
            while len(self._items) > MAX_CURSORS:
                self._items.popitem(last=False)
        return locator

    def get(self, locator: str) -> Cursor | None:
        """The cursor of a locator id."""
        with self._lock:
            return self._items.get(locator)
