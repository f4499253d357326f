"""The fault drill (reduced run): each fault × each tool through the real gateway and a faulted org.

Every cell must end in a correct result or a speakable error within the budget, with exactly one
record per create (no duplicate, nothing lost) — see `benchmarks/drills.py` for the judging rules.
The full matrix with figures is `python -m benchmarks.faults`.

A test is one fault's row: its four cells run concurrently (each still has its own org, gateway and
`Faults`, on its own ports), because a cell mostly waits out its fault; every cell is judged on its own.
"""

from __future__ import annotations

import asyncio

import pytest

from benchmarks.drills import BY_NAME, TOOLS, Cell, Template, run_cell

BUDGET = 1.5
FAST = (
    "none",
    "token_5xx_once",
    "token_5xx",
    "token_refused_once",
    "token_refused",
    "session_expired_once",
    "session_expired",
    "503_once",
    "503",
    "limit_once",
    "limit",
    "reset_once",
    "reset",
    "reset_after_commit",
)
LATE = ("delay_past_budget", "answer_past_budget", "slow_commit", "slow_commit_past_budget", "token_slow")


async def _row(scenarios: list[str], tools: tuple[str, ...], template: Template, **options: float) -> list[Cell]:
    """Every scenario × tool cell, run concurrently."""
    cells = (run_cell(BY_NAME[s], tool, template, **options) for s in scenarios for tool in tools)
    return list(await asyncio.gather(*cells))


def _red(cells: list[Cell]) -> list[str]:
    return [f"{c.scenario} × {c.tool}: {c.outcome}: {c.problems}" for c in cells if not c.green]


@pytest.mark.parametrize("scenario", FAST)
async def test_fault_cell(scenario: str, template: Template) -> None:
    """Each tool answers correctly or speakably in budget; creates leave exactly one record."""
    cells = await _row([scenario], TOOLS, template, budget=BUDGET)
    assert [c.tool for c in cells] == list(TOOLS) and not _red(cells), _red(cells)


@pytest.mark.slow
@pytest.mark.parametrize("scenario", LATE)
async def test_late_fault_cell(scenario: str, template: Template) -> None:
    """Delays past the budget and slow commits: no duplicate even when the commit lands late."""
    cells = await _row([scenario], TOOLS, template, budget=BUDGET)
    assert [c.tool for c in cells] == list(TOOLS) and not _red(cells), _red(cells)


@pytest.mark.slow
async def test_slow_commit_is_not_created_twice_with_a_long_budget(template: Template) -> None:
    """With room to retry inside the budget, a create that commits late is still not made twice."""
    cells = await _row(
        ["slow_commit", "delay_past_budget"], ("create_case",), template, budget=5.0, attempt_timeout=1.5
    )
    assert len(cells) == 2 and not _red(cells), _red(cells)
