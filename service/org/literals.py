"""Filter literals checked against the field's describe type, as Salesforce checks them.

`CloseDate = '2025-06-30'`, `IsConverted = 'false'`, `Amount > '50000'`, `CreatedDate > 2024-01-01`
(a date against a dateTime field), `Name = 5`: each answers 400 INVALID_FIELD "value of filter
criterion for field 'X' must be of type T and should [not] be enclosed in quotes".
"""

from __future__ import annotations

from sqlglot import exp

from service.soql import nodes as soql_nodes

# describe type → the type name Salesforce's message uses
SOAP_TYPE = {
    "date": "date",
    "datetime": "dateTime",
    "boolean": "boolean",
    "double": "double",
    "currency": "double",
    "percent": "double",
    "int": "int",
    "id": "id",
    "reference": "id",
}
QUOTED_TYPES = frozenset({"id", "string"})
NUMBER_TYPES = frozenset({"double", "currency", "percent", "int"})


def literal_kind(node: exp.Expr) -> str | None:
    """`string`, `number`, `boolean`, `date`, `dateTime`, `dateLiteral` or None (null, other)."""
    if isinstance(node, exp.Literal):
        return "string" if node.is_string else "number"
    if isinstance(node, exp.Boolean):
        return "boolean"
    if isinstance(node, soql_nodes.SoqlDate):
        return "date"
    if isinstance(node, soql_nodes.SoqlDateTime):
        return "dateTime"
    if isinstance(node, soql_nodes.DateLiteral):
        return "dateLiteral"
    return None


def accepts(ftype: str, kind: str) -> bool:
    """True when a literal of `kind` may be compared with a field of describe type `ftype`."""
    if ftype == "date":
        return kind in ("date", "dateLiteral")
    if ftype == "datetime":
        return kind in ("dateTime", "dateLiteral")
    if ftype == "boolean":
        return kind == "boolean"
    if ftype in NUMBER_TYPES:
        return kind == "number"
    return kind == "string"


def type_message(field_name: str, ftype: str) -> str:
    """Salesforce's text for a literal of the wrong type."""
    name = SOAP_TYPE.get(ftype, "string")
    quotes = "should be enclosed in quotes" if name in QUOTED_TYPES else "should not be enclosed in quotes"
    return f"value of filter criterion for field '{field_name}' must be of type {name} and {quotes}"
