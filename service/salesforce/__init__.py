"""Salesforce access: token manager, REST client, error mapping, limit tracking."""

from service.salesforce.client import QueryResult, SalesforceClient
from service.salesforce.factory import build_salesforce, close_salesforce
from service.salesforce.limits import ApiUsage
from service.salesforce.token import TokenManager
from service.salesforce.token_store import InMemoryTokenStore, TokenStore

__all__ = [
    "ApiUsage",
    "InMemoryTokenStore",
    "QueryResult",
    "SalesforceClient",
    "TokenManager",
    "TokenStore",
    "build_salesforce",
    "close_salesforce",
]
