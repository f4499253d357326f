"""Rewrites for the SQL habits that make a query invalid SOQL, used only to build a `suggested_query`.

Each fix is a regular expression over the text. The policy applies them to a query the parser
refused, and suggests the result only if the result then passes the policy, so a fix that guesses
wrong costs nothing. Strings are not parsed here: fixes are written so that they rarely match inside
one, and the re-check catches the rest. Every pattern starts at a boundary (lookbehind), so each
runs in linear time on the parser's longest input.
"""

from __future__ import annotations

import re

from service.soql.lexer import DATE_LITERALS_FIXED, DATE_LITERALS_WITH_N

_FIXES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\s*SELECT\s+\*\s+FROM\b", re.I), "SELECT Id FROM"),  # the name rule adds Name
    (re.compile(r"(?<!\s)\s*;\s*\Z"), ""),
    (re.compile(r"--[^\n]*"), ""),
    (re.compile(r"(\w)''(\w)"), r"\1\\'\2"),  # O''Brien → O\'Brien
    (re.compile(r'"([^"\'\\]*)"'), r"'\1'"),  # "Acme" → 'Acme'
    (re.compile(r"(?<!\s)\s+IS\s+NOT\s+NULL\b", re.I), " != null"),
    (re.compile(r"(?<!\s)\s+IS\s+NULL\b", re.I), " = null"),
    (re.compile(r"(?<![\w.])([\w.]+)\s+NOT\s+LIKE\b", re.I), r"NOT \1 LIKE"),
    (re.compile(r"(\))\s+AS\s+(\w+)", re.I), r"\1 \2"),  # MAX(Amount) AS biggest → MAX(Amount) biggest
)


_BARE_VALUE = re.compile(r"((?<![\w.])[\w.]+\s*(?:=|!=|<>)\s*)([A-Za-z][A-Za-z0-9_]*)\b(?!\s*[.(:])")
_NOT_TEXT = frozenset({"NULL", "TRUE", "FALSE"}) | DATE_LITERALS_FIXED | DATE_LITERALS_WITH_N


def _quote_bare_value(match: re.Match[str]) -> str:
    """`Status = Open` → `Status = 'Open'` (not for null, booleans or date literals)."""
    word = match.group(2)
    return match.group(0) if word.upper() in _NOT_TEXT else f"{match.group(1)}'{word}'"


def _strip_block_comments(text: str) -> str:
    """Remove `/* … */` comments (a loop, not a regex: unclosed ones would make a regex quadratic)."""
    parts, start = [], 0
    while (opening := text.find("/*", start)) >= 0 and (closing := text.find("*/", opening + 2)) >= 0:
        parts.append(text[start:opening] + " ")
        start = closing + 2
    return "".join(parts) + text[start:]


def fix_text(query: str) -> str | None:
    """The query with every applicable fix applied, or None if nothing changed."""
    fixed = _strip_block_comments(query)
    for pattern, replacement in _FIXES:
        fixed = pattern.sub(replacement, fixed)
    fixed = _BARE_VALUE.sub(_quote_bare_value, fixed)
    return fixed if fixed != query else None
