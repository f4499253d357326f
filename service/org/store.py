"""SQLite storage of the embedded org: one table per object, one column per stored field.

Strings use `COLLATE NOCASE`, so `=`, `IN`, ORDER BY and their indexes are case-insensitive like
SOQL; ids and lookups stay case-sensitive. Datetimes are stored as Salesforce renders them
(`2024-01-15T10:00:00.000+0000`, always UTC), which sorts correctly as text. Deletes are soft
(`IsDeleted = 1`) so a second delete can answer ENTITY_IS_DELETED. Compound fields (addresses) are
not stored; they are assembled from their components when read.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from service.org.ids import make_id, number_of
from service.org.search_index import SearchIndex
from service.schema import Schema, SField, SObject

DB_NAME = "org.sqlite3"
TEXT_TYPES = frozenset(
    {"string", "textarea", "email", "phone", "url", "picklist", "multipicklist", "combobox", "encryptedstring"}
)
INT_TYPES = frozenset({"int", "boolean"})
REAL_TYPES = frozenset({"double", "currency", "percent"})
COMPOUND_TYPES = frozenset({"address", "location"})
INDEXED = (
    "IsDeleted",
    "Email",
    "Name",
    "Phone",
    "LastName",
    "Company",
    "CaseNumber",
    "Username",
    "CreatedDate",
    "StageName",
    "Status",
)
NOT_INDEXED_LOOKUPS = frozenset({"CreatedById", "LastModifiedById", "MasterRecordId"})


def sf_datetime(moment: datetime) -> str:
    """A datetime as Salesforce renders it: UTC, milliseconds, `+0000`."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+0000"


def now_sf() -> str:
    """The current time in Salesforce's datetime format."""
    return sf_datetime(datetime.now(UTC))


def quote(name: str) -> str:
    """An SQL identifier (object and field names are validated against the schema first)."""
    return '"' + name.replace('"', '""') + '"'


def stored_fields(obj: SObject) -> list[SField]:
    """The fields that have a column (everything but compound fields)."""
    return [f for f in obj.fields.values() if f.type not in COMPOUND_TYPES]


def column_sql(f: SField) -> str:
    """The column definition of a field."""
    if f.type in TEXT_TYPES:
        return f"{quote(f.name)} TEXT COLLATE NOCASE"
    if f.type in INT_TYPES:
        return f"{quote(f.name)} INTEGER"
    if f.type in REAL_TYPES:
        return f"{quote(f.name)} REAL"
    if f.name == "Id":
        return f"{quote(f.name)} TEXT NOT NULL UNIQUE"
    return f"{quote(f.name)} TEXT"


def live(obj: SObject, alias: str | None = None, *, indexed: bool = False) -> str:
    """SQL condition selecting records that are not deleted ("1" for objects without IsDeleted).

    The unary `+` keeps the planner off the (unselective) IsDeleted index so Email/Name/lookup
    indexes drive the query; `indexed=True` allows it, for a bare COUNT() (a covering index scan).
    """
    if obj.field("IsDeleted") is None:
        return "1"
    column = f"{alias}.IsDeleted" if alias else "IsDeleted"
    return f"{column} = 0" if indexed else f"+{column} = 0"


def to_python(f: SField, value: Any) -> Any:
    """A stored value as the API returns it."""
    if value is None:
        return None
    if f.type == "boolean":
        return bool(value)
    if f.type == "int":
        return int(value)
    return value


class Store:
    """Thread-safe access to the org's SQLite file (one connection, serialised by a lock)."""

    def __init__(self, data_dir: Path, schema: Schema) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / DB_NAME
        self.schema = schema
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA case_sensitive_like=OFF")
        self.conn.create_function("sf_lower", 1, _lower, deterministic=True)
        self.search = SearchIndex(self.conn)
        self._create_tables()
        self._numbers = {name: self._max_rowid(name) for name in schema.objects}

    def close(self) -> None:
        """Close the connection."""
        with self.lock:
            self.conn.close()

    def _create_tables(self) -> None:
        with self.lock, self.transaction():
            for obj in self.schema.objects.values():
                cols = ", ".join(column_sql(f) for f in stored_fields(obj))
                self.conn.execute(f"CREATE TABLE IF NOT EXISTS {quote(obj.name)} ({cols})")
                for f in stored_fields(obj):
                    lookup = f.is_reference and f.name not in NOT_INDEXED_LOOKUPS
                    if f.name in INDEXED or lookup:
                        index = quote(f"ix_{obj.name}_{f.name}")
                        self.conn.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {quote(obj.name)} ({quote(f.name)})")
            self.search.create()
            if self.search.is_empty():
                self._reindex()

    def _reindex(self) -> None:
        """Index every stored record for SOSL (a database made before the search index existed)."""
        for obj in self.schema.objects.values():
            cur = self.conn.execute(f"SELECT rowid, * FROM {quote(obj.name)}")
            cols = [d[0] for d in cur.description][1:]
            self.search.add(obj, ((r[0], dict(zip(cols, r[1:], strict=True))) for r in cur))

    def analyze(self) -> None:
        """Refresh the query planner's statistics (after bulk loads)."""
        with self.lock:
            self.conn.execute("ANALYZE")

    def _max_rowid(self, name: str) -> int:
        row = self.conn.execute(f"SELECT COALESCE(MAX(rowid), 0) FROM {quote(name)}").fetchone()
        return int(row[0])

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT (ROLLBACK on error), under the store lock."""
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def new_id(self, obj: SObject) -> tuple[int, str]:
        """The next row number and 18-character id of an object."""
        with self.lock:
            self._numbers[obj.name] += 1
            number = self._numbers[obj.name]
        return number, make_id(obj.key_prefix, number)

    def insert(self, obj: SObject, values: Mapping[str, Any]) -> str:
        """Insert one record (values keyed by canonical field names, `Id` optional); returns its id."""
        return self.insert_many(obj, [values])[0]

    def insert_many(self, obj: SObject, rows: Iterable[Mapping[str, Any]]) -> list[str]:
        """Insert records in one transaction; returns their ids."""
        names = [f.name for f in stored_fields(obj)]
        sql = (
            f"INSERT INTO {quote(obj.name)} (rowid, {', '.join(quote(n) for n in names)}) "
            f"VALUES ({', '.join('?' * (len(names) + 1))})"
        )
        ids: list[str] = []
        params: list[Sequence[Any]] = []
        for row in rows:
            if row.get("Id"):
                # Ids made by `new_id` encode their row number, which keeps rowid order = creation order.
                number, record_id = number_of(row["Id"]), row["Id"]
            else:
                number, record_id = self.new_id(obj)
            full = {**row, "Id": record_id}
            ids.append(record_id)
            params.append([number, *(_to_sql(full.get(n)) for n in names)])
        with self.transaction() as conn:
            conn.executemany(sql, params)
            self.search.add(obj, ((p[0], dict(zip(names, p[1:], strict=True))) for p in params))
        return ids

    def update(self, obj: SObject, record_id: str, values: Mapping[str, Any]) -> None:
        """Set fields of one record."""
        if not values:
            return
        sets = ", ".join(f"{quote(name)} = ?" for name in values)
        with self.transaction() as conn:
            conn.execute(
                f"UPDATE {quote(obj.name)} SET {sets} WHERE Id = ?", [*(_to_sql(v) for v in values.values()), record_id]
            )
            cur = conn.execute(f"SELECT rowid, * FROM {quote(obj.name)} WHERE Id = ?", (record_id,))
            row = cur.fetchone()
            if row is not None:
                cols = [d[0] for d in cur.description][1:]
                self.search.replace(obj, row[0], dict(zip(cols, row[1:], strict=True)))

    def get(self, obj: SObject, record_id: str) -> dict[str, Any] | None:
        """All stored fields of a record (deleted ones too), or None."""
        with self.lock:
            cur = self.conn.execute(f"SELECT * FROM {quote(obj.name)} WHERE Id = ?", (record_id,))
            row = cur.fetchone()
            if row is None:
                return None
            cols = [d[0] for d in cur.description]
        fields = obj.fields
        return {c: to_python(fields[c], v) for c, v in zip(cols, row, strict=True)}

    def find_ids(self, obj: SObject, field: str, value: Any, limit: int = 10) -> list[str]:
        """Ids of live records whose `field` equals `value` (case-insensitively for text)."""
        sql = f"SELECT Id FROM {quote(obj.name)} WHERE {quote(field)} = ? AND {live(obj)} LIMIT ?"
        with self.lock:
            return [r[0] for r in self.conn.execute(sql, (value, limit))]

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run a read query and return all rows."""
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    def counts(self) -> dict[str, int]:
        """Live records per object."""
        with self.lock:
            return {
                obj.name: int(
                    self.conn.execute(f"SELECT COUNT(*) FROM {quote(obj.name)} WHERE {live(obj)}").fetchone()[0]
                )
                for obj in self.schema.objects.values()
            }

    def is_empty(self) -> bool:
        """True when no object has any record."""
        return not any(self.counts().values())


def _lower(value: Any) -> Any:
    """`sf_lower(x)`: Unicode lower case, for comparisons SQLite's ASCII-only NOCASE gets wrong."""
    return value.lower() if isinstance(value, str) else value


def _to_sql(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    return value
