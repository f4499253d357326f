"""The fault drill (reduced run): each fault × each tool through the real gateway and a faulted org.

Every cell must end in a correct result or a speakable error within the budget, with exactly one
record per create (no duplicate, nothing lost) — see `benchmarks/drills.py` for the judging rules.
The full matrix with figures is `python -m benchmarks.faults`.
"""

from __future__ import annotations

import pytest

from benchmarks.drills import BY_NAME, TOOLS, Template, run_cell

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


@pytest.mark.parametrize("tool", TOOLS)
@pytest.mark.parametrize("scenario", FAST)
async def test_fault_cell(scenario: str, tool: str, template: Template) -> None:
    """The tool answers correctly or speakably in budget; creates leave exactly one record."""
    cell = await run_cell(BY_NAME[scenario], tool, template, budget=BUDGET)
    assert cell.green, f"{scenario} × {tool}: {cell.outcome}: {cell.problems}"


@pytest.mark.slow
@pytest.mark.parametrize("tool", TOOLS)
@pytest.mark.parametrize("scenario", LATE)
async def test_late_fault_cell(scenario: str, tool: str, template: Template) -> None:
    """Delays past the budget and slow commits: no duplicate even when the commit lands late."""
    cell = await run_cell(BY_NAME[scenario], tool, template, budget=BUDGET)
    assert cell.green, f"{scenario} × {tool}: {cell.outcome}: {cell.problems}"


@pytest.mark.slow
@pytest.mark.parametrize("scenario", ["slow_commit", "delay_past_budget"])
async def test_slow_commit_is_not_created_twice_with_a_long_budget(scenario: str, template: Template) -> None:
    """With room to retry inside the budget, a create that commits late is still not made twice."""
    cell = await run_cell(BY_NAME[scenario], "create_case", template, budget=5.0, attempt_timeout=1.5)
    assert cell.green, f"{scenario}: {cell.outcome}: {cell.problems}"
