"""The three tools over MCP (Streamable HTTP at `/mcp`), a thin adapter over `service/tools/`.

- `catalog.py`: the tool list: names, descriptions, input schemas from the webhook's request models,
  output schemas from its response models, annotations;
- `server.py`: the official SDK's low-level `Server` whose `tools/call` runs the webhook tool functions
  with the same `ToolContext`, budget and error table;
- `endpoint.py`: the ASGI endpoint (webhook secret as bearer token) and the session manager's lifespan.
"""
