"""Query repairs for values as speech recognition writes them, each one said in `changes`.

* An email in spoken form (`Email = 'jane dot doe at acme dot com'`) is written out
  (`'jane.doe@acme.com'`) by the same parser the create tool uses (`service.text.emails`).
* A phone compared by equality also matches its other stored forms: `Phone = '+16175550142'`
  becomes `(Phone = '+16175550142' OR Phone LIKE '%617%555%0142%')`, since a Salesforce phone
  field keeps whatever text it was given ("(617) 555-0142", "617.555.0142", …).
"""

from __future__ import annotations

from sqlglot import exp

from service.soql import to_soql
from service.text.emails import normalize_email
from service.tools.matching import phone_key

_EMAIL_FIELDS = frozenset({"email"})
_PHONE_FIELDS = frozenset({"phone", "mobilephone", "homephone", "otherphone", "assistantphone", "fax"})


def _field(node: exp.Expression) -> tuple[exp.Column, exp.Literal] | None:
    column, value = node.this, node.expression
    if isinstance(column, exp.Column) and not column.table and isinstance(value, exp.Literal) and value.is_string:
        return column, value
    return None


def phone_pattern(text: str) -> str | None:
    """`'%617%555%0142%'` for a phone with at least seven digits, else None."""
    digits = phone_key(text)
    if len(digits) < 7:
        return None
    groups = [digits[:-7], digits[-7:-4], digits[-4:]]
    return "%" + "%".join(g for g in groups if g) + "%"


def repair(tree: exp.Select) -> tuple[str, list[str]] | None:
    """The repaired query and what changed, or None when nothing needed repair."""
    where = tree.args.get("where")
    if where is None:
        return None
    repaired = tree.copy()
    changes: list[str] = []
    for node in list(repaired.args["where"].find_all(exp.EQ)):
        found = _field(node)
        if found is None:
            continue
        column, value = found
        name = column.name.lower()
        if name in _EMAIL_FIELDS and "@" not in value.this:
            written = normalize_email(value.this)
            if written is not None:
                changes.append(f"{column.name} '{value.this}' written as the address {written}")
                node.set("expression", exp.Literal.string(written))
        elif name in _PHONE_FIELDS:
            pattern = phone_pattern(value.this)
            if pattern is not None:
                like = exp.Like(this=column.copy(), expression=exp.Literal.string(pattern))
                node.replace(exp.Paren(this=exp.Or(this=node.copy(), expression=like)))
                changes.append(f"{column.name} '{value.this}' also matched in its other written forms")
    return (to_soql(repaired), changes) if changes else None
