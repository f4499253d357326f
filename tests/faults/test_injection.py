"""Unit tests of `service.org.faults` against a tiny Salesforce-shaped app."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import httpx2
import pytest
from starlette.applications import Starlette

from service.org.faults import LIMIT_EXCEEDED, SESSION_EXPIRED, Faults, classify, parse_scope

BASE = "/services/data/v58.0"
TinyOrg = Callable[[list[dict[str, Any]], Faults], Starlette]
Serve = Callable[[Starlette], str]


def client_for(app: Starlette, client: tuple[str, int] = ("127.0.0.1", 5000)) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app, client=client), base_url="http://org")


async def create(client: httpx2.AsyncClient, name: str = "Ada") -> httpx2.Response:
    return await client.post(f"{BASE}/sobjects/Lead", json={"LastName": name})


def test_classify_names_each_request_kind() -> None:
    """Token, query, get, create, describe and other requests are told apart; admin paths are never faulted."""
    assert classify("POST", "/services/oauth2/token") == "token"
    assert classify("GET", f"{BASE}/query/") == "query"
    assert classify("GET", f"{BASE}/query/01gx-2000") == "query"
    assert classify("GET", f"{BASE}/sobjects/Lead/00Q000000000001AAA") == "get"
    assert classify("POST", f"{BASE}/sobjects/Lead/") == "create"
    assert classify("GET", f"{BASE}/sobjects/Lead/describe") == "describe"
    assert classify("GET", f"{BASE}/limits") == "other"
    assert classify("GET", "/_org/faults") is None


def test_scope_groups_expand_and_unknown_scopes_fail() -> None:
    """`api` covers every data request, a kind's default applies, unknown names are refused."""
    assert parse_scope("api", "delay") == {"query", "get", "create", "describe", "other"}
    assert parse_scope(None, "reset_after_commit") == {"create"}
    assert parse_scope("query+get", "delay") == {"query", "get"}
    with pytest.raises(ValueError, match="unknown fault scope"):
        parse_scope("queries", "delay")


def test_unknown_kind_is_refused() -> None:
    """Adding a kind that does not exist raises ValueError."""
    with pytest.raises(ValueError, match="unknown fault kind"):
        Faults().add("explode")


async def test_no_faults_by_default(make_tiny_org: TinyOrg) -> None:
    """A fresh `Faults` lets every request through."""
    records: list[dict[str, Any]] = []
    async with client_for(make_tiny_org(records, Faults())) as client:
        assert (await client.get(f"{BASE}/query", params={"q": "x"})).status_code == 200
        assert (await create(client)).status_code == 201
    assert len(records) == 1


async def test_session_expired_answers_401_for_the_next_n_calls(make_tiny_org: TinyOrg) -> None:
    """The next N API calls get Salesforce's exact INVALID_SESSION_ID body, then calls succeed."""
    faults = Faults()
    faults.add("session_expired", times=2)
    async with client_for(make_tiny_org([], faults)) as client:
        answers = [await client.get(f"{BASE}/query", params={"q": "x"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [401, 401, 200]
    assert answers[0].json() == SESSION_EXPIRED
    assert answers[0].json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


async def test_limit_exceeded_answers_403_with_salesforce_body(make_tiny_org: TinyOrg) -> None:
    """REQUEST_LIMIT_EXCEEDED is a 403 with the exact recorded body."""
    faults = Faults()
    faults.add("limit_exceeded", scope="get")
    async with client_for(make_tiny_org([], faults)) as client:
        answer = await client.get(f"{BASE}/sobjects/Lead/00Q000000000001AAA")
    assert answer.status_code == 403
    assert (
        answer.json()
        == LIMIT_EXCEEDED
        == [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
    )


async def test_unavailable_answers_503_json_array(make_tiny_org: TinyOrg) -> None:
    """`unavailable` answers 503 with a Salesforce error array."""
    faults = Faults()
    faults.add("unavailable", scope="query")
    async with client_for(make_tiny_org([], faults)) as client:
        answer = await client.get(f"{BASE}/query", params={"q": "x"})
    assert answer.status_code == 503
    assert answer.json()[0]["errorCode"] == "SERVER_UNAVAILABLE"


async def test_token_error_hits_only_the_token_endpoint(make_tiny_org: TinyOrg) -> None:
    """A token fault answers 5xx HTML on /token and leaves API calls alone."""
    faults = Faults()
    faults.add("token_error", times=None, status=500)
    async with client_for(make_tiny_org([], faults)) as client:
        query = await client.get(f"{BASE}/query", params={"q": "x"})
        token = await client.post("/services/oauth2/token", data={"grant_type": "client_credentials"})
    assert query.status_code == 200
    assert token.status_code == 500
    assert token.headers["content-type"].startswith("text/html")


async def test_token_refuse_in_process_raises_connect_error(make_tiny_org: TinyOrg) -> None:
    """Served in-process, a refused token request surfaces as httpx2.ConnectError."""
    faults = Faults()
    faults.add("token_refuse")
    async with client_for(make_tiny_org([], faults)) as client:
        with pytest.raises(httpx2.ConnectError):
            await client.post("/services/oauth2/token", data={"grant_type": "client_credentials"})
        assert (await client.post("/services/oauth2/token")).status_code == 200


async def test_reset_after_commit_in_process_commits_then_raises_read_error(make_tiny_org: TinyOrg) -> None:
    """In-process, the create commits and the caller gets httpx2.ReadError instead of an answer."""
    records: list[dict[str, Any]] = []
    faults = Faults()
    faults.add("reset_after_commit")
    async with client_for(make_tiny_org(records, faults)) as client:
        with pytest.raises(httpx2.ReadError):
            await create(client)
    assert [r["LastName"] for r in records] == ["Ada"]


async def test_reset_before_handling_commits_nothing(make_tiny_org: TinyOrg) -> None:
    """`reset` drops the connection before the handler runs: nothing is created."""
    records: list[dict[str, Any]] = []
    faults = Faults()
    faults.add("reset", scope="create")
    async with client_for(make_tiny_org(records, faults)) as client:
        with pytest.raises(httpx2.ReadError):
            await create(client)
    assert records == []


async def test_slow_commit_commits_after_the_client_gave_up(make_tiny_org: TinyOrg) -> None:
    """A create delayed past the client's timeout is still committed once the delay passes."""
    records: list[dict[str, Any]] = []
    faults = Faults()
    faults.add("slow_commit", delay=0.3)
    async with client_for(make_tiny_org(records, faults)) as client:
        task = asyncio.create_task(create(client))
        done, _ = await asyncio.wait({task}, timeout=0.05)
        assert not done and records == []
        assert (await task).status_code == 201
    assert len(records) == 1


async def test_slow_response_commits_before_answering(make_tiny_org: TinyOrg) -> None:
    """`slow_response` commits at once and holds the answer."""
    records: list[dict[str, Any]] = []
    faults = Faults()
    faults.add("slow_response", scope="create", delay=0.3)
    async with client_for(make_tiny_org(records, faults)) as client:
        task = asyncio.create_task(create(client))
        for _ in range(100):  # the handler runs at once; wait for it without a timed assert
            if records:
                break
            await asyncio.sleep(0.01)
        assert records and not task.done()
        assert (await task).status_code == 201


def test_reset_after_commit_over_uvicorn_resets_the_connection(serve: Serve, make_tiny_org: TinyOrg) -> None:
    """On a real server the client gets a transport error with no response, and the record exists."""
    records: list[dict[str, Any]] = []
    faults = Faults()
    faults.add("reset_after_commit")
    url = serve(make_tiny_org(records, faults))
    with httpx2.Client(base_url=url) as client:
        with pytest.raises(httpx2.TransportError):
            client.post(f"{BASE}/sobjects/Lead", json={"LastName": "Ada"})
        assert client.get(f"{BASE}/query", params={"q": "x"}).json()["totalSize"] == 1
    assert faults.fired("reset_after_commit") == 1


def test_token_refuse_over_uvicorn_is_a_transport_error(serve: Serve, make_tiny_org: TinyOrg) -> None:
    """On a real server a refused token request ends in a transport error; the next one works."""
    faults = Faults()
    faults.add("token_refuse")
    url = serve(make_tiny_org([], faults))
    with httpx2.Client(base_url=url) as client:
        with pytest.raises(httpx2.TransportError):
            client.post("/services/oauth2/token")
        assert client.post("/services/oauth2/token").status_code == 200


def test_delay_over_uvicorn_times_the_client_out(serve: Serve, make_tiny_org: TinyOrg) -> None:
    """A delayed query makes a client with a short timeout raise a timeout."""
    faults = Faults()
    faults.add("delay", scope="query", delay=1.0)
    url = serve(make_tiny_org([], faults))
    with httpx2.Client(base_url=url, timeout=0.2) as client, pytest.raises(httpx2.TimeoutException):
        client.get(f"{BASE}/query", params={"q": "x"})


async def test_admin_routes_add_list_and_clear_faults(make_tiny_org: TinyOrg) -> None:
    """POST adds a fault, GET lists it with its history, DELETE clears it."""
    faults = Faults()
    async with client_for(make_tiny_org([], faults)) as client:
        added = await client.post("/_org/faults", json={"kind": "session_expired", "scope": "query", "times": 1})
        assert added.status_code == 201 and added.json()["scope"] == ["query"]
        assert (await client.get(f"{BASE}/query")).status_code == 401
        listed = (await client.get("/_org/faults")).json()
        assert listed["history"][0]["kind"] == "session_expired"
        assert (await client.delete("/_org/faults")).json()["faults"] == []


async def test_admin_route_rejects_a_bad_fault(make_tiny_org: TinyOrg) -> None:
    """An unknown kind answers 400 INVALID_FAULT."""
    async with client_for(make_tiny_org([], Faults())) as client:
        answer = await client.post("/_org/faults", json={"kind": "explode"})
    assert answer.status_code == 400 and answer.json()[0]["errorCode"] == "INVALID_FAULT"


async def test_admin_route_deletes_one_fault(make_tiny_org: TinyOrg) -> None:
    """DELETE /_org/faults/{id} removes just that fault; an unknown id is 404."""
    faults = Faults()
    first = faults.add("delay", times=None)
    faults.add("unavailable", times=None)
    async with client_for(make_tiny_org([], faults)) as client:
        assert (await client.delete(f"/_org/faults/{first.id}")).status_code == 200
        assert (await client.delete(f"/_org/faults/{first.id}")).status_code == 404
    assert [f.kind for f in faults.faults] == ["unavailable"]


async def test_admin_routes_are_loopback_only(make_tiny_org: TinyOrg) -> None:
    """A caller that is not on this machine gets NOT_FOUND and cannot add faults."""
    faults = Faults()
    async with client_for(make_tiny_org([], faults), client=("10.1.2.3", 5000)) as client:
        answer = await client.post("/_org/faults", json={"kind": "delay"})
    assert answer.status_code == 404
    assert faults.faults == []


def test_from_spec_builds_faults_from_a_settings_string() -> None:
    """`kind:scope:times:extra` items become faults; the extra is a delay or a status."""
    faults = Faults.from_spec("session_expired:api:3, delay:query+get:1:5, token_error:::500")
    kinds = [(f.kind, sorted(f.scope), f.remaining) for f in faults.faults]
    assert kinds[0] == ("session_expired", ["create", "describe", "get", "other", "query"], 3)
    assert kinds[1] == ("delay", ["get", "query"], 1) and faults.faults[1].delay == 5.0
    assert kinds[2] == ("token_error", ["token"], None) and faults.faults[2].status == 500


def test_concurrent_takes_consume_exactly_n() -> None:
    """Many threads racing for a fault with times=5 fire it exactly five times."""
    faults = Faults()
    faults.add("unavailable", times=5)
    hits: list[object] = []

    def worker() -> None:
        for _ in range(50):
            if faults.take("query") is not None:
                hits.append(1)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(hits) == 5 and faults.fired("unavailable") == 5


async def test_org_faults_setting_loads_faults(make_tiny_org: TinyOrg, monkeypatch: pytest.MonkeyPatch) -> None:
    """ORG_FAULTS reaches the org through the config the caller builds (`OrgConfig.from_settings`)."""
    from service.org.state import OrgConfig
    from service.settings import get_settings

    monkeypatch.setenv("ORG_FAULTS", "limit_exceeded:query:1")
    get_settings.cache_clear()
    try:
        config = OrgConfig.from_settings(get_settings())
    finally:
        monkeypatch.delenv("ORG_FAULTS")
        get_settings.cache_clear()
    app = make_tiny_org([], Faults.from_spec(config.fault_spec))
    async with client_for(app) as client:
        answers = [(await client.get(f"{BASE}/query")).status_code for _ in range(2)]
    assert answers == [403, 200]
