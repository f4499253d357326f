"""Prometheus metrics of the gateway, on a registry owned by one app (tests build many apps)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from service.tools.schemas import CREATE_TOOL, GET_TOOL, SEARCH_TOOL

_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 18.0, 30.0)


_TOOLS = frozenset({SEARCH_TOOL, GET_TOOL, CREATE_TOOL})


def tool_of(path: str) -> str:
    """`/tools/salesforce_get_record/Contact/003…` → `salesforce_get_record`; anything else → `other`
    (labels stay a fixed set whatever paths callers invent)."""
    if path.startswith("/tools/"):
        name = path[len("/tools/") :].split("/", 1)[0]
        if name in _TOOLS:
            return name
    return "other"


class _SalesforceCollector(Collector):
    """Reads token refreshes and API usage from the live client at scrape time."""

    def __init__(self, source: Callable[[], Any]) -> None:
        self._source = source

    def collect(self) -> Iterator[Any]:
        client = self._source()
        if client is None:
            return
        refreshes = CounterMetricFamily("gateway_salesforce_token_requests", "Access tokens fetched from the org")
        refreshes.add_metric([], float(getattr(client.tokens, "token_requests", 0)))
        yield refreshes
        calls = CounterMetricFamily("gateway_salesforce_api_calls", "REST calls sent to the org")
        calls.add_metric([], float(getattr(client, "calls", 0)))
        yield calls
        usage = getattr(client, "api_usage", None)
        if usage is not None:
            gauge = GaugeMetricFamily(
                "gateway_salesforce_api_usage", "Daily API requests used and allowed", labels=["kind"]
            )
            gauge.add_metric(["used"], float(usage.used))
            gauge.add_metric(["limit"], float(usage.limit))
            yield gauge


class Metrics:
    """Per-tool requests, latency and errors by code, plus Salesforce figures."""

    def __init__(self, salesforce: Callable[[], Any] = lambda: None) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "gateway_tool_requests", "Tool calls answered", ["tool", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "gateway_tool_latency_seconds",
            "Tool call latency",
            ["tool"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter("gateway_tool_errors", "Tool errors by code", ["tool", "code"], registry=self.registry)
        self.registry.register(_SalesforceCollector(salesforce))
        self._children: dict[tuple[str, int], tuple[Counter, Histogram]] = {}

    def observe(self, path: str, status: int, seconds: float) -> None:
        tool = tool_of(path)
        key = (tool, status)
        children = self._children.get(key)
        if children is None:  # `labels()` builds and validates its key on every call: once per pair here
            children = self._children[key] = (self.requests.labels(tool, str(status)), self.latency.labels(tool))
        children[0].inc()
        children[1].observe(seconds)

    def error(self, path: str, code: str) -> None:
        self.errors.labels(tool_of(path), code).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
