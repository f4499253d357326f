"""Helpers for the voice tests (a uniquely named module: every test directory has a `conftest`)."""

from __future__ import annotations

import os

import httpx2
import pytest

from service.voice.discovery import BACKENDS, missing_message


def need(*names: str) -> None:
    """Skip (locally) or fail (in CI, which installs every default backend) when a backend is missing."""
    for name in names:
        if not BACKENDS[name].available():
            if os.environ.get("CI"):
                pytest.fail(missing_message(name))
            pytest.skip(missing_message(name))


def optional(name: str) -> None:
    """Like `need`, for the optional extra voice-neural (piper, faster-whisper): CI installs it too."""
    if not BACKENDS[name].available():
        if os.environ.get("CI"):
            pytest.fail(missing_message(name) + " (optional extra voice-neural)")
        pytest.skip(missing_message(name) + " (optional extra voice-neural)")


def org_query(stack, soql: str) -> list[dict]:
    """Records straight from the embedded org's REST API."""
    org = stack.org
    response = httpx2.get(
        f"{org.url}/services/data/v58.0/query",
        params={"q": soql},
        headers={"Authorization": f"Bearer {org.get_token()}"},
    )
    response.raise_for_status()
    return response.json()["records"]
