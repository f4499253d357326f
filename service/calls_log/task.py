"""The Task for one conversation: who it is about, what it says.

`WhoId` is the Lead or Contact; `WhatId` the Opportunity, Account or Case — never beside a Lead,
which Salesforce refuses. `CallObject` (the call-centre call identifier) holds the conversation id:
delivery looks a Task up by it before creating one, so a repeat or a create whose answer was lost
never makes a second Task.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from service.calls_log.events import INITIATION_FAILURE, PostCallEvent
from service.calls_log.qualification import LABELS

_WHO = ("Lead", "Contact")
_WHAT = ("Opportunity", "Account", "Case")
_OUTCOMES = {"success": "successful", "failure": "not successful"}
_DESCRIPTION_LIMIT = 32000


@dataclass(frozen=True, slots=True)
class Target:
    """The records a Task hangs on."""

    who: tuple[str, str] | None
    what: tuple[str, str] | None


def pick_target(records: Sequence[tuple[str, str, bool]]) -> Target | None:
    """The Lead/Contact and Opportunity/Account the call was about: created records first, then the latest."""
    ranked = sorted(enumerate(records), key=lambda item: (item[1][2], item[0]), reverse=True)
    who = next(((o, i) for _, (o, i, _c) in ranked if o in _WHO), None)
    what = None
    if who is None or who[0] != "Lead":
        for wanted in _WHAT:
            what = next(((o, i) for _, (o, i, _c) in ranked if o == wanted), None)
            if what is not None:
                break
    return Target(who, what) if who or what else None


def outcome(event: PostCallEvent) -> str:
    """The Subject's outcome: the analysis's own words when it collected them."""
    if event.type == INITIATION_FAILURE:
        return f"call failed ({event.failure_reason or 'unknown reason'})"
    said = event.data_collection.get("outcome")
    return said or _OUTCOMES.get(event.call_successful or "", "completed")


def task_fields(event: PostCallEvent, target: Target, agent_name: str, notes: Sequence[str] = ()) -> dict[str, object]:
    """The Task's fields."""
    when = (
        datetime.fromtimestamp(event.start_unix or event.timestamp or 0, UTC)
        if (event.start_unix or event.timestamp)
        else datetime.now(UTC)
    )
    fields: dict[str, object] = {
        "Subject": f"Call with {agent_name}: {outcome(event)}"[:255],
        "TaskSubtype": "Call",
        "Type": "Call",
        "Status": "Completed",
        "ActivityDate": when.date().isoformat(),
        "CallType": "Inbound",
        "CallObject": event.conversation_id,
        "Description": description(event, notes),
    }
    if event.duration_secs is not None:
        fields["CallDurationInSeconds"] = max(0, event.duration_secs)
    if target.who:
        fields["WhoId"] = target.who[1]
    if target.what:
        fields["WhatId"] = target.what[1]
    return fields


def description(event: PostCallEvent, notes: Sequence[str] = ()) -> str:
    """Summary, qualification answers, evaluation results, field changes and the conversation id."""
    lines: list[str] = []
    if event.type == INITIATION_FAILURE:
        lines.append(f"The call could not be started: {event.failure_reason or 'no reason given'}.")
    if event.summary:
        lines += ["Summary:", event.summary, ""]
    answers = [(LABELS.get(k, k.replace("_", " ").capitalize()), v) for k, v in event.data_collection.items()]
    if answers:
        lines += ["Qualification:", *(f"- {label}: {value}" for label, value in answers), ""]
    if event.evaluation:
        lines.append("Evaluation:")
        for name, result in event.evaluation.items():
            why = f" ({result.rationale})" if result.rationale else ""
            lines.append(f"- {name}: {result.result}{why}")
        lines.append("")
    if notes:
        lines += ["Record updates:", *(f"- {note}" for note in notes), ""]
    lines.append(f"Conversation id: {event.conversation_id}")
    return "\n".join(lines)[-_DESCRIPTION_LIMIT:]
