"""The runner closes the loop: each call's signed post-call event becomes one Task, judged by `call_logged`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from service.runner.report import render_html
from service.runner.run import run_persona
from service.runner.stack import Stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The embedded org + the real gateway (with a post-call secret) on loopback."""
    with Stack(data_dir=tmp_path_factory.mktemp("org")) as running:
        yield running


@pytest.mark.parametrize("name", ["new-prospect", "existing-contact", "impatient", "hang-up"])
async def test_call_ends_logged(stack: Stack, name: str) -> None:
    """The call's `call_logged` check passes: one Task on the caller's record (none for a caller never identified)."""
    executor = stack.executor()
    try:
        record = await run_persona(name, executor, tag="pc", after_call=stack.post_call_logger())
    finally:
        await executor.aclose()
    logged = [c for c in record.checks if c.name == "call_logged"]
    assert len(logged) == 1 and logged[0].passed, logged
    assert "Logged in Salesforce" in render_html(record)
    assert stack.post_call_secret and stack.post_call_secret not in render_html(record)


async def test_report_shows_the_task(stack: Stack, tmp_path: Path) -> None:
    """The report carries the Task's subject and the qualification answers the agent collected."""
    executor = stack.executor()
    try:
        record = await run_persona("new-prospect", executor, tag="pr", after_call=stack.post_call_logger())
    finally:
        await executor.aclose()
    [task] = record.verification["post_call"]["tasks"]
    assert task["Subject"] == "Call with Salesforce sales assistant: created Lead"
    assert "Budget:" in task["Description"] and record.conversation_id in task["Description"]
    assert task["Subject"] in render_html(record)
