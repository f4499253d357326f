"""SOQL as a sqlglot dialect: `parse_soql(text) -> exp.Select` and `to_soql(tree) -> str`.

The tree is plain sqlglot plus the nodes in `service.soql.nodes`. Shape, for translators:

* **FROM**: `tree.args["from_"].this` is `exp.Table`; its `.name` is the object as written
  (case-insensitive). Object aliases (`FROM Contact c`) are refused, so there is no alias.
* **Columns**: `exp.Column`; `field_path(col)` gives the relationship path as written,
  `Account.Owner.Name` → `["Account", "Owner", "Name"]` (last part the field). Paths of more than four
  parts arrive as `exp.Dot(Column, Identifier)` chains - `field_path` handles both.
* **Select list** (`tree.expressions`): Column; `exp.Subquery(this=Select)` = child relationship
  subquery, whose FROM table name is the *child relationship* (`Contacts`), not an object;
  `exp.Count` (`COUNT()` has no `this`; `COUNT(Id)` has a Column); `exp.Sum/Avg/Min/Max`;
  `exp.Anonymous` for COUNT_DISTINCT, CALENDAR_YEAR, toLabel, FORMAT, convertCurrency, …;
  `exp.Alias(this=aggregate or field, alias=Identifier)` for `MAX(Amount) biggest` (no AS in SOQL;
  aliases only in aggregate queries - use `item.unalias()` to reach the expression);
  `nodes.Fields` for FIELDS(ALL|STANDARD|CUSTOM); `nodes.TypeOf` for TYPEOF … END.
* **WHERE / HAVING**: `exp.And/Or/Not/Paren`; comparisons `exp.EQ/NEQ/LT/LTE/GT/GTE(this=Column,
  expression=value)` - the left side is always a field (or a date function / aggregate in HAVING);
  `= null` is `EQ(this, exp.Null())`, `!= null` is `NEQ(this, exp.Null())` (no IS NULL).
  Values: `exp.Literal` (strings decoded; numbers as text, `-5` is `Literal(this="-5")`), `exp.Null`,
  `exp.Boolean`, `nodes.SoqlDate`, `nodes.SoqlDateTime` (`.value` gives date / aware datetime),
  `nodes.DateLiteral` (`.literal_name` e.g. THIS_MONTH, `.n` e.g. 30 for LAST_N_DAYS:30).
* `x IN ('a','b')` → `exp.In(this, expressions=[…])`; `x NOT IN (…)` → `exp.Not(exp.In)`;
  semi-join `Id IN (SELECT AccountId FROM Contact)` → `exp.In(this, query=exp.Subquery(Select))`
  whose Select has exactly one field and no subqueries of its own; anti-join → `exp.Not(that)`.
  `NOT Name LIKE 'x'` → `exp.Not(exp.Like)` (`Name NOT LIKE` is refused, as Salesforce does).
  INCLUDES / EXCLUDES → `nodes.Includes/Excludes(this, expressions)`.
* **LIKE**: `exp.Like(this, expression=Literal)`; the pattern keeps SOQL's escapes: `%` `_` are
  wildcards, `\\%` `\\_` `\\\\` are a literal percent, underscore, backslash (SQLite: `ESCAPE '\\'`).
  Other strings are fully decoded (`\\n` is a newline; outside LIKE `\\%` stays as two characters).
* **ORDER BY**: `exp.Order(expressions=[exp.Ordered(this, desc=bool|None, nulls_first=bool)])`;
  `nulls_first` is True unless NULLS LAST was written or DESC without NULLS FIRST.
* `exp.Group(expressions=[…])` (items may be `exp.Rollup` / `exp.Cube`);
  `tree.args["limit"]` is `exp.Limit(expression=Literal)`, `tree.args["offset"]` is
  `exp.Offset(expression=Literal)` - both non-negative integers.
* `tree.meta` may hold `"with"` (SECURITY_ENFORCED | USER_MODE | SYSTEM_MODE), `"for"` (VIEW |
  REFERENCE | UPDATE) and `"update"` (TRACKING | VIEWSTAT), upper case.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlglot import exp, parser
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ErrorLevel, ParseError
from sqlglot.parsers.base import BaseParser
from sqlglot.tokenizer_core import Token, TokenType
from sqlglot.tokens import Tokenizer

from service.soql import generator, lexer, nodes
from service.soql.errors import SoqlSyntaxError
from service.soql.validate import SOQL_FUNCTIONS, validate

_CLAUSE_WORDS = {
    TokenType.WITH: ("with", ("SECURITY_ENFORCED", "USER_MODE", "SYSTEM_MODE")),
    TokenType.FOR: ("for", ("VIEW", "REFERENCE", "UPDATE")),
    TokenType.UPDATE: ("update", ("TRACKING", "VIEWSTAT")),
}


def _date_literal(name: str) -> Callable[[list[Any]], exp.Expr]:
    return lambda args: nodes.DateLiteral(this=exp.var(name), expression=args[0] if args else None)


def _anonymous(name: str) -> Callable[[list[Any]], exp.Expr]:
    return lambda args: exp.Anonymous(this=name, expressions=args)


def _clause_parser(kind: TokenType) -> Callable[[Any], tuple[str, Any]]:
    return lambda self: self._parse_soql_clause(kind)


_CLAUSE_ORDER = {
    key: rank
    for rank, key in enumerate(
        ("where", "soql_with", "group", "having", "order", "limit", "offset", "soql_for", "soql_update")
    )
}
_CLAUSE_NAMES = {
    "where": "WHERE",
    "soql_with": "WITH",
    "group": "GROUP BY",
    "having": "HAVING",
    "order": "ORDER BY",
    "limit": "LIMIT",
    "offset": "OFFSET",
    "soql_for": "FOR",
    "soql_update": "UPDATE",
}


def _in_order(parse: Callable[[Any], tuple[str, Any]]) -> Callable[[Any], tuple[str, Any]]:
    """A clause parser that refuses clauses out of SOQL's order (LIMIT before WHERE, ...)."""

    def parse_in_order(self: Any) -> tuple[str, Any]:
        key, node = parse(self)
        self._check_clause_order(key)
        return key, node

    return parse_in_order


class SoqlTokenizer(Tokenizer):
    """Delegates to `service.soql.lexer`, which applies SOQL's lexical rules."""

    def tokenize(self, sql: str) -> list[Token]:
        return lexer.tokenize(sql)


class SoqlParser(BaseParser):
    """sqlglot's parser with SOQL's extra syntax; whatever else it accepts `validate` refuses."""

    TABLE_ALIAS_TOKENS = BaseParser.TABLE_ALIAS_TOKENS - set(_CLAUSE_WORDS)
    FUNCTIONS = {
        **parser.Parser.FUNCTIONS,
        "SOQL_DATE": lambda args: nodes.SoqlDate(this=args[0]),
        "SOQL_DATETIME": lambda args: nodes.SoqlDateTime(this=args[0]),
        **{name: _date_literal(name) for name in lexer.DATE_LITERALS_FIXED | lexer.DATE_LITERALS_WITH_N},
        # SOQL's own functions stay Anonymous, even where sqlglot knows an SQL one (FORMAT, GROUPING)
        **{name: _anonymous(name) for name in SOQL_FUNCTIONS if name in parser.Parser.FUNCTIONS},
    }
    FUNCTION_PARSERS = {
        **parser.Parser.FUNCTION_PARSERS,
        "FIELDS": lambda self: self._parse_fields(),
    }
    NO_PAREN_FUNCTION_PARSERS = {
        **parser.Parser.NO_PAREN_FUNCTION_PARSERS,
        "TYPEOF": lambda self: self._parse_typeof(),
    }
    QUERY_MODIFIER_PARSERS = {
        **{k: _in_order(v) for k, v in parser.Parser.QUERY_MODIFIER_PARSERS.items()},
        **{k: _in_order(_clause_parser(k)) for k in _CLAUSE_WORDS},
    }

    def _parse_query_modifiers(self, this: Any) -> Any:
        stack: list[int] = self.__dict__.setdefault("_clause_ranks", [])
        stack.append(-1)
        try:
            return super()._parse_query_modifiers(this)
        finally:
            stack.pop()

    def _check_clause_order(self, key: str) -> None:
        rank = _CLAUSE_ORDER.get(key, len(_CLAUSE_ORDER))
        stack: list[int] = self.__dict__.setdefault("_clause_ranks", [-1])
        if stack[-1] > rank:
            later = next(name for name, r in _CLAUSE_ORDER.items() if r == stack[-1])
            self.raise_error(
                f"{_CLAUSE_NAMES.get(key, key.upper())} must come before {_CLAUSE_NAMES.get(later, later)}"
            )
        stack[-1] = rank

    def _parse_soql_clause(self, kind: TokenType) -> tuple[str, exp.Expr | None]:
        key, words = _CLAUSE_WORDS[kind]
        self._advance()
        if not self._curr or self._curr.text.upper() not in words:
            self.raise_error(f"after {self._prev.text.upper()} write {' or '.join(words)}")
        word = self._curr.text.upper()
        self._advance()
        return f"soql_{key}", exp.var(word)

    def _parse_fields(self) -> exp.Expr:
        kind = self._curr.text.upper() if self._curr else ""
        if kind not in ("ALL", "STANDARD", "CUSTOM"):
            self.raise_error("FIELDS takes ALL, STANDARD or CUSTOM")
        self._advance()
        return nodes.Fields(this=exp.var(kind))

    def _parse_typeof(self) -> exp.Expr:
        field = self._parse_column()
        whens: list[exp.Expr] = []
        while self._match_text_seq("WHEN"):
            obj = exp.var(self._curr.text if self._curr else "")
            self._advance()
            if not self._match_text_seq("THEN"):
                self.raise_error("TYPEOF needs THEN after each WHEN")
            whens.append(nodes.TypeOfWhen(this=obj, expressions=self._parse_column_list()))
        default = self._parse_column_list() if self._match_text_seq("ELSE") else None
        if not whens or not self._match_text_seq("END"):
            self.raise_error("TYPEOF needs WHEN … THEN … and END")
        return nodes.TypeOf(this=field, whens=whens, default=default)

    def _parse_column_list(self) -> list[exp.Expr]:
        columns = [self._parse_column()]
        while self._match(TokenType.COMMA):
            columns.append(self._parse_column())
        return [c for c in columns if c is not None]

    def _parse_range(self, this: exp.Expr | None = None, parse_is: bool = False) -> exp.Expr | None:
        this = super()._parse_range(this, parse_is)
        for word, node in (("INCLUDES", nodes.Includes), ("EXCLUDES", nodes.Excludes)):
            if self._match_text_seq(word):
                values = self._parse_wrapped_csv(self._parse_primary)
                return self.expression(node(this=this, expressions=values))
        return this


class SOQL(Dialect):
    """Salesforce Object Query Language."""

    NULL_ORDERING = "nulls_are_small"
    NORMALIZE_FUNCTIONS = False
    Tokenizer = SoqlTokenizer
    Parser = SoqlParser
    Generator = generator.SoqlGenerator


_DIALECT = SOQL()
_OWN_MESSAGES = ("after ", "FIELDS ", "TYPEOF ")
_NEEDS_MORE = frozenset(
    "SELECT FROM WHERE AND OR NOT IN LIKE INCLUDES EXCLUDES LIMIT OFFSET HAVING WITH FOR UPDATE".split()
    + ["ORDER BY", "GROUP BY", "=", "!=", "<>", "<", "<=", ">", ">="]
)


def parse_soql(text: str) -> exp.Select:
    """Parse one SOQL query; raise `SoqlSyntaxError` (message like MALFORMED_QUERY) if it is not SOQL."""
    if not isinstance(text, str):
        raise SoqlSyntaxError("The query must be text", 0)
    if not text.strip():
        raise SoqlSyntaxError("The query is empty: write SELECT fields FROM object", 0)
    tokens = lexer.tokenize(text)
    if tokens[0].token_type != TokenType.SELECT:
        raise SoqlSyntaxError(f"Only SELECT queries are allowed, not {tokens[0].text.upper()}", tokens[0].col)
    try:
        trees = _DIALECT.parser(error_level=ErrorLevel.IMMEDIATE).parse(tokens, text)
    except ParseError as err:
        info = err.errors[0] if err.errors else {}
        raise SoqlSyntaxError(_parse_message(info, text), int(info.get("col") or 0)) from None
    except RecursionError:
        raise SoqlSyntaxError("The query is nested too deeply: simplify it", 0) from None
    if len(trees) != 1 or not isinstance(trees[0], exp.Select):
        raise SoqlSyntaxError("Only one SELECT statement is allowed", 0)
    tree = trees[0]
    if any(ident.quoted for ident in tree.find_all(exp.Identifier)):
        raise SoqlSyntaxError("Object and field names are written without quotes", 0)
    validate(tree)
    return tree


def _parse_message(info: dict[str, object], text: str) -> str:
    token = str(info.get("highlight") or "").strip()
    description = str(info.get("description") or "")
    if " must come before " in description:
        return description
    hint = f": {description}" if description.startswith(_OWN_MESSAGES) else ""
    if token.upper() in _NEEDS_MORE and not hint and text.rstrip().upper().endswith(token.upper()):
        return f"The query ends too early, after {token!r}: finish it or remove that word"
    if token:
        return f"unexpected token: {token!r}{hint}"
    return f"The query is incomplete or malformed near the end: {text[-30:]!r}"


def to_soql(tree: exp.Expr) -> str:
    """Print a tree built by `parse_soql` (or changed by the policy) as SOQL text."""
    return _DIALECT.generate(tree, copy=False)  # the SOQL printer does not mutate the tree
