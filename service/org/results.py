"""Run a query `Plan` on SQLite and shape Salesforce's answer, with queryMore cursors.

The first page and each queryMore page are separate `LIMIT/OFFSET` windows of the same SQL, so
only one batch is ever materialised. `totalSize` is exact (a COUNT over the same FROM/WHERE
when the first page is full). Parents become nested objects with `attributes` (or null); child
subqueries are fetched for the whole page in one SQL per relationship (ROW_NUMBER() for a child
LIMIT) and become `{totalSize, done, records}` or null.
"""

from __future__ import annotations

from typing import Any

from service.errors import SalesforceError
from service.org import grouping
from service.org.cursors import Cursor, Cursors, batch_size
from service.org.errors import sf_error
from service.org.formatting import format_value
from service.org.query import ChildPlan, Item, Plan

__all__ = ["Cursors", "answer", "batch_size", "count", "fetch", "more", "page", "render"]
from service.org.records import record_url
from service.org.store import Store, quote, to_python


def _base_sql(plan: Plan) -> str:
    if plan.grouping_sets:
        union = grouping.union_sql(
            plan.columns, plan.from_sql, plan.where, plan.having, plan.grouping_sets, plan.grouped
        )
        return f"SELECT * FROM ({union})" + (f" ORDER BY {_positions(plan)}" if _positions(plan) else "")
    sql = f"SELECT {', '.join(grouping.plain_columns(plan.columns))} FROM {plan.from_sql}"
    if plan.where:
        sql += f" WHERE {plan.where}"
    if plan.group:
        sql += f" GROUP BY {plan.group}"
    if plan.having:
        sql += f" HAVING {plan.having}"
    if plan.order:
        sql += f" ORDER BY {plan.order}"
    return sql


def _positions(plan: Plan) -> str:
    """ORDER BY of a rolled-up query as column positions (its terms name the inner query's columns)."""
    terms = []
    for term in (t.strip() for t in plan.order.split(",") if t.strip()):
        expr, _, direction = term.partition(" ")
        if expr in plan.columns:
            terms.append(f"{plan.columns.index(expr) + 1} {direction}")
    return ", ".join(terms)


def _params(plan: Plan) -> list[Any]:
    return grouping.params(plan.where_params, plan.having_params, plan.grouping_sets)


def count(store: Store, plan: Plan) -> int:
    """Rows the query matches, within its LIMIT/OFFSET."""
    if plan.grouping_sets:
        inner = grouping.union_sql(["1"], plan.from_sql, plan.where, plan.having, plan.grouping_sets, plan.grouped)
    else:
        inner = f"SELECT 1 FROM {plan.from_sql}" + (f" WHERE {plan.where}" if plan.where else "")
        if plan.group:
            inner += f" GROUP BY {plan.group}" + (f" HAVING {plan.having}" if plan.having else "")
    if plan.limit is not None or plan.offset:
        inner = f"SELECT 1 FROM ({inner}) LIMIT {plan.limit if plan.limit is not None else -1} OFFSET {plan.offset}"
    return int(store.execute(f"SELECT COUNT(*) FROM ({inner})", _params(plan))[0][0])


def fetch(store: Store, plan: Plan, start: int, size: int) -> list[tuple[Any, ...]]:
    """Rows `start … start+size` of the query's result (relative to its own OFFSET)."""
    if plan.limit is not None:
        size = max(0, min(size, plan.limit - start))
    if size == 0:
        return []
    sql = f"{_base_sql(plan)} LIMIT {int(size)} OFFSET {int(plan.offset + start)}"
    return store.execute(sql, _params(plan))


def render(plan: Plan, row: tuple[Any, ...], version: str, children: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One record in Salesforce's shape (keys in select order, canonical spelling)."""
    if plan.aggregate:
        out: dict[str, Any] = {"attributes": {"type": "AggregateResult"}}
        for item in plan.items:
            out[item.key] = row[item.index]
        return out
    record_id = row[0]
    out = {"attributes": {"type": plan.obj.name, "url": record_url(version, plan.obj.name, record_id)}}
    for item in plan.items:
        if item.kind == "child":
            out[item.key] = children.get(item.key, {}).get(record_id)
            continue
        if item.kind == "typeof":
            out[item.key] = _typeof(item, row, version)
            continue
        container: dict[str, Any] | None = out
        for depth in range(len(item.rels)):
            rel = item.rels[depth]
            assert container is not None
            if rel not in container:
                join = plan.joins[item.rels[: depth + 1]]
                parent_id = row[join.id_index]
                kind = row[join.type_index] if join.type_index >= 0 else join.obj.name
                container[rel] = (
                    None
                    if parent_id is None or kind is None
                    else {"attributes": {"type": kind, "url": record_url(version, kind, parent_id)}}
                )
            container = container[rel]
            if container is None:
                break
        if container is not None:
            container[item.key] = _value(item, row)
    return out


def _typeof(item: Item, row: tuple[Any, ...], version: str) -> dict[str, Any] | None:
    """The first TYPEOF branch whose record exists (the WHENs, then the ELSE), or None."""
    for branch in item.branches:
        record_id = row[branch.id_index]
        kind = branch.obj_type or (row[branch.type_index] if branch.type_index >= 0 else None)
        if record_id is None or kind is None:
            continue
        out: dict[str, Any] = {"attributes": {"type": kind, "url": record_url(version, kind, record_id)}}
        for key, f, index in branch.fields:
            out[key] = to_python(f, row[index])
        return out
    return None


def _value(item: Item, row: tuple[Any, ...]) -> Any:
    if item.kind == "address":
        out = {k: row[i] for k, i in item.indexes.items()}
        return out if any(v is not None for v in out.values()) else None
    assert item.field is not None
    value = to_python(item.field, row[item.index])
    if item.labels is not None and isinstance(value, str):
        return ";".join(item.labels.get(v, v) for v in value.split(";"))
    return value if item.fmt_tz is None else format_value(item.field, value, item.fmt_tz)


def fetch_children(store: Store, child: ChildPlan, parent_ids: list[str], version: str) -> dict[str, dict[str, Any]]:
    """Child records of every parent on a page: parent id → `{totalSize, done, records}`."""
    if not parent_ids:
        return {}
    plan = child.plan
    link = f"{plan.alias}.{quote(child.link)}"
    where = f"{link} IN ({', '.join('?' * len(parent_ids))})" + (f" AND {plan.where}" if plan.where else "")
    columns = ", ".join([*plan.columns, link])
    order = plan.order or f"{plan.alias}.rowid"
    if plan.limit is not None or plan.offset:
        window = f"ROW_NUMBER() OVER (PARTITION BY {link} ORDER BY {order}) AS rn"
        inner = f"SELECT {columns}, {window} FROM {plan.from_sql} WHERE {where}"
        hi = plan.offset + (plan.limit if plan.limit is not None else 10**9)
        sql = f"SELECT * FROM ({inner}) WHERE rn > {plan.offset} AND rn <= {hi} ORDER BY rn"
    else:
        sql = f"SELECT {columns} FROM {plan.from_sql} WHERE {where} ORDER BY {order}"
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in store.execute(sql, [*parent_ids, *plan.where_params]):
        parent = row[len(plan.columns)]
        grouped.setdefault(parent, []).append(render(plan, row, version, {}))
    return {pid: {"totalSize": len(recs), "done": True, "records": recs} for pid, recs in grouped.items()}


def page(store: Store, plan: Plan, start: int, size: int, version: str) -> list[dict[str, Any]]:
    """Rendered records of one window, children included."""
    rows = fetch(store, plan, start, size)
    children: dict[str, dict[str, dict[str, Any]]] = {}
    if plan.children and rows:
        parent_ids = [r[0] for r in rows]
        for item in plan.children:
            assert item.child is not None
            children[item.key] = fetch_children(store, item.child, parent_ids, version)
    return [render(plan, r, version, children) for r in rows]


def answer(store: Store, cursors: Cursors, plan: Plan, version: str, batch: int, all_rows: bool) -> dict[str, Any]:
    """The first page of a query result."""
    if plan.count_only:
        return {"totalSize": count(store, plan), "done": True, "records": []}
    records = page(store, plan, 0, batch, version)
    total = len(records) if len(records) < batch else count(store, plan)
    body: dict[str, Any] = {"totalSize": total, "done": total <= len(records), "records": records}
    if total > len(records):
        locator = cursors.open(Cursor(plan, total, batch, all_rows))
        body = {
            "totalSize": total,
            "done": False,
            "nextRecordsUrl": _next_url(version, all_rows, locator, batch),
            "records": records,
        }
    return body


def _next_url(version: str, all_rows: bool, locator: str, offset: int) -> str:
    return f"/services/data/{version}/{'queryAll' if all_rows else 'query'}/{locator}-{offset}"


def more(store: Store, cursors: Cursors, locator_text: str, version: str) -> dict[str, Any]:
    """A queryMore page: `<locator>-<offset>`."""
    locator, _, offset_text = locator_text.partition("-")
    cursor = cursors.get(locator)
    if cursor is None or not offset_text.isdigit() or int(offset_text) >= cursor.total:
        raise invalid_locator()
    start = int(offset_text)
    records = page(store, cursor.plan, start, cursor.batch, version)
    end = start + len(records)
    body: dict[str, Any] = {"totalSize": cursor.total, "done": end >= cursor.total}
    if end < cursor.total:
        body["nextRecordsUrl"] = _next_url(version, cursor.all_rows, locator, end)
    body["records"] = records
    return body


def invalid_locator() -> SalesforceError:
    """400 INVALID_QUERY_LOCATOR."""
    return sf_error(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
