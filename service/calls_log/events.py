"""The post-call events ElevenLabs sends, read into one small typed shape.

Payloads follow the platform's post-call webhook docs: `{"type", "event_timestamp", "data": {...}}`
with `data.analysis` holding `transcript_summary`, `call_successful`,
`data_collection_results` and `evaluation_criteria_results`, and `data.metadata` the timing.
Unknown keys are ignored (the platform adds fields); a missing `type` or conversation id is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from service.errors import InputError

TRANSCRIPTION = "post_call_transcription"
AUDIO = "post_call_audio"
INITIATION_FAILURE = "call_initiation_failure"
EVENT_TYPES = (TRANSCRIPTION, AUDIO, INITIATION_FAILURE)


@dataclass(frozen=True, slots=True)
class Evaluation:
    """One evaluation criterion's result (`success`, `failure`, `unknown`) and why."""

    result: str
    rationale: str = ""


@dataclass(frozen=True, slots=True)
class PostCallEvent:
    """What a Task needs from one event."""

    type: str
    conversation_id: str
    agent_id: str = ""
    agent_name: str | None = None
    timestamp: int | None = None
    start_unix: int | None = None
    duration_secs: int | None = None
    summary: str = ""
    call_successful: str | None = None
    failure_reason: str | None = None
    data_collection: Mapping[str, str] = field(default_factory=dict)
    evaluation: Mapping[str, Evaluation] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """One outbox entry per event type and conversation: a platform retry is the same key."""
        return f"{self.type}:{self.conversation_id}"


def parse_event(payload: Any) -> PostCallEvent:
    """Read a decoded webhook body; `InputError` names what is missing."""
    if not isinstance(payload, dict):
        raise InputError("The post-call body must be a JSON object.")
    kind = payload.get("type")
    if kind not in EVENT_TYPES:
        raise InputError(f"Unknown post-call event type {kind!r}; expected one of {', '.join(EVENT_TYPES)}.")
    data = payload.get("data")
    if not isinstance(data, dict):
        raise InputError("The post-call body has no data object.")
    conversation = data.get("conversation_id")
    if not isinstance(conversation, str) or not conversation.strip() or len(conversation) > 128:
        raise InputError("The post-call event has no conversation_id.")
    metadata = _dict(data.get("metadata"))
    analysis = _dict(data.get("analysis"))
    return PostCallEvent(
        type=kind,
        conversation_id=conversation.strip(),
        agent_id=str(data.get("agent_id") or ""),
        agent_name=_text(data.get("agent_name")),
        timestamp=_int(payload.get("event_timestamp")),
        start_unix=_int(metadata.get("start_time_unix_secs")),
        duration_secs=_int(metadata.get("call_duration_secs")),
        summary=_text(analysis.get("transcript_summary")) or "",
        call_successful=_text(analysis.get("call_successful")),
        failure_reason=_text(data.get("failure_reason")),
        data_collection=_collected(analysis.get("data_collection_results")),
        evaluation=_evaluations(analysis.get("evaluation_criteria_results")),
    )


def _collected(value: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, item in _dict(value).items():
        raw = item.get("value") if isinstance(item, dict) else item
        if raw is not None and str(raw).strip():
            out[str(key)] = str(raw).strip()
    return out


def _evaluations(value: Any) -> dict[str, Evaluation]:
    out: dict[str, Evaluation] = {}
    for key, item in _dict(value).items():
        if isinstance(item, dict):
            out[str(key)] = Evaluation(str(item.get("result") or "unknown"), _text(item.get("rationale")) or "")
    return out


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
