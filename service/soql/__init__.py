"""SOQL: the sqlglot dialect (`parse_soql`, `to_soql`), tree helpers and the query policy.

Tree shape: see `service.soql.dialect`. Policy: `service.soql.policy.check_query`.
"""

from service.soql.dialect import SOQL, parse_soql, to_soql
from service.soql.errors import SoqlSyntaxError
from service.soql.paths import field_path, make_column

__all__ = ["SOQL", "SoqlSyntaxError", "field_path", "make_column", "parse_soql", "to_soql"]
