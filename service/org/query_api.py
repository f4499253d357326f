"""Query resources: `GET /query?q=`, `/queryAll?q=`, and queryMore `GET /query/{locator}`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from service.org.errors import malformed_query
from service.org.rest import api
from service.org.state import OrgState


@api("query")
async def query(request: Request, state: OrgState, version: str) -> Response:
    """Run a SOQL query."""
    raise malformed_query("query support is not available yet")


@api("query_all")
async def query_all(request: Request, state: OrgState, version: str) -> Response:
    """Run a SOQL query including deleted records."""
    raise malformed_query("query support is not available yet")


@api("query_more")
async def query_more(request: Request, state: OrgState, version: str) -> Response:
    """The next page of a query."""
    raise malformed_query("query support is not available yet")
