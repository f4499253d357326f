"""JSON logs with request id and conversation id; emails, phones and ids masked; secrets never.

`configure_logging(settings)` installs one JSON handler on the `service` logger. Masking happens
in a filter on every record that reaches it (message rendered first, so arguments are masked too).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from contextvars import ContextVar

from service.settings import Settings

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
conversation_id_var: ContextVar[str | None] = ContextVar("conversation_id", default=None)

_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_PHONE = re.compile(r"(?<![\w])\+?\d[\d ().-]{6,}\d(?![\w])")
_SF_ID = re.compile(r"\b([0-9A-Za-z]{3})[0-9A-Za-z]{9}([0-9A-Za-z]{3})(?:[0-9A-Za-z]{3})?\b")
# Always scrubbed, even with LOG_UNMASK: bearer tokens, access tokens, secrets in key=value form.
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"',]+")
_SECRETISH = re.compile(
    r"(?i)((?:access_token|refresh_token|client_secret|webhook_secret|x-webhook-secret|password|"
    r"authorization)[\"']?\s*[:=]\s*[\"']?)[^\s\"',&}]+"
)


def _has_digit_and_letter(text: str) -> bool:
    return any(c.isdigit() for c in text) and any(c.isalpha() for c in text)


def mask(text: str, *, unmask: bool = False, secrets: tuple[str, ...] = ()) -> str:
    """`text` with secrets removed and (unless `unmask`) emails, phones and record ids masked."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    text = _BEARER.sub(r"\1***", text)
    text = _SECRETISH.sub(r"\1***", text)
    if unmask:
        return text
    text = _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    text = _SF_ID.sub(
        lambda m: f"{m.group(1)}…{m.group(2)[-3:]}" if _has_digit_and_letter(m.group(0)) else m.group(0), text
    )
    text = _PHONE.sub(lambda m: "***" + re.sub(r"\D", "", m.group(0))[-2:], text)
    return text


class MaskingFilter(logging.Filter):
    """Renders the message, masks it, and attaches the request and conversation ids."""

    def __init__(self, *, unmask: bool = False, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.unmask = unmask
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask(record.getMessage(), unmask=self.unmask, secrets=self.secrets)
        record.args = None
        record.request_id = request_id_var.get()
        record.conversation_id = conversation_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in ("request_id", "conversation_id"):
            value = getattr(record, key, None)
            if value:
                entry[key] = value
        for key in ("method", "path", "status", "ms", "tool"):
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False)


def secrets_of(settings: Settings) -> tuple[str, ...]:
    """Every configured secret value, to scrub verbatim."""
    values = [
        settings.webhook_secret,
        settings.sf_client_secret,
        settings.org_client_secret,
        settings.agent_llm_api_key,
        settings.elevenlabs_api_key,
    ]
    return tuple(v.get_secret_value() for v in values if v is not None)


def masking_filter(settings: Settings) -> MaskingFilter:
    """The filter for `settings` (used on the handler and in tests)."""
    return MaskingFilter(unmask=settings.log_unmask, secrets=secrets_of(settings))


def configure_logging(settings: Settings, stream: object = None) -> logging.Handler:
    """Install the JSON handler on the `service` logger (idempotent); returns it."""
    logger = logging.getLogger("service")
    for handler in list(logger.handlers):
        if getattr(handler, "_gateway", False):
            logger.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    handler._gateway = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter())
    handler.addFilter(masking_filter(settings))
    logger.addHandler(handler)
    logger.setLevel(settings.log_level.upper())
    logger.propagate = True
    return handler
