"""Progress bars and tables for the terminal (`calls`, the benchmarks), drawn by rich.

On a terminal: a live progress bar on stderr and boxed tables. Anywhere else (a pipe, a log file, CI,
pytest's captured output) they degrade to plain lines: one line per finished item on stderr, and a
table as space-aligned columns with no box, colour or wrapping, so the output stays greppable.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol

from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Column, Table
from rich.text import Text

PLAIN_WIDTH = 240  # a plain table is never wrapped: logs are read with wide lines


def console(*, stderr: bool = False) -> Console:
    """A console on the current stdout/stderr (looked up now, so redirected streams are honoured)."""
    stream = sys.stderr if stderr else sys.stdout
    if stream.isatty():
        return Console(file=stream)
    return Console(file=stream, width=PLAIN_WIDTH, no_color=True, highlight=False, emoji=False)


class Advance(Protocol):
    def __call__(self, note: str = "") -> None:
        """One more item is done; `note` says which (plain output prints it)."""
        ...


@contextmanager
def progress(total: int, label: str) -> Iterator[Advance]:
    """A progress bar over `total` items on stderr; yields the function to call as each one finishes."""
    out = console(stderr=True)
    if not out.is_terminal:
        done = 0

        def plain(note: str = "") -> None:
            nonlocal done
            done += 1
            out.print(f"{label} {done}/{total}" + (f" {note}" if note else ""), markup=False)

        yield plain
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=out, transient=False) as bar:
        task = bar.add_task(label, total=total)

        def live(note: str = "") -> None:
            bar.advance(task)

        yield live


def print_table(columns: Sequence[str | Column], rows: Iterable[Sequence[object]], *, title: str | None = None) -> None:
    """Print `rows` (cells already formatted) under `columns`; `right(header)` right-aligns a column."""
    out = console()
    if title:  # a line of its own: a table's title would wrap to the table's width
        out.print(Text(title, style="bold"))
    table = Table(*columns, box=box.SIMPLE_HEAD if out.is_terminal else None, show_edge=False, pad_edge=False)
    for row in rows:
        table.add_row(*(Text(str(cell)) for cell in row))  # Text: cell values are never read as markup
    if out.is_terminal:
        out.print(table)
        return
    with out.capture() as captured:  # plain lines: no padding after the last column
        out.print(table)
    out.file.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))


def right(header: str) -> Column:
    """A right-aligned (numeric) column."""
    return Column(header, justify="right")
