"""`calls-log list|retry` on the outbox file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from service.calls_log.outbox import SqliteOutbox
from service.cli import main
from service.settings import get_settings


@pytest.fixture
def outbox_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "outbox.sqlite3"
    monkeypatch.setenv("POST_CALL_OUTBOX", str(path))
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


async def test_list_shows_kept_event_and_retry_requeues_it(
    outbox_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A dead event is listed (exit 1); retry makes it pending again and list then exits 0."""
    outbox = SqliteOutbox(outbox_path)
    await outbox.add("post_call_transcription:conv_cli", {"type": "post_call_transcription"})
    await outbox.failed("post_call_transcription:conv_cli", "undeliverable: No record", None)
    outbox.close()
    assert await _run(["calls-log", "list"]) == 1
    assert "dead" in capsys.readouterr().out
    assert await _run(["calls-log", "retry"]) == 0
    assert await _run(["calls-log", "list"]) == 0
    assert "pending" in capsys.readouterr().out


async def test_list_without_outbox_is_one_line(outbox_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No outbox file yet: exit 2 with one line naming the setting."""
    assert await _run(["calls-log", "list"]) == 2
    assert "POST_CALL_OUTBOX" in capsys.readouterr().err


async def _run(argv: list[str]) -> int:
    import asyncio

    return await asyncio.to_thread(main, argv)


async def test_bad_field_map_stops_the_start(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A malformed POST_CALL_FIELD_UPDATES is one line naming the setting, before anything starts."""
    monkeypatch.setenv("POST_CALL_FIELD_UPDATES", "budget=AnnualRevenue")
    get_settings.cache_clear()
    try:
        assert await _run(["calls-log", "list"]) == 2
    finally:
        get_settings.cache_clear()
    assert "POST_CALL_FIELD_UPDATES must be item=Object.Field pairs" in capsys.readouterr().err
