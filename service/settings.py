"""Configuration from the environment and `.env` (pydantic-settings).

Nothing is read at import time: call `get_settings()` (cached) or build `Settings(...)` directly
in tests. Secrets are `SecretStr`, so they never appear in reprs or logs.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_OBJECTS = ("Lead", "Contact", "Account", "Opportunity", "Case")
_FIELD_UPDATE = re.compile(r"\w+\s*=\s*\w+\.\w+")


class Settings(BaseSettings):
    """Every setting of the service; environment names are the upper-case field names."""

    model_config = SettingsConfigDict(env_file=".env", env_ignore_empty=True, extra="ignore", case_sensitive=False)

    # --- Salesforce org (unset: the gateway runs on the embedded org) ---
    sf_domain: str | None = Field(None, description="My Domain URL, e.g. https://acme.my.salesforce.com")
    sf_client_id: str | None = Field(None, description="Consumer key of the External Client App")
    sf_client_secret: SecretStr | None = Field(None, description="Consumer secret of the External Client App")
    sf_api_version: str = Field("v58.0", description="REST API version")
    sf_client_auth: Literal["body", "basic"] = Field("body", description="How the client authenticates at /token")
    sf_session_timeout: float = Field(7200.0, description="Session lifetime in seconds (the org's timeout)")
    sf_token_leeway: float = Field(300.0, description="Refresh this many seconds before the lifetime ends")
    sf_use_introspection: bool = Field(False, description="Read token expiry from /services/oauth2/introspect")
    sf_timeout: float = Field(10.0, description="Per-request HTTP timeout to Salesforce, seconds")
    sf_connect_timeout: float = Field(5.0, description="Connect timeout to Salesforce, seconds")
    sf_describe_ttl: float = Field(3600.0, description="How long describe results are cached, seconds")
    sf_ca_bundle: str | None = Field(None, description="CA bundle for TLS to the org (tests, proxies)")

    # --- Gateway (webhook tools) ---
    webhook_secret: SecretStr | None = Field(None, description="Shared secret agents send on every tool call")
    tool_timeout: float = Field(18.0, description="Time budget of one tool call, seconds")
    soql_default_limit: int = Field(10, description="LIMIT added to queries that have none")
    soql_max_limit: int = Field(50, description="Largest LIMIT a search may use")
    soql_max_offset: int = Field(2000, description="Largest OFFSET a search may use")
    soql_strict: bool = Field(False, description="Reject instead of repairing queries")
    tolerant_lookup: Literal["auto", "like", "off"] = Field(
        "auto", description="Suggest close records when a name search finds none: SOSL if the org has it, else LIKE"
    )
    allowed_objects: str = Field(",".join(DEFAULT_OBJECTS), description="Objects the tools may touch")
    lead_source_default: str | None = Field("Phone Inquiry", description="LeadSource set on created Leads")
    conversation_id_field: str | None = Field(
        "Description", description="Field that records the conversation id on created records"
    )
    get_record_fields: str | None = Field(
        None,
        description="Fields salesforce_get_record speaks, per object, e.g. 'Contact=Name,Email,Account.Name;"
        "Lead=Name,Company' (objects not named keep the defaults)",
    )
    idempotency_ttl: float = Field(86400.0, description="How long a create's result is replayed, seconds")
    max_body_bytes: int = Field(65536, description="Largest accepted request body")
    request_body_timeout: float = Field(
        5.0, gt=0, description="Seconds a request body may take to arrive (408 after that)"
    )
    log_level: str = Field("INFO", description="Log level")
    log_unmask: bool = Field(False, description="Dev only: show emails, phones and ids in logs")
    gateway_host: str = Field("127.0.0.1", description="Bind address of `serve`")
    gateway_port: int = Field(8000, ge=0, le=65535, description="Port of `serve` (0 = any free port)")
    redis_url: SecretStr | None = Field(
        None,
        description="Redis for state shared by replicas (token, idempotency, outbox), e.g. redis://127.0.0.1:6379/0; "
        "unset: in-process stores (one process only)",
    )
    redis_timeout: float = Field(2.0, gt=0, description="Per-command Redis timeout, seconds (then: degraded)")

    # --- Post-call webhook (calls logged as Tasks) ---
    elevenlabs_webhook_secret: SecretStr | None = Field(
        None, description="HMAC secret of the workspace's post-call webhook (not the tools' secret)"
    )
    post_call_max_body_bytes: int = Field(2_097_152, gt=0, description="Largest accepted post-call body")
    post_call_outbox: Path = Field(Path(".data/post_call_outbox.sqlite3"), description="Durable post-call outbox")
    post_call_field_updates: str | None = Field(
        None,
        description="Data-collection items written to records, "
        "e.g. 'budget=Opportunity.Amount,timeline=Opportunity.CloseDate'",
    )
    post_call_agent_name: str = Field("Salesforce sales assistant", description="Agent name in Task subjects")
    post_call_retry_base: float = Field(1.0, gt=0, description="First retry delay of a post-call delivery, seconds")
    post_call_delivery_timeout: float = Field(30.0, gt=0, description="Time budget of one delivery attempt, seconds")
    post_call_retry_max: float = Field(300.0, gt=0, description="Longest retry delay of a post-call delivery, seconds")

    # --- Embedded org ---
    org_client_id: str = Field("embedded-org-client", description="Embedded org consumer key (dev default)")
    org_client_secret: SecretStr = Field(
        SecretStr("embedded-org-secret"), description="Embedded org consumer secret (dev default)"
    )
    org_data_dir: Path = Field(Path(".data"), description="Where the embedded org keeps its SQLite file")
    org_host: str = Field("127.0.0.1", description="Bind address of the embedded org")
    org_port: int = Field(8766, ge=0, le=65535, description="Port of the embedded org (0 = any free port)")
    org_session_timeout: float = Field(7200.0, description="Embedded org session inactivity timeout")
    org_daily_api_limit: int = Field(100000, description="Embedded org daily API request limit")
    org_timezone: str = Field("UTC", description="Embedded org time zone for date literals")
    org_faults: str | None = Field(
        None,
        description="Embedded org fault injection, e.g. 'session_expired:api:3,delay:query:1:5' "
        "(kind[:scope[:times[:delay-or-status]]]; see service/org/faults.py)",
    )

    # --- Session runner ---
    agent_llm_url: str | None = Field(None, description="OpenAI-compatible chat completions base URL")
    agent_llm_model: str | None = Field(None, description="Model name for the LLM agent")
    agent_llm_api_key: SecretStr | None = Field(None, description="API key for the LLM endpoint")
    reports_dir: Path = Field(Path("reports"), description="Where call reports are written")
    voice_tts: Literal["flite", "espeak-ng", "piper"] = Field("flite", description="Agent voice backend")
    voice_stt: Literal["pocketsphinx", "faster-whisper"] = Field("pocketsphinx", description="Recogniser backend")
    voice_stt_model: str | None = Field(
        None, description="Local CTranslate2 model directory for faster-whisper (never a model name: no downloads)"
    )

    # --- ElevenLabs (tools push/diff) ---
    elevenlabs_api_key: SecretStr | None = Field(None, description="ElevenLabs API key for push/diff")
    elevenlabs_base_url: str | None = Field(None, description="ElevenLabs API base URL override")

    @field_validator("post_call_field_updates")
    @classmethod
    def _field_updates(cls, value: str | None) -> str | None:
        """`item=Object.Field` pairs, comma-separated (checked here so a typo stops the start)."""
        for pair in (p.strip() for p in (value or "").split(",")):
            if pair and not _FIELD_UPDATE.fullmatch(pair):
                raise ValueError(f"item=Object.Field pairs, not {pair!r}")
        return value

    @property
    def allowed_object_names(self) -> tuple[str, ...]:
        """The allow-list as a tuple of object names."""
        return tuple(name.strip() for name in self.allowed_objects.split(",") if name.strip())

    @property
    def uses_embedded_org(self) -> bool:
        """True when no real org is configured."""
        return not (self.sf_domain or self.sf_client_id or self.sf_client_secret)


@lru_cache
def get_settings() -> Settings:
    """Settings read once from the environment."""
    return Settings()


def describe_invalid(exc: ValidationError) -> str:
    """One line naming each bad variable and what it must be, e.g. `SOQL_MAX_LIMIT must be an integer`."""
    problems = []
    for error in exc.errors(include_url=False):
        name = "_".join(str(part) for part in error["loc"]).upper() or "settings"
        # pydantic says "Input should be a valid integer, unable to parse string as an integer"
        reason = error["msg"].removeprefix("Input should be ").removeprefix("Value error, ").split(",")[0]
        secret = any(word in name for word in ("SECRET", "KEY", "TOKEN", "PASSWORD"))
        shown = "" if secret else f" (got {error.get('input')!r})"
        problems.append(f"{name} must be {reason}{shown}")
    return "; ".join(problems) + ": fix it in the environment or .env"
