"""Scripted caller personas (package data in `personas/*.json`) and the caller that plays them.

The caller answers from the agent's words alone (what was asked: email, phone, budget, ...), so it
works the same in-process, over the conversation WebSocket, and against the LLM agent. A `tag`
makes a persona's emails and company names unique, so many calls can share one org.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

PERSONA_NAMES = (
    "new-prospect",
    "existing-contact",
    "existing-account-deal",
    "email-correction",
    "impatient",
    "off-topic",
    "hang-up",
    "malformed-email",
    "misheard-split-surname",
    "misheard-homophone",
    "misheard-email",
)


def _fill(value: Any, tag: str) -> Any:
    if isinstance(value, str):
        return value.replace("{tag}", tag)
    if isinstance(value, list):
        return [_fill(v, tag) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, tag) for k, v in value.items()}
    return value


@dataclass
class Persona:
    """A caller: facts, fixture records that must exist, behaviour, and the expected outcome."""

    name: str
    description: str
    facts: dict[str, Any]
    fixtures: list[dict[str, Any]]
    script: dict[str, Any]
    expected: dict[str, Any]
    tag: str = ""

    @property
    def full_name(self) -> str:
        return f"{self.facts['first_name']} {self.facts['last_name']}"

    def returning(self) -> Persona:
        """This persona as a caller already on file (a shared org after an earlier run): `expected.on_file`
        replaces the first call's expectations: found, not created again."""
        on_file = self.expected.get("on_file", {})
        return replace(self, expected={**self.expected, **on_file, "returning": True})

    @property
    def spoken(self) -> dict[str, Any]:
        """The facts as the caller says them: a misheard persona's `script.says` ("Jon Smyth", a slipped
        email) stands in for what speech recognition would have garbled; `facts` stay what is on file."""
        says = self.script.get("says", {})
        return {**self.facts, **(says if isinstance(says, dict) else {})}


def load_persona(name: str, tag: str = "") -> Persona:
    """The packaged persona `name` with `{tag}` filled in."""
    if name not in PERSONA_NAMES:
        raise ValueError(f"unknown persona {name!r}; choose from {', '.join(PERSONA_NAMES)}")
    raw = json.loads(resources.files("service.runner.personas").joinpath(f"{name}.json").read_text())
    doc = _fill(raw, tag)
    return Persona(
        name=name,
        description=doc["description"],
        facts=doc["facts"],
        fixtures=doc.get("fixtures", []),
        script=doc.get("script", {}),
        expected=doc["expected"],
        tag=tag,
    )


# What the agent asked for, from its words: (pattern, fact key). First match wins.
ASKS: tuple[tuple[str, str], ...] = (
    (r"who i'm speaking with|who you're speaking with|is that you\?", "confirm"),
    (r"read (it|your email) back|is that right\?", "readback"),
    (r"calling about one of those|new project\?", "deal"),
    (r"email", "email"),
    (r"phone", "phone"),
    (r"full name|first and last name|your name", "name"),
    (r"job title|your title|your role", "title"),
    (r"address", "address"),
    (r"how many employees|company size", "employees"),
    (r"industry", "industry"),
    (r"budget", "budget"),
    (r"when are you hoping|timeline|time frame", "timeline"),
    (r"decision", "decision"),
    (r"which company|company name|calling from", "company"),
    (r"needs|challenges|help you", "challenges"),
)


@dataclass
class Caller:
    """Plays a persona: `respond(agent_text)` returns the next caller line, or None to hang up."""

    persona: Persona
    turns: int = 0
    used: set[str] = field(default_factory=set)

    def asked(self, agent_text: str) -> str | None:
        """Which fact the agent's last words ask for (the final question in the message)."""
        tail = re.split(r"(?<=[.!])\s+", agent_text.strip())
        for sentence in reversed(tail):
            for pattern, key in ASKS:
                if re.search(pattern, sentence, re.I):
                    return key
        return None

    def respond(self, agent_text: str) -> str | None:
        script, facts = self.persona.script, self.persona.spoken
        limit = script.get("hang_up_after")
        if isinstance(limit, int) and self.turns >= limit:
            return None
        key = self.asked(agent_text) or "challenges"
        self.turns += 1
        interjections: dict[str, str] = script.get("interjections", {})
        for when in (str(self.turns - 1), key):
            if when in interjections and when not in self.used:
                self.used.add(when)
                return interjections[when]
        if key in script.get("impatient_on", []) and "impatient" not in self.used:
            self.used.add("impatient")
            return str(script.get("impatient_line", "Just go ahead with what you have on file."))
        return self.answer(key, facts, agent_text)

    def confirm(self, agent_text: str) -> str:
        """Yes only when the agent's candidate is this caller as on file: their name and company."""
        facts = self.persona.facts
        said = re.sub(r"\s+", " ", agent_text.lower())
        company = re.sub(r"\s+", " ", str(facts.get("company", "")).lower())
        if self.persona.full_name.lower() in said and (not company or company in said):
            return "Yes, that's me."
        return "No, that's not me."

    def answer(self, key: str, facts: dict[str, Any], agent_text: str = "") -> str:
        """The persona's answer to one kind of question."""
        script = self.persona.script
        if key == "readback":
            if "readback_correction" in script and "readback" not in self.used:
                self.used.add("readback")
                return str(script["readback_correction"])
            return "Yes, that's right."
        if key == "email":
            if "first_email" in script and "first_email" not in self.used:
                self.used.add("first_email")
                return f"It's {script['first_email']}"
            return f"It's {facts['email']}"
        if key == "confirm":
            return self.confirm(agent_text)
        if key == "deal":
            return str(facts.get("deal_answer", "It's a new project."))
        templates = {
            "name": "I'm {first_name} {last_name}.",
            "title": "I'm the {title}.",
            "phone": "My number is {phone}.",
            "address": "{address}",
            "employees": "We have about {employees} employees.",
            "industry": "We're in the {industry} industry.",
            "timeline": "We'd like something in place {timeline}.",
            "company": "I'm with {company}.",
            "challenges": "{challenges}",
        }
        if key == "budget":
            return f"Our budget is around ${int(facts.get('budget', 0)):,}." if facts.get("budget") else "Not sure yet."
        if key == "decision":
            return "Yes, I make the final decision." if facts.get("decision_maker") else "Our CFO signs off."
        try:
            return templates[key].format(**facts)
        except KeyError:
            return "I'd rather not say."
