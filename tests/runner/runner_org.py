"""Read the embedded org directly (not through the gateway) to verify what calls left behind."""

from __future__ import annotations

from typing import Any

import httpx2

from service.runner.stack import Stack


def org_query(stack: Stack, soql: str) -> list[dict[str, Any]]:
    """Records straight from the embedded org's REST API (not through the gateway)."""
    org = stack.org
    response = httpx2.get(
        f"{org.url}/services/data/v58.0/query",
        params={"q": soql},
        headers={"Authorization": f"Bearer {org.get_token()}"},
    )
    response.raise_for_status()
    records: list[dict[str, Any]] = response.json()["records"]
    return records
