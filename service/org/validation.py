"""Validation of create/update bodies with Salesforce's error codes, messages and `fields`.

`validate_write` turns a JSON body into canonical field names and stored values, or raises the
error a real org would answer: JSON_PARSER_ERROR, INVALID_FIELD, INVALID_FIELD_FOR_INSERT_UPDATE,
STRING_TOO_LONG, INVALID_EMAIL_ADDRESS, INVALID_TYPE_ON_FIELD_IN_RECORD,
INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST, MALFORMED_ID, INVALID_CROSS_REFERENCE_KEY and
REQUIRED_FIELD_MISSING.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from service.errors import SalesforceError
from service.org import ids
from service.org.errors import sf_error
from service.org.store import TEXT_TYPES, sf_datetime
from service.schema import SField, SObject

EMAIL_RE = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$"
)
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# (object name, id) -> exists and not deleted
ReferenceCheck = Callable[[SObject, str], bool]


def _bad_type(f: SField, value: Any) -> SalesforceError:
    return sf_error(400, "INVALID_TYPE_ON_FIELD_IN_RECORD", f"{f.label}: value not of required type: {value}", [f.name])


def _json_error(value: Any) -> SalesforceError:
    kind = "START_OBJECT" if isinstance(value, dict) else "START_ARRAY"
    return sf_error(400, "JSON_PARSER_ERROR", f"Cannot deserialize instance of string from {kind} value")


def parse_datetime(text: str) -> datetime | None:
    """An ISO datetime with Z, ±hh:mm or ±hhmm (or none: UTC), None if it is not one."""
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    value = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def convert(f: SField, value: Any, exists: ReferenceCheck, schema_get: Callable[[str], SObject | None]) -> Any:
    """The stored value of `value` for field `f`, or the Salesforce error it causes."""
    if value is None:
        return None
    if isinstance(value, dict | list):
        raise _json_error(value)
    t = f.type
    if t in TEXT_TYPES:
        text = value if isinstance(value, str) else (str(value).lower() if isinstance(value, bool) else str(value))
        if f.length and len(text) > f.length:
            raise sf_error(
                400, "STRING_TOO_LONG", f"{f.label}: data value too large: {text} (max length={f.length})", [f.name]
            )
        if t == "email" and text and not EMAIL_RE.match(text):
            raise sf_error(400, "INVALID_EMAIL_ADDRESS", f"{f.label}: invalid email address: {text}", [f.name])
        if f.restricted_picklist and text:
            allowed = {v.lower(): v for v in f.picklist_values}
            parts = text.split(";") if t == "multipicklist" else [text]
            if any(p.lower() not in allowed for p in parts):
                raise sf_error(
                    400,
                    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                    f"{f.label}: bad value for restricted picklist field: {text}",
                    [f.name],
                )
            text = ";".join(allowed[p.lower()] for p in parts)
        return text if text != "" else None
    if t == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise _bad_type(f, value)
    if t in ("int", "double", "currency", "percent"):
        if isinstance(value, bool):
            raise _bad_type(f, value)
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            raise _bad_type(f, value) from None
        if not math.isfinite(number):
            raise _bad_type(f, value)
        digits = (f.precision - f.scale) if f.precision else 18
        if abs(number) >= 10.0 ** min(digits, 18):
            raise sf_error(
                400,
                "NUMBER_OUTSIDE_VALID_RANGE",
                f"{f.label}: value outside of valid range on numeric field: {value}",
                [f.name],
            )
        if t == "int":
            if number != int(number):
                raise _bad_type(f, value)
            return int(number)
        return number
    if t == "date":
        if not isinstance(value, str):
            raise _bad_type(f, value)
        head = value[:10]
        if not DATE_RE.match(head):
            raise _bad_type(f, value)
        try:
            return date.fromisoformat(head).isoformat()
        except ValueError:
            raise _bad_type(f, value) from None
    if t == "datetime":
        moment = parse_datetime(value) if isinstance(value, str) else None
        if moment is None:
            raise _bad_type(f, value)
        return sf_datetime(moment)
    if t in ("reference", "id"):
        return _reference(f, value, exists, schema_get)
    return value


def _reference(f: SField, value: Any, exists: ReferenceCheck, schema_get: Callable[[str], SObject | None]) -> Any:
    text = str(value)
    if text == "":
        return None
    record_id = ids.normalize(text)
    if record_id is None:
        raise sf_error(400, "MALFORMED_ID", f"{f.label}: id value of incorrect type: {text}", [f.name])
    targets = [o for o in (schema_get(name) for name in f.reference_to) if o is not None]
    if not targets:
        return record_id
    target = next((o for o in targets if o.key_prefix == record_id[:3]), None)
    if target is None:
        raise sf_error(400, "MALFORMED_ID", f"{f.label}: id value of incorrect type: {text}", [f.name])
    if not exists(target, record_id):
        raise sf_error(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [])
    return record_id


def validate_write(
    obj: SObject,
    body: Any,
    *,
    creating: bool,
    exists: ReferenceCheck,
    schema_get: Callable[[str], SObject | None],
) -> dict[str, Any]:
    """Canonical field name → stored value for a create (or update) body; raises on the first error."""
    if not isinstance(body, dict):
        kind = "START_ARRAY" if isinstance(body, list) else "VALUE_STRING"
        raise sf_error(400, "JSON_PARSER_ERROR", f"Cannot deserialize instance of {obj.name} from {kind} value")
    values: dict[str, Any] = {}
    for key, value in body.items():
        if key == "attributes":
            continue
        f = obj.field(key)
        if f is None:
            raise sf_error(400, "INVALID_FIELD", f"No such column '{key}' on sobject of type {obj.name}")
        if f.name == "Id":
            raise sf_error(400, "INVALID_FIELD", "The Id field should not be specified in the sobject data.")
        if not (f.createable if creating else f.updateable):
            action = "create" if creating else "update"
            raise sf_error(
                400,
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                f"Unable to {action} fields: {f.name}. Please check the security settings of this field and verify "
                "that it is read/write for your profile or permission set.",
                [f.name],
            )
        values[f.name] = convert(f, value, exists, schema_get)
    required = obj.required_on_create
    if creating:
        missing = [name for name in required if values.get(name) is None]
    else:
        missing = [name for name in required if name in values and values[name] is None]
    if missing:
        raise sf_error(400, "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(missing)}]", missing)
    return values
