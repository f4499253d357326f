"""The webhook executor: calls tools from `tool_definitions/*.json` exactly as the platform does.

Both tool JSON formats are read: the seed's UI format (parameter lists with `id`/`value_type`,
header lists) and the API `tool_config` format (property dicts, header dicts). For each call:
LLM-filled values come from the agent; `dynamic_variable` / `constant_value` / `is_omitted`
values are resolved here; `{path}` placeholders are substituted; the query is appended; the body is
built from `request_body_schema` (JSON or form); headers are resolved (literal, the webhook secret
for any secret reference, dynamic variables such as `system__conversation_id`);
`response_timeout_secs` applies; non-2xx, a transport error or a timeout become an error result;
`response_filter` and `assignments` are applied to JSON answers.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import httpx2

from service.runner.toolspec import Param, ToolSpec, parse_tool

__all__ = ["Param", "ToolResult", "ToolSpec", "WebhookExecutor", "load_tools", "parse_tool"]

SECRET_HEADER_NAMES = ("x-webhook-secret", "authorization", "x-api-key")


@dataclass
class ToolResult:
    """What one webhook call produced (what the agent sees is `for_agent`)."""

    name: str
    ok: bool
    status: int | None
    data: Any
    for_agent: Any
    latency_ms: float
    error_type: str | None = None
    request: dict[str, Any] = field(default_factory=dict)
    dynamic_variable_updates: dict[str, Any] = field(default_factory=dict)

    def speech(self) -> str:
        """The gateway's speakable sentence when there is one."""
        data = self.for_agent
        if isinstance(data, dict):
            if isinstance(data.get("speech"), str):
                return str(data["speech"])
            err = data.get("error")
            if isinstance(err, dict) and isinstance(err.get("message"), str):
                return str(err["message"])
        return "" if data is None else str(data)


def load_tools(directory: Path) -> dict[str, ToolSpec]:
    """Every tool JSON file in `directory`, by tool name."""
    tools: dict[str, ToolSpec] = {}
    for path in sorted(directory.glob("*.json")):
        doc = json.loads(path.read_text())
        spec = parse_tool(doc)
        tools[spec.name] = spec
    return tools


def _dig(data: Any, path: str) -> tuple[bool, Any]:
    cur = data
    for part in path.split("."):
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return False, None
    return True, cur


def _put(out: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    cur = out
    for part in parts[:-1]:
        cur = cur.setdefault(part, {})
    cur[parts[-1]] = value


def apply_filter(data: Any, response_filter: dict[str, Any] | None) -> Any:
    """`response_filter`: all (default), allow (listed dot-paths only), hide_all."""
    if not response_filter or not isinstance(data, dict | list):
        return data
    mode = response_filter.get("mode", "all")
    if mode == "hide_all":
        return {}
    if mode == "allow":
        out: dict[str, Any] = {}
        for path in response_filter.get("filters", []):
            found, value = _dig(data, path)
            if found:
                _put(out, path, value)
        return out
    return data


class WebhookExecutor:
    """Runs tool calls against the gateway over HTTP, one shared client per process."""

    def __init__(
        self,
        tools: dict[str, ToolSpec],
        *,
        base_url: str | None = None,
        secret: str | None = None,
        client: httpx2.AsyncClient | None = None,
        transport: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        self.tools = tools
        self.base_url = base_url.rstrip("/") if base_url else None
        self._secret = secret
        self._client = client or httpx2.AsyncClient(transport=transport, follow_redirects=False)
        self._owns_client = client is None

    async def aclose(self) -> None:
        """Close the HTTP client when this executor created it."""
        if self._owns_client:
            await self._client.aclose()

    def _url(self, spec: ToolSpec, path_values: dict[str, Any]) -> str:
        url = spec.url
        for name, value in path_values.items():
            url = url.replace("{" + name + "}", quote(str(value), safe=""))
        if self.base_url:
            parts = urlsplit(url)
            url = self.base_url + parts.path + (f"?{parts.query}" if parts.query else "")
        return url

    def _value(self, param: Param, llm: dict[str, Any], variables: dict[str, Any]) -> tuple[bool, Any]:
        if param.omitted:
            return False, None
        if param.constant_value is not None:
            return True, param.constant_value
        if param.dynamic_variable:
            if param.dynamic_variable in variables:
                return True, variables[param.dynamic_variable]
            return False, None
        if param.name in llm and llm[param.name] is not None:
            return True, llm[param.name]
        return False, None

    def _body(self, spec: ToolSpec, llm: dict[str, Any], variables: dict[str, Any]) -> dict[str, Any] | None:
        if spec.body is None:
            return None
        source = llm.get(spec.body_name) if isinstance(llm.get(spec.body_name), dict) else llm
        assert isinstance(source, dict)
        reserved = {p.name for p in spec.path_params} | {p.name for p in spec.query_params}
        body: dict[str, Any] = {}
        for param in spec.body:
            present, value = self._value(param, source, variables)
            if present:
                body[param.name] = value
        if spec.body_open:  # a dynamic object: the agent's other fields go through as given
            for key, value in source.items():
                if key not in reserved and key not in body and key != spec.body_name and value is not None:
                    body[key] = value
        return body

    def _headers(self, spec: ToolSpec, variables: dict[str, Any]) -> dict[str, str]:
        headers: dict[str, str] = {}
        for header in spec.headers:
            if header.kind == "secret":
                if self._secret is not None:
                    value = self._secret
                    if header.name.lower() == "authorization" and not value.lower().startswith("bearer "):
                        value = "Bearer " + value
                    headers[header.name] = value
            elif header.kind == "variable":
                if header.value in variables:
                    headers[header.name] = str(variables[header.value])
            else:
                headers[header.name] = header.value
        if self._secret is not None and not any(h.lower() in SECRET_HEADER_NAMES for h in headers):
            headers["X-Webhook-Secret"] = self._secret  # tool JSON without a secret reference
        return headers

    async def call(self, name: str, params: dict[str, Any], variables: dict[str, Any]) -> ToolResult:
        """Execute tool `name` with the agent's `params`; `variables` are the conversation's dynamic variables."""
        spec = self.tools.get(name)
        if spec is None:
            return ToolResult(
                name,
                False,
                None,
                None,
                {"error": {"message": f"Unknown tool {name}."}},
                0.0,
                error_type="customer_config",
            )
        path_values: dict[str, Any] = {}
        for param in spec.path_params:
            present, value = self._value(param, params, variables)
            if present:
                path_values[param.name] = value
        query: dict[str, Any] = {}
        for param in spec.query_params:
            present, value = self._value(param, params, variables)
            if present:
                query[param.name] = str(value).lower() if isinstance(value, bool) else value
        url = self._url(spec, path_values)
        if query:
            url += ("&" if "?" in url else "?") + urlencode(query)
        headers = self._headers(spec, variables)
        body = self._body(spec, params, variables) if spec.method in ("POST", "PUT", "PATCH") else None
        kwargs: dict[str, Any] = {"headers": headers, "timeout": spec.timeout}
        if body is not None:
            if spec.content_type == "application/x-www-form-urlencoded":
                kwargs["data"] = {k: str(v) for k, v in body.items()}
            else:
                kwargs["json"] = body
        request = {
            "method": spec.method,
            "url": url,
            "path_params": path_values,
            "query_params": query,
            "body": body,
            "headers": sorted(headers),
        }
        start = time.perf_counter()
        try:
            async with asyncio.timeout(spec.timeout):  # the whole call, whatever the transport
                response = await self._client.request(spec.method, url, **kwargs)
        except (httpx2.TimeoutException, TimeoutError):
            return self._error(spec, None, "The tool timed out.", "client_timeout", start, request)
        except httpx2.HTTPError as exc:
            return self._error(
                spec, None, f"The tool could not be reached ({type(exc).__name__}).", "external_server", start, request
            )
        try:
            data: Any = response.json()
        except ValueError:
            data = response.text
        if not 200 <= response.status_code < 300:
            kind = "external_server" if response.status_code >= 500 else "external_client"
            return self._error(spec, response.status_code, data, kind, start, request)
        latency = (time.perf_counter() - start) * 1000
        updates: dict[str, Any] = {}
        for assignment in spec.assignments:
            found, value = _dig(data, str(assignment.get("value_path", "")))
            if found and assignment.get("dynamic_variable"):
                updates[str(assignment["dynamic_variable"])] = value
        shown = apply_filter(data, spec.response_filter)
        for assignment in spec.assignments:
            if assignment.get("sanitize") and isinstance(shown, dict):
                shown.pop(str(assignment.get("value_path", "")).split(".")[0], None)
        variables.update(updates)
        return ToolResult(
            name, True, response.status_code, data, shown, latency, request=request, dynamic_variable_updates=updates
        )

    def _error(
        self, spec: ToolSpec, status: int | None, data: Any, kind: str, start: float, request: dict[str, Any]
    ) -> ToolResult:
        mode = spec.error_mode
        shown: Any = data if mode in ("passthrough", "summarized") else {"error": {"message": "The tool call failed."}}
        if isinstance(shown, str):
            shown = {"error": {"message": shown}}
        latency = (time.perf_counter() - start) * 1000
        return ToolResult(spec.name, False, status, data, shown, latency, error_type=kind, request=request)
