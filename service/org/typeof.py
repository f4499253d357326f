"""TYPEOF in the select list, and the picklist labels toLabel() answers.

`TYPEOF What WHEN Account THEN Phone, Name WHEN Opportunity THEN Amount ELSE Name END`: each WHEN
LEFT JOINs its object on the polymorphic lookup (only the record's own object matches its id), the
ELSE reads the `Name` union (`service.org.polymorphic`); a record's `What` is the first branch
whose join found it, or null.
"""

from __future__ import annotations

from sqlglot import exp

from service.org.plan import Item, Plan, TypeOfBranch
from service.org.polymorphic import is_polymorphic
from service.org.resolve import HINT_FIELD
from service.org.store import quote
from service.org.where import WhereTranslator
from service.schema import SObject
from service.soql import nodes as soql_nodes


class TypeOfTranslator(WhereTranslator):
    """Adds TYPEOF items to the condition and field translation."""

    def _typeof(self, plan: Plan, node: soql_nodes.TypeOf) -> Item:
        """`TYPEOF What WHEN Account THEN Phone ELSE Name END`: a LEFT JOIN per WHEN, the Name union for ELSE."""
        column = node.this
        ref = plan.obj.parent_relationship(column.name) if isinstance(column, exp.Column) else None
        if ref is None or not is_polymorphic(ref) or ref.relationship_name is None:
            raise self.error("INVALID_FIELD", node, "TYPEOF is only allowed on polymorphic relationships")
        item = Item(key=ref.relationship_name, kind="typeof")
        for when in node.args.get("whens") or []:
            target = self.schema.get(when.this.name)
            if target is None or target.name not in ref.reference_to:
                raise self.error(
                    "INVALID_TYPE", column, f"sObject type '{when.this.name}' is not supported in TYPEOF {ref.name}"
                )
            alias = self._alias()
            plan.join_sql.append(
                f"LEFT JOIN {quote(target.name)} {alias} ON {alias}.{quote('Id')} = {plan.alias}.{quote(ref.name)}"
            )
            branch = TypeOfBranch(target.name, plan.add_column(f"{alias}.{quote('Id')}"))
            for f_node in when.expressions:
                f = target.field(f_node.name)
                if f is None:
                    text = f"No such column '{f_node.name}' on entity '{target.name}'. {HINT_FIELD}"
                    raise self.error("INVALID_FIELD", f_node, text)
                branch.fields.append((f.name, f, plan.add_column(f"{alias}.{quote(f.name)}")))
            item.branches.append(branch)
        default = node.args.get("default") or []
        if default:
            rels: list[str] = []
            alias = self._poly_join(plan, ref, plan.alias, rels)
            join = plan.joins[tuple(rels)]
            branch = TypeOfBranch(None, plan.add_column(f"{alias}.{quote('Id')}"), join.type_index)
            for f_node in default:
                f = join.obj.field(f_node.name)
                if f is None:
                    raise self.error("INVALID_FIELD", f_node, f"No such column '{f_node.name}' on entity 'Name'.")
                branch.fields.append((f.name, f, plan.add_column(f"{alias}.{quote(f.name)}")))
            item.branches.append(branch)
        return item


def picklist_labels(obj: SObject, field_name: str) -> dict[str, str]:
    """Value → label of a picklist, from the object's describe."""
    for raw in obj.raw.get("fields") or []:
        if raw.get("name") == field_name:
            return {str(p["value"]): str(p.get("label") or p["value"]) for p in raw.get("picklistValues") or []}
    return {}
