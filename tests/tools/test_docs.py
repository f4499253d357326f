"""`/docs` and `/redoc` work offline: every asset they reference is served by the gateway itself."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_page_uses_only_local_assets(embedded_org: Any, make_gateway: Callable[..., Any], page: str) -> None:
    """The page's script, style and icon URLs are local paths, and each answers 200 with content."""
    async with make_gateway(embedded_org) as (client, _app):
        r = await client.get(page)
        assert r.status_code == 200
        urls = re.findall(r"""(?:src|href)=["']([^"']+)["']|url: ?["']([^"']+)["']""", r.text)
        assets = {a or b for a, b in urls}
        assert assets, r.text
        assert not [url for url in assets if "//" in url], assets  # no CDN, no absolute URL at all
        assert any(url.endswith(".js") for url in assets)
        for url in assets:
            answer = await client.get(url)
            assert answer.status_code == 200, url
            assert answer.content
