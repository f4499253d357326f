"""SOQL grammar rules the shared dialect leaves open, and Salesforce's MALFORMED_QUERY wording.

The dialect (`service.soql`) parses for the gateway, whose messages coach an agent; the org must
answer as Salesforce does instead: `unexpected token: X` for the first word, otherwise the caret
form (`\\n<query>\\n   ^\\nERROR at Row:1:Column:N\\nunexpected token: 'X'`). Rules checked here:
AND and OR mixed without parentheses at one level, and FIELDS(ALL|CUSTOM) without LIMIT ≤ 200.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.tokenizer_core import Token, TokenType

from service.errors import SalesforceError
from service.org.errors import caret_message, malformed_query
from service.soql import SoqlSyntaxError, lexer
from service.soql import nodes as soql_nodes

FIELDS_MAX_LIMIT = 200


def _tokens(soql: str) -> list[Token]:
    try:
        return lexer.tokenize(soql)
    except SoqlSyntaxError:
        return []


def unexpected(soql: str, column: int) -> SalesforceError:
    """MALFORMED_QUERY for the token at `column` (1-based; 0 or past the end: `<EOF>`)."""
    stripped = soql.strip()
    first = stripped.split(None, 1)[0] if stripped else ""
    if not first:
        return malformed_query("unexpected token: <EOF>")
    if first.upper() != "SELECT":
        return malformed_query(f"unexpected token: {first}")
    text = next((t.text for t in _tokens(soql) if t.start + 1 == column), None)
    if text is None and 0 < column <= len(soql):
        text = soql[column - 1 :].split(None, 1)[0] if soql[column - 1 :].strip() else None
    if text is None or column <= 0:
        column = len(soql.rstrip()) + 1
        return malformed_query(caret_message(soql, column, "unexpected token: <EOF>"))
    return malformed_query(caret_message(soql, column, f"unexpected token: '{text}'"))


def from_syntax_error(soql: str, err: SoqlSyntaxError) -> SalesforceError:
    """The dialect's refusal, worded as Salesforce words it."""
    if "ends too early" in err.message:
        return unexpected(soql, 0)
    return unexpected(soql, err.column)


def check_and_or(soql: str) -> None:
    """MALFORMED_QUERY at the operator that mixes AND and OR at one parenthesis level."""
    seen: list[set[TokenType]] = [set()]
    for token in _tokens(soql):
        if token.token_type == TokenType.L_PAREN:
            seen.append(set())
        elif token.token_type == TokenType.R_PAREN:
            if len(seen) > 1:
                seen.pop()
        elif token.token_type in (TokenType.AND, TokenType.OR):
            level = seen[-1]
            level.add(token.token_type)
            if len(level) > 1:
                raise malformed_query(caret_message(soql, token.start + 1, f"unexpected token: {token.text.upper()}"))
        elif token.token_type in (TokenType.WHERE, TokenType.HAVING):
            seen[-1] = set()


def check_fields_limit(tree: exp.Select) -> None:
    """FIELDS(ALL) and FIELDS(CUSTOM) need a LIMIT of at most 200 (FIELDS(STANDARD) does not)."""
    unbounded = [f for f in tree.expressions if isinstance(f, soql_nodes.Fields) and f.kind != "STANDARD"]
    if not unbounded:
        return
    limit = tree.args.get("limit")
    if limit is None or int(limit.expression.name) > FIELDS_MAX_LIMIT:
        raise malformed_query(f"The SOQL FIELDS function must have a LIMIT of at most {FIELDS_MAX_LIMIT}")
