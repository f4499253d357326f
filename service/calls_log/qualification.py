"""The seed's qualification goals as data-collection items: one list for the agent export, the
Task description and the runner's post-call event."""

from __future__ import annotations

from typing import Final

# (data-collection id, label in the Task, what the platform's analysis should extract)
QUALIFICATION: Final[tuple[tuple[str, str, str], ...]] = (
    ("company_size", "Company size", "The caller's company size: number of employees, as said."),
    ("industry", "Industry", "The industry the caller's business is in."),
    ("pain_points", "Pain points", "The business challenges or pain points the caller described."),
    ("budget", "Budget", "The budget the caller mentioned for a solution, with currency if given."),
    ("timeline", "Timeline", "When the caller wants a solution in place (a date or a period)."),
    ("authority", "Authority", "Whether the caller decides on the purchase, or who else does."),
    ("outcome", "Outcome", "One or two words for how the call ended, e.g. 'qualified lead', 'existing customer'."),
)

# (criterion id, name, what counts as success)
EVALUATION: Final[tuple[tuple[str, str, str], ...]] = (
    (
        "qualified",
        "Qualification complete",
        "Success when the agent learned the caller's budget, timeline, pain points and decision authority.",
    ),
    (
        "record_kept",
        "Caller's record kept",
        "Success when the agent found the caller's existing record or created one, without creating a duplicate.",
    ),
    (
        "next_step",
        "Next step agreed",
        "Success when the call ended with a clear next step (a follow-up, a meeting or a hand-off).",
    ),
)

LABELS: Final[dict[str, str]] = {key: label for key, label, _ in QUALIFICATION}
