"""The web console in a real headless Chromium: persona, typed and batch calls through the official
@elevenlabs/client, the verdict judged on the server, the page offline but for loopback, a screenshot."""

from __future__ import annotations

from pathlib import Path

from console_browser import Browser, Console

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
    tools = await browser.call(
        "eval", page="persona", expr="[...document.querySelectorAll('#tools .name')].map(e => e.textContent)"
    )
    assert "salesforce_create_record" in tools and "salesforce_search_records" in tools


async def test_the_page_loads_with_only_loopback_reachable(console: Console, browser: Browser) -> None:
    """With every non-loopback request aborted the page still loads, and it never asks for one."""
    await browser.call("page", name="offline", block=True)
    await browser.call("goto", page="offline", url=f"{console.url}/?persona=impatient")
    await browser.call("wait", page="offline", expr="document.getElementById('app').dataset.ready === 'true'")
    assert await browser.call("eval", page="offline", expr="document.getElementById('persona').value") == "impatient"
    assert await browser.call("blocked", page="offline") == []
    assert await browser.call("eval", page="offline", expr="typeof window.fetch") == "function"


async def test_a_typed_text_call_creates_the_lead(console: Console, browser: Browser) -> None:
    """A call started with "Start text call" and typed into the page (a persona's answers) creates the Lead."""
    caller = Caller(load_persona("new-prospect", tag="typed"))
    await browser.call("page", name="typed", block=True)
    await browser.call("goto", page="typed", url=f"{console.url}/")
    await browser.call("wait", page="typed", expr="document.getElementById('app').dataset.ready === 'true'")
    await browser.call("click", page="typed", selector="#start-text")
    seen = 0
    while True:
        state = await browser.call(
            "wait",
            page="typed",
            expr=f"(() => {{ const a = [...document.querySelectorAll('#lines li.agent')];"
            " const s = document.getElementById('app').dataset.callState;"
            f" const last = a.length ? a[a.length - 1].firstChild.textContent : '';"
            f" return (s === 'ended' || a.length > {seen}) && {{state: s, last}}; }})()",
            timeout=20000,
        )
        if state["state"] == "ended":
            break
        seen += 1
        said = caller.respond(state["last"])
        if said is None or "Thank you for calling" in state["last"]:
            await browser.call("wait", page="typed", expr=ENDED, timeout=20000)
            break
        await browser.call("fill", page="typed", selector="#message", value=said)
        await browser.call("press", page="typed", selector="#message", key="Enter")
    root = await _root(browser, "typed")
    assert root["outcome"] == "created"
    email = caller.persona.facts["email"]
    assert await _org_names(console, f"SELECT Id, Name FROM Lead WHERE Email = '{email}'") == ["Priya Natarajan"]


async def test_a_screenshot_of_a_finished_call_is_not_blank(console: Console, browser: Browser, tmp_path: Path) -> None:
    """The finished persona call, photographed: a real PNG with text and colour on it."""
    await browser.call("page", name="shot", block=True)
    await browser.call("goto", page="shot", url=f"{console.url}/?persona=existing-account-deal&autostart=1")
    await browser.call("wait", page="shot", expr=ENDED, timeout=45000)
    assert (await _root(browser, "shot"))["passed"] == "true"
    stats = await browser.call("shot", page="shot", path=str(tmp_path / "console.png"))
    assert (tmp_path / "console.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (stats["width"], stats["height"]) == (1440, 900)
    assert stats["colours"] > 50 and 0.02 < stats["ink"] < 0.9


async def test_a_batch_of_ten_concurrent_persona_calls_all_pass(console: Console, browser: Browser) -> None:
    """The page's batch runs 10 persona calls at once; the progress bar reaches 10/10 with every call passing."""
    await browser.call("page", name="batch", block=True)
    await browser.call("goto", page="batch", url=f"{console.url}/")
    await browser.call("wait", page="batch", expr="document.getElementById('app').dataset.ready === 'true'")
    await browser.call("fill", page="batch", selector="#batch-size", value="10")
    await browser.call("click", page="batch", selector="#run-batch")
    batch = await browser.call(
        "wait",
        page="batch",
        expr="(b => b.dataset.batchState === 'done' && {...b.dataset})(document.getElementById('batch'))",
        timeout=60000,
    )
    assert (batch["finished"], batch["passed"], batch["total"]) == ("10", "10", "10")
    assert await browser.call("eval", page="batch", expr="document.getElementById('batch-bar').style.width") == "100%"
