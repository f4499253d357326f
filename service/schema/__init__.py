"""Salesforce object metadata: the built-in schema (derived from real describe recordings) and
the types the SOQL policy, the gateway and the embedded org share.

The data file `builtin.json` is produced by `scripts/derive_schema.py` from
`../shared/salesforce-recordings/describe/`; a live org's describe can replace it through
`Schema.from_describes`.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from service.schema.model import ChildRelationship, Schema, SField, SObject

__all__ = ["ChildRelationship", "SField", "SObject", "Schema", "builtin_schema"]


@lru_cache(maxsize=1)
def builtin_schema() -> Schema:
    """Lead, Contact, Account, Opportunity, Case and User, loaded once from package data."""
    text = resources.files("service.schema").joinpath("builtin.json").read_text(encoding="utf-8")
    return Schema.from_describes(json.loads(text)["objects"])
