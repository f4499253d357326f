"""The web console in a real headless Chromium: persona, typed and batch calls through the official
@elevenlabs/client, the verdict judged on the server, the page offline but for loopback, a screenshot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import Console
from console_browser import Browser

from service.runner.callers import Caller, load_persona

ENDED = "document.getElementById('app').dataset.callState === 'ended'"


async def _org_names(console: Console, soql: str) -> list[str]:
    """Names the org returns for `soql`, through the gateway's search tool (an executor on the test's loop)."""
    executor = console.stack.executor()
    try:
        result = await executor.call("salesforce_search_records", {"q": soql}, {"system__conversation_id": "t"})
    finally:
        await executor.aclose()
    assert result.ok, result.speech()
    return [str(r["Name"]) for r in result.data["records"]]


async def _root(browser: Browser, page: str) -> dict[str, str]:
    value: dict[str, str] = await browser.call("eval", page=page, expr="({...document.getElementById('app').dataset})")
    return value


async def test_persona_call_from_the_link_passes_and_leaves_the_lead(console: Console, browser: Browser) -> None:
    """`/?persona=new-prospect&autostart=1` ends with data-passed="true" and the Lead is in the org."""
    await browser.call("page", name="persona", block=True)
    await browser.call("goto", page="persona", url=f"{console.url}/?persona=new-prospect&autostart=1")
    await browser.call("wait", page="persona", expr=ENDED, timeout=45000)
    root = await _root(browser, "persona")
    assert (root["outcome"], root["passed"]) == ("created", "true")
    call = console.app.state.book.calls[root["conversationId"]]  # type: ignore[attr-defined]
    email = call.run.persona.facts["email"]
    assert await _org_names(console, f"SELECT Id, Name FROM Lead WHERE Email = '{email}'") == ["Priya Natarajan"]
    tools = await browser.call("eval", page="persona", expr="[...document.querySelectorAll('#tools .name')].map(e => e.textContent)")
    assert "salesforce_create_record" in tools and "salesforce_search_records" in tools
