"""Read the embedded org directly (not through the gateway) to verify what calls left behind."""

from __future__ import annotations

import httpx2


def org_query(stack, soql: str) -> list[dict]:
    """Records straight from the embedded org's REST API (not through the gateway)."""
    org = stack.org
    response = httpx2.get(f"{org.url}/services/data/v58.0/query", params={"q": soql},
                          headers={"Authorization": f"Bearer {org.get_token()}"})
    response.raise_for_status()
    return response.json()["records"]
