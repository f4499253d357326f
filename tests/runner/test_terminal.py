"""Progress and tables off a terminal (what pytest, pipes and CI see): plain lines, no box or escapes."""

from __future__ import annotations

import pytest

from service.runner.terminal import print_table, progress, right


def test_progress_off_a_terminal_is_one_plain_line_per_item(capsys: pytest.CaptureFixture[str]) -> None:
    """Each finished item is a line `label done/total note` on stderr."""
    with progress(2, "calls") as advance:
        advance("hang-up pass")
        advance("new-prospect FAIL")
    err = capsys.readouterr().err
    assert err.splitlines() == ["calls 1/2 hang-up pass", "calls 2/2 new-prospect FAIL"]


def test_table_off_a_terminal_is_aligned_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    """A table is a header line and a line per row, numbers right-aligned, no box drawing or colour."""
    print_table(["persona", right("p50 ms")], [["new-prospect", "12.5"], ["hang-up [bold]x[/]", "3.0"]])
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["persona             p50 ms", "new-prospect          12.5", "hang-up [bold]x[/]     3.0"]
    assert not any(ch in "".join(lines) for ch in "─│┃━\x1b")
