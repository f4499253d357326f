"""What the rules agent knows about a caller, and the record fields it builds from that."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from service.text.address import address_parts


@dataclass
class Facts:
    """What the agent knows about the caller (from the call and from the records)."""

    values: dict[str, Any] = field(default_factory=dict)
    on_file: set[str] = field(default_factory=set)

    def has(self, key: str) -> bool:
        return self.values.get(key) not in (None, "")

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def description(self) -> str:
        """Qualification notes for the record's Description."""
        parts = []
        notes = [
            ("challenges", "Needs"),
            ("employees", "Employees"),
            ("budget", "Budget"),
            ("timeline", "Timeline"),
            ("decision_maker", "Decision maker"),
        ]
        if self.address_fields() is None:  # an address that isn't a US street address stays in the notes
            notes.append(("address", "Address"))
        for key, label in notes:
            value = self.get(key)
            if isinstance(value, float) and value.is_integer():
                value = f"${int(value):,}" if key == "budget" else int(value)
            if value not in (None, ""):
                parts.append(f"{label}: {value}")
        return "; ".join(parts)

    def address_fields(self) -> dict[str, str] | None:
        """The caller's address as Street/City/State/PostalCode/Country, when it parses as one."""
        address = self.get("address")
        return address_parts(address) if isinstance(address, str) else None

    def person_fields(self, obj: str, account: dict[str, Any] | None) -> dict[str, Any]:
        """Lead or Contact fields (a Contact is linked to the account)."""
        fields: dict[str, Any] = {
            "FirstName": self.get("first_name"),
            "LastName": self.get("last_name"),
            "Email": self.get("email"),
            "Phone": self.get("phone"),
            "Title": self.get("title"),
            "Description": self.description(),
        }
        fields.update(self.address_fields() or {})
        if obj == "Lead":
            fields.update(Company=self.get("company"), Industry=self.get("industry"))
            if isinstance(self.get("employees"), int | float):
                fields["NumberOfEmployees"] = int(self.get("employees"))
        elif account is not None:
            fields["AccountId"] = account.get("Id")
        return {k: v for k, v in fields.items() if v not in (None, "")}

    def close_date(self, today: dt.date) -> dt.date:
        """The timeline the caller gave, else 90 days out."""
        close = self.get("timeline")
        return close if isinstance(close, dt.date) else today + dt.timedelta(days=90)

    def opportunity_name(self, account: dict[str, Any] | None, today: dt.date) -> str:
        """Named like the seed's examples ("Q1 Enterprise Deal"): company, quarter and year of the close."""
        company = str(account.get("Name") if account else self.get("company"))
        close = self.close_date(today)
        return f"{company} - Q{(close.month - 1) // 3 + 1} {close.year} New Business"

    def opportunity_fields(self, account: dict[str, Any] | None, today: dt.date) -> dict[str, Any]:
        """A new Opportunity on the account, at Qualification, with the caller's budget and timeline."""
        fields: dict[str, Any] = {
            "Name": self.opportunity_name(account, today),
            "StageName": "Qualification",
            "CloseDate": self.close_date(today).isoformat(),
            "AccountId": account.get("Id") if account else None,
            "Description": self.description(),
        }
        if isinstance(self.get("budget"), int | float):
            fields["Amount"] = self.get("budget")
        return {k: v for k, v in fields.items() if v not in (None, "")}
