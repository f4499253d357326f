"""Helpers for the embedded org's tests: query shortcuts and JSON shape comparison."""

from typing import Any

import httpx2

V = "/services/data/v58.0"


def query(api: httpx2.Client, soql: str, **headers: str) -> httpx2.Response:
    """GET /query?q=… on the org."""
    return api.get(f"{V}/query", params={"q": soql}, headers=headers)


def records(api: httpx2.Client, soql: str) -> list[dict[str, Any]]:
    """The records of a successful query."""
    r = query(api, soql)
    assert r.status_code == 200, r.text
    found: list[dict[str, Any]] = r.json()["records"]
    return found


def assert_same_shape(ours: Any, recorded: Any, path: str = "$") -> None:
    """Same keys (in the same order) and nesting; every list element shaped like the recorded first one."""
    if isinstance(recorded, dict):
        assert isinstance(ours, dict), f"{path}: expected an object, got {ours!r}"
        assert list(ours) == list(recorded), f"{path}: keys {list(ours)} != {list(recorded)}"
        for key in recorded:
            assert_same_shape(ours[key], recorded[key], f"{path}.{key}")
    elif isinstance(recorded, list):
        assert isinstance(ours, list), f"{path}: expected a list, got {ours!r}"
        if recorded:
            assert ours, f"{path}: empty list where the recording has items"
            for i, item in enumerate(ours):
                assert_same_shape(item, recorded[0], f"{path}[{i}]")
    else:
        assert not isinstance(ours, dict | list), f"{path}: expected a scalar, got {ours!r}"
