"""GROUP BY ROLLUP(…) / CUBE(…) and GROUPING(field) on SQLite, which has neither.

A rolled-up query runs as a UNION ALL of its grouping sets: ROLLUP(a, b) is (a, b), (a), ();
CUBE(a, b) is (a, b), (a), (b), (). In each set the columns grouped away are NULL (the subtotal
rows Salesforce returns) and `GROUPING(x)` is 1 where x is grouped away, else 0.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

GROUPING_MARK = "/*GROUPING*/"


def grouping_sets(fixed: list[str], rolled: list[str], cube: bool) -> list[list[str]]:
    """The grouping sets of `GROUP BY fixed…, ROLLUP|CUBE(rolled…)`."""
    if cube:
        subsets = [list(c) for size in range(len(rolled), -1, -1) for c in combinations(rolled, size)]
    else:
        subsets = [rolled[:size] for size in range(len(rolled), -1, -1)]
    return [fixed + subset for subset in subsets]


def _column(sql: str, grouped: list[str], every: list[str]) -> str:
    if sql.startswith(GROUPING_MARK):
        return "1" if sql[len(GROUPING_MARK) :] not in grouped else "0"
    return "NULL" if sql in every and sql not in grouped else sql


def plain_columns(columns: list[str]) -> list[str]:
    """Columns of a query without ROLLUP/CUBE: GROUPING(x) is always 0."""
    return ["0" if c.startswith(GROUPING_MARK) else c for c in columns]


def union_sql(
    columns: list[str], from_sql: str, where: str, having: str, sets: list[list[str]], every: list[str]
) -> str:
    """The UNION ALL over the grouping sets (no ORDER BY; see `ordered`)."""
    selects = []
    for grouped in sets:
        sql = f"SELECT {', '.join(_column(c, grouped, every) for c in columns)} FROM {from_sql}"
        if where:
            sql += f" WHERE {where}"
        if grouped:
            sql += f" GROUP BY {', '.join(grouped)}"
        if having:
            sql += f" HAVING {having}"
        selects.append(sql)
    return " UNION ALL ".join(selects)


def params(where_params: list[Any], having_params: list[Any], sets: list[list[str]] | None) -> list[Any]:
    """Parameters of the query, repeated per grouping set."""
    return [*where_params, *having_params] * (len(sets) if sets else 1)
