"""The one error the SOQL parser raises."""

from __future__ import annotations

from service.errors import SoqlRejected


class SoqlSyntaxError(SoqlRejected):
    """Text that is not SOQL (Salesforce answers MALFORMED_QUERY); `column` is 1-based, 0 if unknown."""

    def __init__(self, message: str, column: int = 0) -> None:
        super().__init__(message)
        self.column = column

    def __str__(self) -> str:
        return self.message
