"""The fault drill (reduced run): each fault × each tool through the real gateway and a faulted org.

Every cell must end in a correct result or a speakable error within the budget, with exactly one
record per create (no duplicate, nothing lost) — see `benchmarks/drills.py` for the judging rules.
The full matrix with figures is `python -m benchmarks.faults`.

A test is one fault's row and judges each of its cells. The cells mostly wait out their faults, so the
module's selected cells run up front, `PARALLEL` at a time (each still with its own org, gateway and
`Faults` on its own ports), in the `matrix` fixture; a cell that raised re-raises in its own test.
"""

from __future__ import annotations

import asyncio

import pytest

from benchmarks.drills import BY_NAME, TOOLS, Cell, Template, run_cell

BUDGET = 1.5
PARALLEL = 8
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
LONG_BUDGET = ("slow_commit", "delay_past_budget")

# FastAPI builds its parameter adapters inside `warnings.catch_warnings()` to silence this pydantic warning, and
# catch_warnings is process-wide, not per thread: a gateway being built while other cells' servers run can lose
# that silence (a lone app, as in production, never does). Only this module builds apps in threads at once.
pytestmark = pytest.mark.filterwarnings("ignore::pydantic.warnings.UnsupportedFieldAttributeWarning")

# (scenario, tool, budget, attempt timeout or None for half the budget)
Key = tuple[str, str, float, float | None]


def _keys(test: str, scenario: str | None) -> list[Key]:
    """The cells a test judges."""
    if test == "test_slow_commit_is_not_created_twice_with_a_long_budget":
        return [(name, "create_case", 5.0, 1.5) for name in LONG_BUDGET]
    assert scenario is not None
    return [(scenario, tool, BUDGET, None) for tool in TOOLS]


def _test_of(item: pytest.Item) -> tuple[str, str | None]:
    """A selected test's function name and scenario."""
    callspec = getattr(item, "callspec", None)
    return getattr(item, "originalname", item.name), callspec.params.get("scenario") if callspec else None


@pytest.fixture(scope="module")
def matrix(request: pytest.FixtureRequest, template: Template) -> dict[Key, Cell | BaseException]:
    """Every cell of the module's selected tests, run concurrently (`PARALLEL` at a time)."""
    selected = [item for item in request.session.items if getattr(item, "module", None) is request.module]
    keys = list(dict.fromkeys(key for item in selected for key in _keys(*_test_of(item))))

    async def run_all() -> list[Cell | BaseException]:
        gate = asyncio.Semaphore(PARALLEL)

        async def one(key: Key) -> Cell:
            scenario, tool, budget, attempt = key
            async with gate:
                return await run_cell(BY_NAME[scenario], tool, template, budget=budget, attempt_timeout=attempt)

        return await asyncio.gather(*(one(key) for key in keys), return_exceptions=True)

    return dict(zip(keys, asyncio.run(run_all()), strict=True))


def _judge(matrix: dict[Key, Cell | BaseException], keys: list[Key]) -> None:
    cells = [matrix[key] for key in keys]
    for cell in cells:
        if isinstance(cell, BaseException):
            raise cell
    red = [f"{c.scenario} × {c.tool}: {c.outcome}: {c.problems}" for c in cells if isinstance(c, Cell) and not c.green]
    assert len(cells) == len(keys) and not red, red


@pytest.mark.parametrize("scenario", FAST)
def test_fault_cell(scenario: str, matrix: dict[Key, Cell | BaseException]) -> None:
    """Each tool answers correctly or speakably in budget; creates leave exactly one record."""
    _judge(matrix, _keys("test_fault_cell", scenario))


@pytest.mark.slow
@pytest.mark.parametrize("scenario", LATE)
def test_late_fault_cell(scenario: str, matrix: dict[Key, Cell | BaseException]) -> None:
    """Delays past the budget and slow commits: no duplicate even when the commit lands late."""
    _judge(matrix, _keys("test_late_fault_cell", scenario))


@pytest.mark.slow
def test_slow_commit_is_not_created_twice_with_a_long_budget(matrix: dict[Key, Cell | BaseException]) -> None:
    """With room to retry inside the budget, a create that commits late is still not made twice."""
    _judge(matrix, _keys("test_slow_commit_is_not_created_twice_with_a_long_budget", None))
