"""The one status table: the docstring tree, the OpenAPI responses and the answers all agree with it."""

from __future__ import annotations

import inspect
import re
from typing import Any

import httpx2
from pydantic import SecretStr

import service.errors as tree
from service.app import create_app
from service.errors import DeadlineExceeded, MalformedRequest, ServiceError, Unavailable
from service.settings import Settings
from service.tools.errors import error_body
from service.tools.schemas import CREATE_PATH, GET_PATH, SEARCH_PATH
from service.tools.status import STATUS_TABLE, answer_for

SEARCH = "/tools/salesforce_search_records"
_TREE_LINE = re.compile(r"^\s*[*x+-] (\w+)\s+(\d{3}) (\w+)", re.M)


def _classes() -> dict[str, type[ServiceError]]:
    return {
        name: cls
        for name, cls in inspect.getmembers(tree, inspect.isclass)
        if issubclass(cls, ServiceError) and cls.__module__ == tree.__name__
    }


async def test_docstring_tree_says_what_callers_get() -> None:
    """Every class of service/errors.py is in its docstring tree with the table's status and code."""
    documented = {name: (int(status), code) for name, status, code in _TREE_LINE.findall(tree.__doc__ or "")}
    classes = _classes()
    assert set(documented) == set(classes)
    for name, cls in classes.items():
        answer = answer_for(cls)
        assert documented[name] == (answer.status, answer.code), name


async def test_every_class_has_its_own_row() -> None:
    """No class of the tree is answered only by accident of inheritance."""
    assert set(_classes().values()) <= set(STATUS_TABLE)


async def test_openapi_documents_every_status_of_the_table() -> None:
    """Each tool operation's OpenAPI responses list every status the table answers, 409 included."""
    openapi = create_app(Settings(_env_file=None, webhook_secret=SecretStr("x" * 24))).openapi()  # type: ignore[call-arg]
    statuses = {str(answer.status) for answer in STATUS_TABLE.values()}
    assert "409" in statuses
    for path, method in ((SEARCH_PATH, "get"), (GET_PATH, "get"), (CREATE_PATH, "post")):
        responses = openapi["paths"][path][method]["responses"]
        assert statuses <= set(responses), path
        assert "duplicate" in responses["409"]["description"]


async def test_retries_that_ran_out_answer_as_their_cause() -> None:
    """A deadline hit while the CRM kept failing answers 503 with Retry-After, as the table's Unavailable row."""
    try:
        raise DeadlineExceeded("ran out") from Unavailable("down")
    except DeadlineExceeded as exc:
        status, body, headers = error_body(exc)
    assert (status, body["error"]["code"], headers) == (503, "unavailable", {"Retry-After": "2"})


async def test_org_query_echo_is_trimmed_to_its_sentence() -> None:
    """The org's caret echo of the query is dropped; the field it names is kept."""
    said = "\nSELECT Foo FROM Contact\n       ^\nERROR at Row:1:Column:8\nNo such column 'Foo' on entity 'Contact'."
    status, body, _ = error_body(MalformedRequest("x", error_code="INVALID_FIELD", sf_message=said))
    assert status == 422
    assert body["error"]["message"].startswith("The CRM refused the request: No such column 'Foo' on entity")
    assert body["error"]["fields"] == ["Foo"] and "^" not in body["error"]["message"]


async def test_org_refusal_reaches_the_agent_as_422_naming_the_field(gateway: httpx2.AsyncClient) -> None:
    """A query the policy passes but the org refuses (sorting on a long text field) is a 422 that names it."""
    r = await gateway.get(SEARCH, params={"q": "SELECT Id, Name FROM Contact ORDER BY Description"})
    assert r.status_code == 422, r.text
    error: dict[str, Any] = r.json()["error"]
    assert error["code"] == "bad_request"
    assert error["fields"] == ["Description"]
    assert "Description" in error["message"] and "try again" in error["message"]
