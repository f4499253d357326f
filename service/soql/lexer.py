"""SOQL's lexical rules, producing sqlglot tokens.

SOQL's lexicon is small and stricter than SQL's, so it is scanned here with one regular expression
rather than by bending sqlglot's SQL tokenizer. Whatever SOQL forbids at the character level is
refused here with a message naming the fix: comments, `;`, `''`, double quotes, `*`, bind variables,
unknown backslash escapes, impossible dates, date literals without their `:n`.

Rewrites that let sqlglot's parser build dedicated nodes (see `service.soql.dialect`):
* `2024-01-15` → `SOQL_DATE('2024-01-15')`; `2024-01-15T10:00:00Z` → `SOQL_DATETIME('…')`;
* `TODAY` → `TODAY()`; `LAST_N_DAYS:30` → `LAST_N_DAYS(30)`;
* `ORDER BY` / `GROUP BY` → one token, as sqlglot expects.
String tokens carry the decoded value; after LIKE, `\\%`, `\\_` and `\\\\` stay escaped (see dialect).
"""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlglot.tokenizer_core import Token, TokenType

from service.soql.errors import SoqlSyntaxError

MAX_QUERY_CHARS = 20_000
MAX_PAREN_DEPTH = 12

_FIXED = "YESTERDAY TODAY TOMORROW LAST_90_DAYS NEXT_90_DAYS".split()
_FIXED += [f"{w}_{u}" for w in ("LAST", "THIS", "NEXT") for u in ("WEEK", "MONTH", "QUARTER", "YEAR")]
_FIXED += [f"{w}_FISCAL_{u}" for w in ("LAST", "THIS", "NEXT") for u in ("QUARTER", "YEAR")]
_UNITS = ("DAYS", "WEEKS", "MONTHS", "QUARTERS", "YEARS", "FISCAL_QUARTERS", "FISCAL_YEARS")
_WITH_N = [f"{w}_N_{u}" for w in ("LAST", "NEXT") for u in _UNITS] + [f"N_{u}_AGO" for u in _UNITS]
DATE_LITERALS_FIXED = frozenset(_FIXED)
DATE_LITERALS_WITH_N = frozenset(_WITH_N)

KEYWORDS: dict[str, TokenType] = {
    "SELECT": TokenType.SELECT,
    "FROM": TokenType.FROM,
    "WHERE": TokenType.WHERE,
    "AND": TokenType.AND,
    "OR": TokenType.OR,
    "NOT": TokenType.NOT,
    "IN": TokenType.IN,
    "LIKE": TokenType.LIKE,
    "NULL": TokenType.NULL,
    "TRUE": TokenType.TRUE,
    "FALSE": TokenType.FALSE,
    "HAVING": TokenType.HAVING,
    "LIMIT": TokenType.LIMIT,
    "OFFSET": TokenType.OFFSET,
    "ASC": TokenType.ASC,
    "DESC": TokenType.DESC,
    "WITH": TokenType.WITH,
    "FOR": TokenType.FOR,
    "UPDATE": TokenType.UPDATE,
    "ROLLUP": TokenType.ROLLUP,
    "CUBE": TokenType.CUBE,
}

# Plain-SQL words SOQL has no use for, with the fix to say.
REFUSED_WORDS: dict[str, str] = {
    "JOIN": "SOQL has no JOIN: reach related records through relationship fields like Account.Name",
    "UNION": "SOQL has no UNION: run one query per object",
    "INTERSECT": "SOQL has no INTERSECT: run one query per object",
    "EXCEPT": "SOQL has no EXCEPT: use NOT IN with a subquery",
    "AS": "SOQL has no AS: write the alias right after the aggregate, e.g. MAX(Amount) biggest",
    "DISTINCT": "SOQL has no DISTINCT: use GROUP BY",
    "USING": "USING SCOPE is not supported: filter with WHERE instead",
}

_OPS = {
    "(": TokenType.L_PAREN,
    ")": TokenType.R_PAREN,
    ",": TokenType.COMMA,
    ".": TokenType.DOT,
    "=": TokenType.EQ,
    "!=": TokenType.NEQ,
    "<>": TokenType.NEQ,
    "<": TokenType.LT,
    "<=": TokenType.LTE,
    ">": TokenType.GT,
    ">=": TokenType.GTE,
    ":": TokenType.COLON,
}

_SCAN = re.compile(
    r"""(?P<ws>\s+)
    |(?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2}))
    |(?P<date>\d{4}-\d{2}-\d{2})
    |(?P<number>-?(?:\d+(?:\.\d+)?|\.\d+))
    |(?P<word>[A-Za-z][A-Za-z0-9_]*)
    |(?P<string>'(?:[^'\\]|\\.)*')
    |(?P<op>!=|<>|<=|>=|[(),.=<>:])
    |(?P<comment>--|/\*)""",
    re.X | re.S,
)

_BAD_CHARS = {
    ";": "Only one statement is allowed: remove the ';' and anything after it",
    '"': "Strings use single quotes in SOQL, e.g. Name = 'Acme'",
    "*": "SELECT * is not allowed: name the fields, e.g. SELECT Id, Name FROM Contact",
    "'": "A quote is not closed: write a quote inside a value as \\'",
}

_ESCAPES = {"'": "'", '"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}
_ESCAPE_RE = re.compile(r"\\(u[0-9A-Fa-f]{4}|.)", re.S)


def decode_string(body: str, *, like: bool, column: int) -> str:
    """Decode SOQL backslash escapes; in LIKE patterns keep `\\%`, `\\_`, `\\\\` escaped."""

    def one(match: re.Match[str]) -> str:
        seq = match.group(1)
        if seq in ("%", "_"):
            return "\\" + seq
        if seq == "\\" and like:
            return "\\\\"
        if len(seq) == 5:
            char = chr(int(seq[1:], 16))
            return "\\" + char if like and char in "%_\\" else char  # \u0025 is a literal %
        decoded = _ESCAPES.get(seq.lower())
        if decoded is None:
            raise SoqlSyntaxError(f"Invalid escape \\{seq} in a string: use \\\\ for a backslash", column)
        return decoded

    return _ESCAPE_RE.sub(one, body) if "\\" in body else body


def _check_date(text: str, column: int) -> None:
    try:
        (datetime if "T" in text else date).fromisoformat(text)
    except ValueError:
        raise SoqlSyntaxError(f"{text} is not a real date or time", column) from None


_NEXT_CHAR = re.compile(r"\s*(\S)")
_BY = re.compile(r"\s+BY\b", re.I)
_COLON_N = re.compile(r"\s*:\s*(\d+)\b")


def tokenize(sql: str) -> list[Token]:
    """Scan SOQL into sqlglot tokens, or raise SoqlSyntaxError (column is 1-based)."""
    if len(sql) > MAX_QUERY_CHARS:
        raise SoqlSyntaxError(f"The query is longer than {MAX_QUERY_CHARS} characters: shorten it", 0)
    try:
        sql.encode("utf-8")
    except UnicodeEncodeError as err:
        raise SoqlSyntaxError("The query contains characters that are not valid text", err.start + 1) from None
    return _Lexer(sql).run()


class _Lexer:
    def __init__(self, sql: str) -> None:
        self.sql = sql
        self.tokens: list[Token] = []
        self.line = 1

    def add(self, kind: TokenType, text: str, start: int, end: int) -> None:
        self.tokens.append(Token(kind, text, self.line, start + 1, start, end - 1))

    def last_is(self, kind: TokenType) -> bool:
        return bool(self.tokens) and self.tokens[-1].token_type == kind

    def run(self) -> list[Token]:
        sql, add = self.sql, self.add
        pos, depth, size = 0, 0, len(sql)
        while pos < size:
            m = _SCAN.match(sql, pos)
            col = pos + 1
            if m is None:
                char = sql[pos]
                raise SoqlSyntaxError(_BAD_CHARS.get(char, f"unexpected token: {char!r}"), col)
            kind, text, end = m.lastgroup, m.group(), m.end()
            if kind in ("datetime", "date", "number") and end < size and (sql[end].isalnum() or sql[end] == "_"):
                if kind == "date" and sql[end] in "Tt":
                    raise SoqlSyntaxError(
                        f"A dateTime needs hours, minutes, seconds and a time zone, e.g. {text}T00:00:00Z", col
                    )
                raise SoqlSyntaxError(f"unexpected token: {sql[pos : end + 1]!r}", col)
            if kind == "ws":
                self.line += text.count("\n")
            elif kind == "comment":
                raise SoqlSyntaxError("Comments are not allowed in SOQL: remove them", col)
            elif kind in ("date", "datetime"):
                _check_date(text, col)
                add(TokenType.VAR, "SOQL_DATE" if kind == "date" else "SOQL_DATETIME", pos, end)
                add(TokenType.L_PAREN, "(", pos, end)
                add(TokenType.STRING, text, pos, end)
                add(TokenType.R_PAREN, ")", pos, end)
            elif kind == "number":
                add(TokenType.NUMBER, text, pos, end)
            elif kind == "string":
                if self.last_is(TokenType.STRING) and self.tokens[-1].end == pos - 1:
                    raise SoqlSyntaxError("'' is not an escape in SOQL: write a quote inside a value as \\'", col)
                like = self.last_is(TokenType.LIKE)
                add(TokenType.STRING, decode_string(text[1:-1], like=like, column=col), pos, end)
            elif kind == "op":
                if text == "(":
                    depth += 1
                    if depth > MAX_PAREN_DEPTH:
                        raise SoqlSyntaxError("The query is nested too deeply: simplify it", col)
                elif text == ")":
                    depth -= 1
                    if depth < 0:
                        raise SoqlSyntaxError("unexpected token: ')' - a parenthesis closes that never opened", col)
                    if self.last_is(TokenType.COMMA):
                        raise SoqlSyntaxError("unexpected token: ')' after a comma", col)
                elif text == ":":
                    raise SoqlSyntaxError("Bind variables like :email are not allowed: put the value in quotes", col)
                add(_OPS[text], text, pos, end)
            else:
                end = self.word(text, pos, end)
            pos = end
        if depth:
            raise SoqlSyntaxError("A parenthesis is not closed: add the missing ')'", size)
        if self.last_is(TokenType.COMMA):
            raise SoqlSyntaxError("unexpected token: ',' at the end", size)
        return self.tokens

    def word(self, text: str, pos: int, end: int) -> int:
        """Add the token(s) for the word at `pos`; returns where scanning continues."""
        sql, add, upper, col = self.sql, self.add, text.upper(), pos + 1
        nxt_m = _NEXT_CHAR.match(sql, end)
        nxt = nxt_m.group(1) if nxt_m else ""
        if upper in REFUSED_WORDS:
            raise SoqlSyntaxError(REFUSED_WORDS[upper], col)
        if upper in ("ORDER", "GROUP") and (by := _BY.match(sql, end)):
            add(TokenType.ORDER_BY if upper == "ORDER" else TokenType.GROUP_BY, f"{upper} BY", pos, by.end())
            return by.end()
        if upper in DATE_LITERALS_WITH_N:
            m = _COLON_N.match(sql, end)
            if m is None:
                raise SoqlSyntaxError(f"{upper} needs a number, e.g. {upper}:30", col)
            add(TokenType.VAR, upper, pos, end)
            add(TokenType.L_PAREN, "(", pos, end)
            add(TokenType.NUMBER, str(int(m.group(1))), m.start(1), m.end(1))
            add(TokenType.R_PAREN, ")", pos, m.end())
            return m.end()
        if upper in DATE_LITERALS_FIXED:
            if nxt == ":":
                raise SoqlSyntaxError(f"{upper} takes no number: write {upper} alone", col)
            add(TokenType.VAR, upper, pos, end)
            add(TokenType.L_PAREN, "(", pos, end)
            add(TokenType.R_PAREN, ")", pos, end)
            return end
        kind = KEYWORDS.get(upper, TokenType.VAR)
        if kind == TokenType.LIKE and self.last_is(TokenType.NOT):
            raise SoqlSyntaxError("SOQL has no NOT LIKE: write NOT Name LIKE 'Acme%'", col)
        if kind == TokenType.FROM and self.last_is(TokenType.COMMA):
            raise SoqlSyntaxError("unexpected token: 'FROM' after a comma: remove the comma", col)
        add(kind, text, pos, end)
        return end
