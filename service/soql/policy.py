"""The query policy: accept a SOQL query, repair it, or reject it with a message the agent can act on.

Rules (each configurable through `PolicyConfig`): one SELECT on an allowed object; every field
exists; the object's name field is selected (not for COUNT() or other aggregate queries), and so is
the name of every related record the select list reaches (`Account.Type` → `Account.Name`,
`OwnerId` → `Owner.Name`, at every hop); child subqueries follow the same rules; semi-join
subqueries query allowed objects; LIMIT added when absent and lowered to the maximum; OFFSET at
most `max_offset`; FIELDS(ALL|CUSTOM), FOR VIEW|REFERENCE|UPDATE and UPDATE TRACKING|VIEWSTAT
refused; WHERE values typed by their field (`literals`: quoted dates, booleans and numbers
repaired, mixed AND/OR and out-of-range date-literal N refused).
`strict` turns every repair into a reject carrying the repaired query.
`check_query` never raises and runs in time bounded by the parser's input limits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sqlglot import exp

from service.schema import Schema, builtin_schema
from service.settings import DEFAULT_OBJECTS, Settings
from service.soql.dialect import parse_soql, to_soql
from service.soql.errors import SoqlSyntaxError
from service.soql.literals import check_literals
from service.soql.rules import Change, Checker, Refusal
from service.soql.textfix import fix_text
from service.soql.validate import is_aggregate

_MAX_FIX_CHARS = 4000  # rewriting longer text to suggest a query costs more than it helps


@dataclass(frozen=True)
class PolicyConfig:
    """What the policy allows; `from_settings` reads the SOQL_* settings."""

    allowed_objects: tuple[str, ...] = DEFAULT_OBJECTS
    default_limit: int = 10
    max_limit: int = 50
    max_offset: int = 2000
    strict: bool = False
    require_names: bool = True  # the name-field rules (Name, Account.Name, Owner.Name, ...)

    @classmethod
    def from_settings(cls, settings: Settings) -> PolicyConfig:
        """The policy the gateway's settings describe."""
        return cls(
            allowed_objects=settings.allowed_object_names,
            default_limit=settings.soql_default_limit,
            max_limit=settings.soql_max_limit,
            max_offset=settings.soql_max_offset,
            strict=settings.soql_strict,
        )


@dataclass(frozen=True)
class Verdict:
    """The policy's answer; `query` and `tree` are what would run (None for reject)."""

    verdict: Literal["accept", "repair", "reject"]
    query: str | None = None
    changes: list[str] = field(default_factory=list)
    message: str | None = None
    suggested_query: str | None = None
    tree: exp.Select | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        """The CLI / API shape: verdict, query, changes, message, suggested_query."""
        return {
            "verdict": self.verdict,
            "query": self.query,
            "changes": list(self.changes),
            "message": self.message,
            "suggested_query": self.suggested_query,
        }


def check_query(text: str, schema: Schema | None = None, config: PolicyConfig | None = None) -> Verdict:
    """Decide whether `text` may run; never raises."""
    config = config or PolicyConfig()
    try:
        schema = schema or builtin_schema()
        tree = parse_soql(text)
    except SoqlSyntaxError as err:
        message = f"That is not valid SOQL. {_sentence(err.message)}"
        return _reject(message, _suggest_text(text, schema, config))
    except Exception:  # a parser bug must not take the gateway down
        return Verdict("reject", message="That query could not be read. Write SELECT fields FROM object.")
    try:
        return _decide(tree, text, schema, config)
    except Exception:
        return Verdict("reject", message="That query could not be checked. Simplify it and try again.")


def _reject(message: str, suggestion: str | None) -> Verdict:
    """A reject whose message ends with the suggestion, so it reaches agents that read only the message."""
    text = f"{message} Try: {suggestion}" if suggestion else message
    return Verdict("reject", message=text, suggested_query=suggestion)


def _decide(tree: exp.Select, text: str, schema: Schema, config: PolicyConfig) -> Verdict:
    try:
        changes = _apply(tree, schema, config)
    except Refusal as refusal:
        return _reject(refusal.message, _suggest(tree, refusal, schema, config))
    if not changes:
        return Verdict("accept", query=text.strip(), tree=tree)
    repaired = to_soql(tree)
    if config.strict:
        reasons = " ".join(dict.fromkeys(c.reason for c in changes))
        return Verdict(
            "reject",
            changes=[c.text for c in changes],
            message=f"{reasons} Try: {repaired}",
            suggested_query=repaired,
        )
    return Verdict("repair", query=repaired, changes=[c.text for c in changes], tree=tree)


def _apply(tree: exp.Select, schema: Schema, config: PolicyConfig) -> list[Change]:
    """Check `tree` and repair it in place; returns the changes or raises Refusal."""
    meta = tree.meta
    if meta.get("for"):
        raise Refusal(f"FOR {meta['for']} is not allowed: remove it.", fix=_drop_meta("for"))
    if meta.get("update"):
        raise Refusal(f"UPDATE {meta['update']} is not allowed: remove it.", fix=_drop_meta("update"))
    checker = Checker(schema, frozenset(name.lower() for name in config.allowed_objects), config.require_names)
    obj = checker.object(tree.args["from_"].this.name)
    checker.check(tree, obj)
    check_literals(tree, obj, schema, checker.changes, datetime.now(UTC).date())
    offset = tree.args.get("offset")
    if offset is not None and int(offset.expression.name) > config.max_offset:
        raise Refusal(f"OFFSET can be at most {config.max_offset}. Narrow the search with a WHERE filter instead.")
    _limit(tree, config, checker.changes)
    return checker.changes


def _limit(tree: exp.Select, config: PolicyConfig, changes: list[Change]) -> None:
    """Add a LIMIT to the query when absent; lower any LIMIT (child subqueries' too) to the maximum."""
    single_row = not tree.args.get("group") and all(is_aggregate(i) for i in tree.expressions)
    reason = f"Queries must end with a LIMIT of at most {config.max_limit}."
    default = min(config.default_limit, config.max_limit)
    if tree.args.get("limit") is None and not single_row:
        tree.set("limit", exp.Limit(expression=exp.Literal.number(default)))
        changes.append(Change(f"added LIMIT {default}", reason))
    children = [i.this for i in tree.expressions if isinstance(i, exp.Subquery)]
    for select in (tree, *children):
        limit = select.args.get("limit")
        value = int(limit.expression.name) if limit is not None else 0
        if value > config.max_limit:
            limit.set("expression", exp.Literal.number(config.max_limit))
            where = f"{select.args['from_'].this.name} " if select is not tree else ""
            changes.append(Change(f"{where}LIMIT {value} lowered to {config.max_limit}", reason))


def _suggest(tree: exp.Select, refusal: Refusal, schema: Schema, config: PolicyConfig) -> str | None:
    """Apply the refusal's fix to a fresh copy and return the query if the result passes."""
    candidate = tree
    for _ in range(20):  # each fix removes something, so a handful of rounds is plenty
        if refusal.fix is None:
            return None
        candidate = candidate.copy()
        try:
            refusal.fix(candidate)
            _apply(candidate, schema, config)
            text = to_soql(candidate)
            _apply(parse_soql(text), schema, config)  # the suggestion must pass as it stands
            return text
        except SoqlSyntaxError:
            return None
        except Refusal as again:
            refusal = again
            candidate = candidate.copy()
    return None


def _suggest_text(text: str, schema: Schema | None, config: PolicyConfig) -> str | None:
    """A rewrite of the SQL habits in `text` (see `textfix`), if the rewrite passes the policy."""
    fixed = fix_text(text) if isinstance(text, str) and len(text) <= _MAX_FIX_CHARS else None
    if fixed is None:
        return None
    try:
        tree = parse_soql(fixed)
        _apply(tree, schema or builtin_schema(), config)
        return to_soql(tree)
    except Exception:  # the guess did not work out: no suggestion
        return None


def _drop_meta(key: str) -> Any:
    def fix(select: exp.Select) -> None:
        select.meta.pop(key, None)

    return fix


def _sentence(message: str) -> str:
    """`message` as a sentence: capital first letter, final full stop."""
    message = message.strip()
    message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "?", "!")) else message + "."
