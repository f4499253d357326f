"""How the rules agent looks a caller up: the searches in order, and what their answers mean.

The caller is looked for by email (Contact, then Lead), then by full name (Contact, then Lead). A
search answers exact `records`, or, when the gateway's tolerant pass found only near misses (a
recogniser's "Jon Smyth" for John Smith), `suggestions`: flattened records, closest first, with
`matched_on` and `score`. An email match is the caller; a name match or any suggestion is only a
candidate the agent must confirm with the caller, by name and company, before using it (what the
search tool's description tells every agent).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.runner.webhooks import ToolResult
from service.soql.quoting import quote_value

FIELDS = {
    "Contact": "Id, Name, FirstName, LastName, Email, Phone, Title, Account.Name, AccountId",
    "Lead": "Id, Name, FirstName, LastName, Email, Phone, Title, Company, Status",
}


@dataclass(frozen=True)
class Step:
    """One search of the lookup: `object` by `field` = `value`."""

    object: str
    field: str
    value: str

    def query(self) -> str:
        return f"SELECT {FIELDS[self.object]} FROM {self.object} WHERE {self.field} = {quote_value(self.value)} LIMIT 5"


@dataclass(frozen=True)
class Candidate:
    """A record the caller may be: `sure` when it matched exactly on email (no confirmation needed)."""

    object: str
    record: dict[str, Any]
    sure: bool

    @property
    def id(self) -> str:
        return str(self.record.get("Id") or "")

    @property
    def name(self) -> str:
        rec = self.record
        joined = " ".join(str(rec[k]) for k in ("FirstName", "LastName") if rec.get(k))
        return str(rec.get("Name") or joined)

    @property
    def company(self) -> str | None:
        return company_of(self.record)


def company_of(record: dict[str, Any]) -> str | None:
    """The company a flattened Contact or Lead belongs to (`Account` as a name or an object, or `Company`)."""
    for key in ("Account.Name", "Account", "Company"):
        value = record.get(key)
        if isinstance(value, dict):
            value = value.get("Name")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def steps_for(email: str | None, first: str | None, last: str | None) -> list[Step]:
    """The searches, strongest identity first."""
    steps = [Step(obj, "Email", email) for obj in ("Contact", "Lead") if email]
    full = " ".join(p for p in (first, last) if p)
    if first and last:
        steps += [Step(obj, "Name", full) for obj in ("Contact", "Lead")]
    return steps


def rows(result: ToolResult, key: str = "records") -> list[dict[str, Any]]:
    """The answer's `records` (or `suggestions`) as dicts; nothing for a failed call."""
    if result.ok and isinstance(result.data, dict) and isinstance(result.data.get(key), list):
        return [r for r in result.data[key] if isinstance(r, dict)]
    return []


def candidate(step: Step, result: ToolResult, rejected: set[str]) -> Candidate | None:
    """What one search says about the caller: an exact email match, or the closest record to confirm."""
    exact = [r for r in rows(result) if str(r.get("Id")) not in rejected]
    if exact:
        return Candidate(step.object, exact[0], sure=step.field == "Email")
    near = [r for r in rows(result, "suggestions") if str(r.get("Id")) not in rejected]
    return Candidate(step.object, near[0], sure=False) if near else None
