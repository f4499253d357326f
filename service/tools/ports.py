"""What the tools need from Salesforce, as a `Protocol`: the tools depend on this, not on the client.

`service.salesforce.client.SalesforceClient` implements it structurally (strict mypy checks that
where the per-request context is built); a test double or a second backend only has to match these
signatures. `update` (PATCH) joins here when the client grows it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from service.deadline import Deadline


class QueryPage(Protocol):
    """One query's answer: the rows held and how many matched in all."""

    @property
    def total_size(self) -> int: ...

    @property
    def records(self) -> Sequence[dict[str, Any]]: ...


class SalesforcePort(Protocol):
    """The Salesforce REST operations the tools and the schema cache call."""

    async def query(
        self, soql: str, *, deadline: Deadline, max_records: int | None = None, batch_size: int | None = None
    ) -> QueryPage:
        """Run one SOQL query (following pages up to `max_records` rows)."""
        ...

    async def get(
        self, object_name: str, record_id: str, fields: list[str] | None = None, *, deadline: Deadline
    ) -> dict[str, Any]:
        """One record by id."""
        ...

    async def create(
        self,
        object_name: str,
        fields: Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
        deadline: Deadline,
    ) -> str:
        """Create one record; returns its id (raises `OutcomeUnknown` when the answer was lost)."""
        ...

    async def search(self, sosl: str, *, deadline: Deadline) -> list[dict[str, Any]]:
        """Run one SOSL search; the `searchRecords` (each with `attributes.type`)."""
        ...

    async def describe(self, object_name: str, *, deadline: Deadline) -> dict[str, Any]:
        """The object's describe."""
        ...
