"""JSON logs with request id and conversation id; emails, phones and ids masked; secrets never.

`configure_logging(settings)` installs one JSON handler on the `service` logger. Masking happens
in a filter on every record that reaches it (message rendered first, so arguments are masked too).

The masking rules are written here, not taken from a library: PII scrubbers (scrubadub, presidio)
find only *plausible* emails and phones, and a log must hide what a caller said even when it is
broken (`john@gmail,com`, `555-01`, an id with a bad checksum). They also must not hide what
isn't personal: a host and port, a date, a duration, the word "Authorization".

- email: anything around an `@` (written) or `<word> at <word> dot <word>` (spoken);
- phone: 7 or more digits with the usual separators, but not a date, a time, an IP address or a
  decimal number, and not inside a host, path or other token;
- id: a 15- or 18-character mix of letters and digits standing on its own, and whatever follows
  `salesforce_get_record/<Object>/` in a path;
- always (even with `LOG_UNMASK`): configured secrets, bearer/basic credentials, Salesforce
  access tokens, and the values of `access_token=`, `client_secret=`, `password=`, ….
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

_EMAIL = re.compile(r"""([^\s@"'`]+)@([^\s@"'`]+)""")
_SPOKEN_EMAIL = re.compile(r"(?i)\b((?:[\w+-]+ (?:dot|underscore|dash|hyphen) )*[\w+-]+)( at (?:[\w-]+ dot )+[\w-]+)\b")
_PHONE = re.compile(r"(?<![\w.:/=-])\+?\(?\d[\d ().-]{5,}\d(?![\w.:/-]|-\d)|(?<==)\+?\d{7,}(?![\w.])")
_NOT_A_PHONE = re.compile(r"\d{4}-\d\d-\d\d|\d{1,3}(?:\.\d{1,3}){3}|\d+\.\d+|\d\d?:\d\d")
_SF_ID = re.compile(r"(?<![\w.-])(?<!//)([0-9A-Za-z]{3})(?:[0-9A-Za-z]{9}|[0-9A-Za-z]{12})([0-9A-Za-z]{3})(?![\w.-])")
_RECORD_PATH = re.compile(r"(salesforce_get_record/\w+/)([^\s/?#]+)")
# Always scrubbed, even with LOG_UNMASK.
_CREDENTIAL = re.compile(r"(?i)\b(bearer|basic)(\s+)[^\s\"',]+")
_SF_TOKEN = re.compile(r"\b00D\w{12,15}![\w.]+")
_SECRET_VALUE = re.compile(
    r"(?i)((?:access_token|refresh_token|client_secret|webhook_secret|x-webhook-secret|password|api[_-]?key|"
    r"xi-api-key)[\"']?\s*[:=]\s*[\"']?)[^\s\"',&}]+"
)
_SECRET_WORDS = ("token", "secret", "password", "key")
# An Authorization value without a scheme; plain lowercase words ("missing", "required") are not credentials.
_AUTHORIZATION = re.compile(r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?)(?!bearer\b|basic\b|\*\*\*)([^\s\"',&}]+)")


def _has_digit_and_letter(text: str) -> bool:
    return any(c.isdigit() for c in text) and any(c.isalpha() for c in text)


def _mask_local(match: re.Match[str]) -> str:
    local = match.group(1)
    return f"{local[0] if len(local) > 1 else ''}***"


def _mask_phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = re.sub(r"\D", "", text)
    if len(digits) < 7 or _NOT_A_PHONE.fullmatch(text.strip()):
        return text
    return "***" + digits[-2:]


def _mask_id(match: re.Match[str]) -> str:
    text = match.group(0)
    return f"{match.group(1)}…{match.group(2)}" if _has_digit_and_letter(text) else text


def _mask_authorization(match: re.Match[str]) -> str:
    value = match.group(2)
    return match.group(0) if re.fullmatch(r"[a-z]{1,12}", value) else match.group(1) + "***"


def mask(text: str, *, unmask: bool = False, secrets: tuple[str, ...] = ()) -> str:
    """`text` with secrets removed and (unless `unmask`) emails, phones and record ids masked."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    # Each pattern runs only when a cheap substring test says it can match: mask() sees every
    # access-log line, and the case-insensitive alternations cost tens of microseconds each.
    lower = text.lower()
    if "bearer" in lower or "basic" in lower:
        text = _CREDENTIAL.sub(r"\1\2***", text)
    if "!" in text:
        text = _SF_TOKEN.sub("***", text)
    if any(word in lower for word in _SECRET_WORDS):
        text = _SECRET_VALUE.sub(r"\1***", text)
    if "authorization" in lower:
        text = _AUTHORIZATION.sub(_mask_authorization, text)
    if unmask:
        return text
    if "@" in text:
        text = _EMAIL.sub(lambda m: f"{_mask_local(m)}@{m.group(2)}", text)
    if " at " in text:
        text = _SPOKEN_EMAIL.sub(lambda m: f"{_mask_local(m)}{m.group(2)}", text)
    if "salesforce_get_record/" in text:
        text = _RECORD_PATH.sub(lambda m: m.group(1) + (m.group(2)[:3] + "…" if len(m.group(2)) > 3 else "…"), text)
    if any(c.isdigit() for c in text):
        text = _SF_ID.sub(_mask_id, text)
        text = _PHONE.sub(_mask_phone, text)
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
