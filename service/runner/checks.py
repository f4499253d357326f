"""The checks every call must pass: searched before creating; nothing duplicated; email read back
before create; created fields match the persona's facts; opportunities named, no ids spoken; and the
persona's expected outcome. Duplicates are counted in the org afterwards, through the gateway."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from service.runner import slots
from service.runner.base import CREATE, SEARCH, spoken_email
from service.runner.call_record import CallRecord, Check, ToolEvent
from service.runner.callers import Persona
from service.runner.webhooks import WebhookExecutor
from service.soql.quoting import quote_value

# 15/18-character Salesforce ids with the key prefixes the tools handle.
ID_RE = re.compile(r"\b(?:001|003|00Q|006|500|005)[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?\b")


def _created(event: ToolEvent) -> bool:
    data = event.result
    return event.name == CREATE and event.ok and isinstance(data, dict) and data.get("created", True) is not False


def outcome_of(record: CallRecord) -> str:
    """hung_up | created | existing | failed."""
    if record.hung_up:
        return "hung_up"
    if record.error:
        return "failed"
    if any(_created(e) for e in record.tools):
        return "created"
    return "existing" if record.ended_by_agent else "failed"


def expected_value(value: Any, persona: Persona, fixtures: dict[str, str]) -> Any:
    """A persona's expected field value made concrete: `@key` is a fixture id or a persona fact."""
    if not isinstance(value, str) or not value.startswith("@"):
        return value
    key = value[1:]
    if key in fixtures:
        return fixtures[key]
    if key == "timeline":
        date = slots.extract_date(str(persona.facts["timeline"]))
        return date.isoformat() if isinstance(date, dt.date) else None
    return persona.facts.get(key)


def _same(field: str, want: Any, got: Any) -> bool:
    if isinstance(want, str) and want.startswith("~"):
        return want[1:].lower() in str(got or "").lower()
    if field == "Phone":
        digits = re.sub(r"\D", "", str(got or ""))
        return bool(digits) and digits.endswith(re.sub(r"\D", "", str(want))[-10:])
    if isinstance(want, int | float) and not isinstance(want, bool):
        try:
            return float(str(got).replace("$", "").replace(",", "")) == float(want)
        except ValueError:
            return False
    if field == "AccountId":
        return str(got)[:15] == str(want)[:15]
    return str(want).strip().lower() == str(got or "").strip().lower()


async def judge(record: CallRecord, persona: Persona, executor: WebhookExecutor) -> list[Check]:
    """Every check for `record`; also sets `record.outcome` and `record.checks`."""
    checks: list[Check] = []
    agent_lines = [(i, ln.text) for i, ln in enumerate(record.lines) if ln.role == "agent"]
    creates = [e for e in record.tools if e.name == CREATE]

    # searched before creating
    bad = [
        e
        for e in creates
        if not any(t.name == SEARCH and t.after_line <= e.after_line for t in record.tools[: record.tools.index(e)])
    ]
    checks.append(Check("searched_before_creating", not bad, f"{len(creates)} create(s), {len(bad)} without a search"))

    # email read back before create (Lead/Contact creates that carry an email)
    unread = []
    for e in creates:
        email = e.params.get("Email")
        if not email:
            continue
        said = " ".join(t for i, t in agent_lines if i < e.after_line).lower()
        if spoken_email(str(email)).lower() not in said and str(email).lower() not in said:
            unread.append(str(email))
    checks.append(
        Check(
            "email_read_back_before_create",
            not unread,
            "not read back: " + ", ".join(unread) if unread else "every created email was read back",
        )
    )

    # created fields match the persona's facts
    wanted = persona.expected.get("creates", [])
    made = [e for e in creates if _created(e)]
    problems: list[str] = []
    want_objects = [w["object"] for w in wanted]
    made_objects = [e.params.get("object_type") for e in made]
    if want_objects != made_objects:
        problems.append(f"expected {want_objects}, created {made_objects}")
    else:
        for want, event in zip(wanted, made, strict=True):
            for fld, value in want["fields"].items():
                expected = expected_value(value, persona, record.fixtures)
                if not _same(fld, expected, event.params.get(fld)):
                    problems.append(f"{want['object']}.{fld}: expected {expected!r}, got {event.params.get(fld)!r}")
    summary = "; ".join(problems) or f"{len(made)} record(s) as expected"
    checks.append(Check("created_fields_match", not problems, summary))

    # opportunities named, no ids spoken
    all_said = " ".join(t for _i, t in agent_lines)
    ids = ID_RE.findall(all_said)
    missing = [m for m in persona.expected.get("mentions", []) if m.lower() not in all_said.lower()]
    checks.append(
        Check(
            "opportunities_named_no_ids",
            not ids and not missing,
            f"ids spoken: {ids}; not named: {missing}" if ids or missing else "named, no ids",
        )
    )

    # nothing duplicated (counted in the org)
    dupes = await _duplicates(record, persona, executor)
    checks.append(Check("nothing_duplicated", not dupes, "; ".join(dupes) or "no duplicates"))

    # outcome and persona-specific behaviour
    record.outcome = outcome_of(record)
    want_outcome = persona.expected.get("outcome")
    checks.append(
        Check(
            "outcome",
            record.outcome == want_outcome,
            f"expected {want_outcome}, got {record.outcome}" + (f" ({record.error})" if record.error else ""),
        )
    )
    if persona.expected.get("returning"):
        people = [e for e in made if e.params.get("object_type") in ("Lead", "Contact")]
        checks.append(
            Check(
                "returning_caller_found",
                not people,
                "on file before the call; found, not created again" if not people else f"created {len(people)} again",
            )
        )
    if persona.expected.get("greets_by_name"):
        name = str(persona.facts["first_name"])
        checks.append(Check("greets_known_caller_by_name", f"welcome back, {name}".lower() in all_said.lower()))
    if persona.expected.get("declines"):
        declined = sum("only help with" in t.lower() for _i, t in agent_lines)
        checks.append(
            Check("declines_off_topic", declined >= int(persona.expected["declines"]), f"declined {declined} time(s)")
        )
    record.checks = checks
    return checks


def stamp(conversation_id: str) -> str:
    """What the gateway's create tool appends to CONVERSATION_ID_FIELD (default Description)."""
    return f"[conversation {conversation_id[:80]}]"


async def _duplicates(record: CallRecord, persona: Persona, executor: WebhookExecutor) -> list[str]:
    """People by email (and, for a misheard caller, by name) and accounts by name are counted in the whole
    org: two of those are duplicates whoever made them. Opportunities are named by company and quarter, so
    on a shared org earlier runs leave same-named ones: only this call's (its conversation stamp) count."""
    variables: dict[str, Any] = {"system__conversation_id": f"verify-{record.conversation_id}"}
    problems: list[str] = []

    async def rows(obj: str, field: str, value: str, extra: str = "") -> list[dict[str, Any]]:
        result = await executor.call(
            SEARCH,
            {"q": f"SELECT Id, Name{extra} FROM {obj} WHERE {field} = {quote_value(value)} LIMIT 50"},
            variables,
        )
        data = result.data if isinstance(result.data, dict) else {}
        if not result.ok:
            problems.append(f"could not verify {obj} by {field}: {result.speech()[:80]}")
        return [r for r in data.get("records") or [] if isinstance(r, dict)]

    async def count(obj: str, field: str, value: str) -> int:
        return len(await rows(obj, field, value))

    email = str(persona.facts["email"])
    people = await count("Lead", "Email", email) + await count("Contact", "Email", email)
    record.verification["people_with_email"] = people
    if people > 1:
        problems.append(f"{people} Lead/Contact records with {email}")
    if persona.script.get("says"):  # a misheard caller must not come back as a second record under their name
        named = await count("Lead", "Name", persona.full_name) + await count("Contact", "Name", persona.full_name)
        record.verification["people_named"] = named
        if named > 1:
            problems.append(f"{named} Lead/Contact records named {persona.full_name}")
    accounts = await count("Account", "Name", str(persona.facts["company"]))
    record.verification["accounts_named"] = accounts
    if accounts > 1:
        problems.append(f"{accounts} accounts named {persona.facts['company']}")
    mine = stamp(record.conversation_id)
    for event in record.tools:
        if _created(event) and event.params.get("object_type") == "Opportunity":
            same = await rows("Opportunity", "Name", str(event.params.get("Name")), ", Description")
            stamped = [r for r in same if mine in str(r.get("Description") or "")]
            n = len(stamped) if stamped else len(same)  # a gateway that stamps another field: count all
            if n > 1:
                problems.append(f"{n} opportunities named {event.params.get('Name')}")
    return problems
