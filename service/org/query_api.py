"""Query resources: `GET /query?q=`, `/queryAll?q=`, and queryMore `GET /query/{locator}`.

Translated plans are cached per (query text, queryAll, day) so repeated queries skip parsing.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections import OrderedDict

from starlette.requests import Request
from starlette.responses import Response

from service.org.dates import local_today
from service.org.endpoint import api
from service.org.errors import malformed_query
from service.org.query import Plan, translate
from service.org.results import Cursors, answer, batch_size, more
from service.org.state import OrgState, json_response

_PLAN_CACHE_SIZE = 512
log = logging.getLogger(__name__)


class PlanCache:
    """A small LRU of translated plans (plans are read-only once built)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._plans: OrderedDict[tuple[str, bool, str, str], Plan] = OrderedDict()

    def plan(self, state: OrgState, soql: str, include_deleted: bool) -> Plan:
        """The cached or freshly translated plan of `soql`."""
        tz = state.config.timezone
        today = local_today(tz)
        key = (soql, include_deleted, today.isoformat(), tz)
        with self._lock:
            found = self._plans.get(key)
            if found is not None:
                self._plans.move_to_end(key)
                return found
        plan = translate(state.schema, soql, tz=tz, today=today, include_deleted=include_deleted)
        with self._lock:
            self._plans[key] = plan
            while len(self._plans) > _PLAN_CACHE_SIZE:
                self._plans.popitem(last=False)
        return plan


def _tools(state: OrgState) -> tuple[PlanCache, Cursors]:
    if "plans" not in state.cursors:
        state.cursors["plans"] = PlanCache()
        state.cursors["cursors"] = Cursors()
    return state.cursors["plans"], state.cursors["cursors"]


async def _run(request: Request, state: OrgState, version: str, include_deleted: bool) -> Response:
    soql = request.query_params.get("q")
    if soql is None or not soql.strip():
        raise malformed_query("unexpected token: <EOF>")
    plans, cursors = _tools(state)
    plan = plans.plan(state, soql, include_deleted)
    batch = batch_size(request.headers.get("sforce-query-options"))
    try:
        return json_response(answer(state.store, cursors, plan, version, batch, include_deleted))
    except (sqlite3.Error, UnicodeError, OverflowError) as exc:
        # A literal SQLite cannot take (e.g. a lone \uD800 surrogate): a query error, never a 500.
        log.warning("query could not run: %s", exc)
        raise malformed_query(f"unexpected token: {str(exc)[:80]}") from None


@api("query")
async def query(request: Request, state: OrgState, version: str) -> Response:
    """Run a SOQL query (deleted records excluded)."""
    return await _run(request, state, version, include_deleted=False)


@api("query_all")
async def query_all(request: Request, state: OrgState, version: str) -> Response:
    """Run a SOQL query including deleted records."""
    return await _run(request, state, version, include_deleted=True)


@api("query_more")
async def query_more(request: Request, state: OrgState, version: str) -> Response:
    """The next page of a query: `/query/<locator>-<offset>`."""
    _, cursors = _tools(state)
    return json_response(more(state.store, cursors, request.path_params["locator"], version))
