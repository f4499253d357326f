"""The embedded org's configuration and run-time state, shared by every handler.

`OrgConfig` is plain data (build it from `Settings` with `OrgConfig.from_settings`); `OrgState`
owns the store, sessions, limits, counters and open query cursors. Handlers reach it with
`org_state(request)`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from service.org.limits import ApiLimits
from service.org.sessions import Sessions
from service.org.stats import Stats
from service.org.store import Store
from service.schema import Schema, builtin_schema

if TYPE_CHECKING:
    from service.settings import Settings

JSON_TYPE = "application/json;charset=UTF-8"


@dataclass
class OrgConfig:
    """Everything the org needs to run; mutable fields may be changed while it runs."""

    data_dir: Path = Path(".data")
    client_id: str = "embedded-org-client"
    client_secret: str = field(default="embedded-org-secret", repr=False)
    session_timeout: float = 7200.0
    daily_api_limit: int = 100_000
    latency_ms: float = 0.0
    timezone: str = "UTC"
    max_body_bytes: int = 2_000_000
    seed_if_empty: bool = True
    seed: int = 42
    fault_spec: str | None = None  # ORG_FAULTS, `kind[:scope[:times[:extra]]]` (see service.org.faults)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> OrgConfig:
        """The org's config from the service settings (ORG_* variables), with overrides."""
        base = cls(
            data_dir=Path(settings.org_data_dir),
            client_id=settings.org_client_id,
            client_secret=settings.org_client_secret.get_secret_value(),
            session_timeout=settings.org_session_timeout,
            daily_api_limit=settings.org_daily_api_limit,
            timezone=settings.org_timezone,
            fault_spec=settings.org_faults,
        )
        return replace(base, **overrides)


class OrgState:
    """Store, sessions, limits and counters of one running org."""

    def __init__(self, config: OrgConfig, schema: Schema | None = None) -> None:
        self.config = config
        self.schema = schema or builtin_schema()
        self.store = Store(Path(config.data_dir), self.schema)
        self.sessions = Sessions(config.session_timeout)
        self.limits = ApiLimits(config.daily_api_limit)
        self.stats = Stats()
        self.cursors: dict[str, Any] = {}

    def snapshot(self) -> dict[str, Any]:
        """What `GET /_org/stats` answers."""
        return {
            **self.stats.snapshot(),
            "records": self.store.counts(),
            "active_sessions": self.sessions.active(),
            "api_usage": self.limits.used,
            "api_limit": self.limits.limit,
        }

    def close(self) -> None:
        """Release the database."""
        self.store.close()


def org_state(request: Request) -> OrgState:
    """The org state of the app serving `request`."""
    state: OrgState = request.app.state.org
    return state


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Compact JSON with Salesforce's content type."""
    return Response(json.dumps(body, separators=(",", ":")), status_code=status, headers=headers, media_type=JSON_TYPE)
