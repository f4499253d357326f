"""What a persona expects the agent to create, as tool-call parameter checks and as plain sentences.

The persona files say `@email` (a fact), `@Account` (a fixture's id from the run), `@timeline` (the
spoken timeline as a date) and `~text` (contains); `service.runner.checks` reads them the same way.
"""

from __future__ import annotations

import re
from typing import Any

from service.runner.callers import Persona
from service.runner.checks import expected_value

_SPECIAL = re.compile(r"([.^$*+?()\[\]{}|\\/])")


def escape(text: str) -> str:
    """`text` as a literal pattern that reads the same in Python's and JavaScript's regex syntax:
    `re.escape` also escapes spaces and dashes, which JavaScript's unicode mode rejects, and the
    API does not say which engine evaluates patterns."""
    return _SPECIAL.sub(r"\\\1", text)


def resolve(value: Any, persona: Persona, fixtures: dict[str, str]) -> Any:
    """The concrete expected value (a `~contains` marker is kept), as the runner's checks read it."""
    return expected_value(value, persona, fixtures)


def _number_pattern(value: float) -> str:
    whole = int(value) if float(value).is_integer() else value
    return rf"^\$?{escape(f'{whole:,}')}(\.0+)?$|^{escape(str(whole))}(\.0+)?$"


def parameter_eval(field: str, want: Any) -> dict[str, Any]:
    """The `eval` for one expected field: exact for plain text, a pattern where forms legitimately
    vary (phone formatting, numbers, 15- vs 18-character ids, "contains")."""
    if isinstance(want, str) and want.startswith("~"):
        return {"type": "regex", "pattern": escape(want[1:])}
    if field == "Phone":
        digits = re.sub(r"\D", "", str(want))[-10:]
        return {"type": "regex", "pattern": r"\D*".join(digits) + r"\D*$"}
    if isinstance(want, int | float) and not isinstance(want, bool):
        return {"type": "regex", "pattern": _number_pattern(want)}
    if field.endswith("Id") and isinstance(want, str) and len(want) >= 15:
        return {"type": "regex", "pattern": rf"^{escape(want[:15])}([A-Za-z0-9]{{3}})?$"}
    return {"type": "exact", "expected_value": str(want)}


def expected_creates(persona: Persona, fixtures: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    """(object, {field: concrete expected value}) for every record the persona should end in."""
    return [
        (want["object"], {k: resolve(v, persona, fixtures) for k, v in want["fields"].items()})
        for want in persona.expected.get("creates", [])
    ]


def describe(obj: str, fields: dict[str, Any]) -> str:
    """ "a Lead with FirstName "Priya", ..." for a success condition."""
    parts = []
    for name, value in fields.items():
        if isinstance(value, str) and value.startswith("~"):
            parts.append(f'{name} containing "{value[1:]}"')
        else:
            parts.append(f'{name} "{value}"')
    article = "an" if obj[:1].lower() in "aeiou" else "a"
    return f"{article} {obj} with " + ", ".join(parts)
