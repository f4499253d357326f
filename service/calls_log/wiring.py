"""Building the gateway's `CallsLog` from settings, and its Prometheus figures."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from service.calls_log.deliver import CallLogPort, parse_field_map
from service.calls_log.ledger import StoreLedger
from service.calls_log.outbox import Outbox, SqliteOutbox
from service.calls_log.service import CallsLog
from service.errors import ConfigError
from service.settings import Settings
from service.tools.idempotency import IdempotencyStore
from service.tools.metrics import Metrics
from service.tools.schema_cache import SchemaCache


def build_calls_log(
    settings: Settings, client: CallLogPort, schemas: SchemaCache, store: IdempotencyStore, outbox: Outbox | None = None
) -> CallsLog:
    """The outbox (`outbox`, or the SQLite file), the ledger in the idempotency store, and the delivery
    loop (not started)."""
    try:
        field_maps = parse_field_map(settings.post_call_field_updates)
    except ValueError as exc:
        raise ConfigError(f"POST_CALL_FIELD_UPDATES: {exc}") from exc
    return CallsLog(
        outbox or SqliteOutbox(settings.post_call_outbox),
        StoreLedger(store, settings.idempotency_ttl),
        client,
        schemas.get,
        conversation_field=settings.conversation_id_field,
        field_maps=field_maps,
        agent_name=settings.post_call_agent_name,
        retry_base=settings.post_call_retry_base,
        retry_max=settings.post_call_retry_max,
        budget=settings.post_call_delivery_timeout,
    )


class _CallsLogCollector(Collector):
    """Outbox entries by state and delivery counts, read at scrape time."""

    def __init__(self, source: Callable[[], CallsLog | None]) -> None:
        self._source = source

    def collect(self) -> Iterator[Any]:
        calls = self._source()
        if calls is None:
            return
        gauge = GaugeMetricFamily("gateway_post_call_events", "Post-call events in the outbox", labels=["state"])
        for state, n in calls.status().items():
            gauge.add_metric([state], float(n))
        yield gauge
        tasks = CounterMetricFamily("gateway_post_call_tasks", "Post-call events delivered as Tasks")
        tasks.add_metric([], float(calls.delivered_total))
        yield tasks
        failures = CounterMetricFamily("gateway_post_call_failures", "Failed post-call delivery attempts")
        failures.add_metric([], float(calls.failures_total))
        yield failures


def install_metrics(metrics: Metrics, source: Callable[[], CallsLog | None]) -> None:
    """Add the post-call figures to the gateway's registry."""
    metrics.registry.register(_CallsLogCollector(source))
