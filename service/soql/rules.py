"""The checks behind the SOQL policy: field resolution against a schema and the naming rules.

`Checker.check(select, obj)` works on one SELECT (the query, a child subquery or a semi-join's inner
query). It raises `Refusal` for what cannot run and edits the tree in place for what can be
repaired, recording each change as a `Change` (short text + the speakable reason).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlglot import exp

from service.schema import Schema, SObject
from service.soql import nodes
from service.soql.paths import field_path, make_column
from service.soql.validate import is_aggregate, is_field


@dataclass
class Refusal(Exception):
    """A query the policy will not run; `fix` edits a copy of the tree into a suggestion, if any."""

    message: str
    fix: Callable[[exp.Select], None] | None = None


@dataclass(frozen=True)
class Change:
    """One repair: `text` for the change list, `reason` for a strict-mode message."""

    text: str
    reason: str


@dataclass
class Checker:
    """Applies the rules to one query tree; collects `changes`."""

    schema: Schema
    allowed: frozenset[str]
    require_names: bool = True
    changes: list[Change] = field(default_factory=list)
    _resolved: dict[tuple[str, ...], list[str]] = field(default_factory=dict)

    def object(self, name: str, what: str = "") -> SObject:
        """An allowed object by name, or a refusal naming the allow-list."""
        obj = self.schema.get(name)
        if obj is None or obj.name.lower() not in self.allowed:
            names = sorted(o for o in self.allowed_names())
            listed = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)
            raise Refusal(f"I can only query {listed} records, not {name}{what}.")
        return obj

    def allowed_names(self) -> list[str]:
        return [o.name for o in self.schema.objects.values() if o.name.lower() in self.allowed]

    def resolve(self, obj: SObject, path: list[str]) -> list[str]:
        """The canonical spelling of a field path from `obj`, or a refusal naming the problem."""
        key = (obj.name, *(p.lower() for p in path))
        if key not in self._resolved:
            self._resolved[key] = self._resolve(obj, path)
        return self._resolved[key]

    def _resolve(self, obj: SObject, path: list[str]) -> list[str]:
        canonical: list[str] = []
        current = obj
        for hop in path[:-1]:
            ref = current.parent_relationship(hop)
            target = self.schema.get(ref.target) if ref is not None and ref.target else None
            if ref is None or target is None:
                raise Refusal(
                    f"{current.name} has no relationship named {hop} that I can follow. "
                    f"Use one like {_example_relationship(current)}.",
                    fix=_drop_field(path),
                )
            canonical.append(ref.relationship_name or hop)
            current = target
        found = current.field(path[-1])
        if found is None:
            raise Refusal(
                f"{'.'.join(path[:-1]) or obj.name} has no field named {path[-1]}. "
                f"Check the spelling, or use fields like {_example_fields(current)}.",
                fix=_drop_field(path),
            )
        return canonical + [found.name]

    def check(self, select: exp.Select, obj: SObject, *, names: bool = True) -> None:
        """Check one SELECT against `obj`; with `names`, add the naming fields it lacks."""
        items = list(select.expressions)
        kinds = {item.kind for item in items if isinstance(item, nodes.Fields)}
        if kinds & {"ALL", "CUSTOM"}:
            raise Refusal(
                f"FIELDS({sorted(kinds & {'ALL', 'CUSTOM'})[0]}) selects too much: name the fields you need.",
                fix=_replace_fields(obj),
            )
        for node in _own_fields(select):
            self.resolve(obj, field_path(node))
        aggregate = bool(select.args.get("group")) or any(is_aggregate(i) for i in items)
        if names and not aggregate:
            self.drop_duplicates(select, obj)
            if self.require_names:
                self.add_names(select, obj, kinds)
        for item in items:
            if isinstance(item, exp.Subquery):
                self.child(item.this, obj)
            elif isinstance(item, nodes.TypeOf):
                self.resolve_relationship(obj, field_path(item.this))
        for node in select.find_all(exp.In):
            query = node.args.get("query")
            if query is not None and query.find_ancestor(exp.Select) is select:
                inner = query.this
                table = inner.args["from_"].this
                self.check(inner, self.object(table.name, " in the subquery"), names=False)

    def drop_duplicates(self, select: exp.Select, obj: SObject) -> None:
        """Salesforce refuses a field selected twice ("duplicate field selected"): keep the first."""
        seen: set[tuple[str, ...]] = set()
        kept: list[exp.Expr] = []
        for item in select.expressions:
            if is_field(item):
                key = tuple(p.lower() for p in self.resolve(obj, field_path(item)))
                if key in seen:
                    self.changes.append(
                        Change(
                            f"removed duplicate {'.'.join(field_path(item))}",
                            f"Each field can be selected only once; {'.'.join(field_path(item))} was repeated.",
                        )
                    )
                    continue
                seen.add(key)
            kept.append(item)
        if len(kept) != len(select.expressions):
            select.set("expressions", kept)

    def resolve_relationship(self, obj: SObject, path: list[str]) -> None:
        if obj.parent_relationship(path[-1]) is None or len(path) != 1:
            raise Refusal(f"TYPEOF needs a relationship of {obj.name}, such as Owner.")

    def child(self, inner: exp.Select, parent: SObject) -> None:
        table = inner.args["from_"].this
        rel = parent.child_relationship(table.name)
        if rel is None:
            raise Refusal(
                f"{parent.name} has no child relationship named {table.name}. Use one like {_example_children(parent)}."
            )
        child = self.object(rel.child_object, f" (the {rel.name} subquery)")
        self.check(inner, child)

    def add_names(self, select: exp.Select, obj: SObject, kinds: set[str]) -> None:
        """Add the name field of `obj` and of every related record the select list reaches."""
        items = list(select.expressions)
        paths = [self.resolve(obj, field_path(i.unalias())) if is_field(i.unalias()) else None for i in items]
        selected = {tuple(p.lower() for p in path) for path in paths if path}
        child = select.parent is not None
        label = str(select.args["from_"].this.name) if child else obj.name
        wanted: list[tuple[int, list[str], str]] = []
        if "STANDARD" not in kinds:
            kind = "subqueries" if child else "queries"
            wanted.append((-1, [obj.name_field], f"{label} {kind} must include {obj.name_field}."))
        for index, path in enumerate(paths):
            if path is not None:
                wanted += [(index, need, reason) for need, reason in self.naming_fields(obj, path)]
        after: dict[int, list[exp.Expr]] = {}
        for index, need, reason in wanted:
            key = tuple(p.lower() for p in need)
            if key in selected:
                continue
            selected.add(key)
            after.setdefault(_name_position(items) if index < 0 else index, []).append(make_column(need))
            prefix = f"{label}." if child else ""
            self.changes.append(Change(f"added {prefix}{'.'.join(need)}", reason))
        if after:
            result = list(after.get(-1, []))
            for index, item in enumerate(items):
                result += [item, *after.get(index, [])]
            select.set("expressions", result)

    def naming_fields(self, obj: SObject, path: list[str]) -> list[tuple[list[str], str]]:
        """The name fields a selected `path` calls for: every hop's, and a lookup id's target's."""
        out: list[tuple[list[str], str]] = []
        current = obj
        for depth, hop in enumerate(path[:-1]):
            ref = current.parent_relationship(hop)
            target = self.schema.get(ref.target) if ref is not None and ref.target else None
            if target is None:
                return out
            current = target
            need = path[: depth + 1] + [current.name_field]
            out.append(
                (need, f"Queries that select {'.'.join(path[: depth + 1])} fields must include {'.'.join(need)}.")
            )
        last = current.field(path[-1])
        target = self.schema.get(last.target) if last and last.is_reference and last.target else None
        if last is not None and last.relationship_name and target is not None:
            need = path[:-1] + [last.relationship_name, target.name_field]
            out.append((need, f"Queries that select {'.'.join(path)} must include {'.'.join(need)}."))
        return out


def _name_position(items: list[exp.Expr]) -> int:
    """Where the object's name field goes: right after a leading Id (-1 means at the front)."""
    first = items[0].unalias() if items else None
    if first is not None and is_field(first) and [p.lower() for p in field_path(first)] == ["id"]:
        return 0
    return -1


def _own_fields(select: exp.Select) -> list[exp.Expr]:
    """Field references of this SELECT (not of its subqueries, not inside TYPEOF), in order."""
    out: list[exp.Expr] = []
    stack = list(reversed(list(select.iter_expressions())))
    while stack:
        node = stack.pop()
        if is_field(node):
            out.append(node)
        elif not isinstance(node, (exp.Subquery, exp.Select, nodes.TypeOf)):
            stack += reversed(list(node.iter_expressions()))
    return out


def _drop_field(path: list[str]) -> Callable[[exp.Select], None]:
    def fix(select: exp.Select) -> None:
        lowered = [p.lower() for p in path]
        for item in list(select.expressions):
            node = item.unalias()
            if is_field(node) and [p.lower() for p in field_path(node)] == lowered:
                if len(select.expressions) == 1:
                    break  # nothing would be left to select
                item.pop()
                return
        raise Refusal("no automatic fix")

    return fix


def _replace_fields(obj: SObject) -> Callable[[exp.Select], None]:
    def fix(select: exp.Select) -> None:
        items = [i for i in select.expressions if not isinstance(i, nodes.Fields)]
        if not any(is_field(i) and field_path(i) == ["Id"] for i in items):
            items.insert(0, exp.column("Id"))
        select.set("expressions", items)

    return fix


def _example_fields(obj: SObject) -> str:
    picks = [f for f in ("Id", obj.name_field, "Email", "Phone", "Status", "Industry") if obj.field(f)]
    return ", ".join(dict.fromkeys(picks))


def _example_relationship(obj: SObject) -> str:
    rels = [f.relationship_name for f in obj.fields.values() if f.relationship_name]
    return next((r for r in ("Account", "Owner") if r in rels), rels[0] if rels else "Owner") + ".Name"


def _example_children(obj: SObject) -> str:
    return next(iter(obj.child_relationships), "Contacts")
