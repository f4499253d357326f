"""The deterministic qualification agent: follows the seed's system prompt step by step.

Needs first (one question at a time) → name, company, email → "let me check our records" and
`salesforce_search_records` (Contact and Lead by email, then by name: `service.runner.lookup`; a name
match or a tolerant-search suggestion is confirmed with the caller first, "Is that who I'm speaking
with?", and a no goes on as for a new prospect; Account by company) → personalise with what was
found (greet a known contact by name, name their opportunities, never ask again for what is on file)
→ qualify (size, industry, budget, timeline, authority) → contact details (title, phone, address) →
read the email back (corrections handled) → `salesforce_create_record` (a Lead for a new prospect, a
Contact + Opportunity for an existing account's new deal) → thanks and next steps. Off-topic requests
are declined; "just go ahead" proceeds with what is on file.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from service.runner import lookup, slots
from service.runner.base import CREATE, GET, SEARCH, Agent, AgentReply, ToolFn, spoken_email
from service.runner.records import Facts
from service.runner.webhooks import ToolResult
from service.soql.quoting import quote_value

__all__ = [
    "CREATE",
    "GET",
    "SEARCH",
    "Agent",
    "AgentReply",
    "QualificationAgent",
    "ToolFn",
    "spoken_email",
]
# Off-topic cues, including how speech recognition tends to mishear them ("a ball game", "tell me a job").
OFF_TOPIC = re.compile(
    r"\b(weather|football|soccer|baseball|ball game|game (last night|tonight)|who .{0,20}\bwins|"
    r"sports?|jokes?|tell me a jo\w*|poem|recipe|movie|politic\w*|election|stock tips?|crypto|"
    r"horoscope|song|vacation)\b",
    re.I,
)
IMPATIENT = re.compile(
    r"(just go ahead|go ahead with what|on file|in a hurry|skip the questions|use what you have)", re.I
)


QUALIFY = (
    ("employees", "How many employees does {company} have?", "number"),
    ("industry", "Which industry is {company} in?", "free"),
    ("budget", "What budget have you set aside for this?", "money"),
    ("timeline", "When are you hoping to have a solution in place?", "date"),
    ("decision_maker", "Are you the person making the final decision, or is anyone else involved?", "yes_no"),
)
DETAILS = (
    ("title", "What's your job title?", "title"),
    ("phone", "What's the best phone number to reach you?", "phone"),
    ("address", "And what's the company's street address?", "address"),
)

QUESTION_KEYS = frozenset(key for key, _q, _s in (*QUALIFY, *DETAILS))


class QualificationAgent:
    """The rules agent. `expected_slot` names what it just asked for (voice switches grammars on it)."""

    def __init__(
        self,
        *,
        first_message: str | None = None,
        dynamic_variables: dict[str, Any] | None = None,
        today: dt.date | None = None,
        summary_tool: str | None = None,
    ) -> None:
        self.variables = dict(dynamic_variables or {})
        # A client tool (run by the caller's app, e.g. to show what was saved) called after a create.
        self.summary_tool = summary_tool
        self.first_message = first_message
        self.today = today or dt.date.today()
        self.facts = Facts()
        self.state = "needs"
        self.expected_slot: str | None = "free"
        self.plan = "lead"  # lead | opportunity | existing | existing_lead
        self.account: dict[str, Any] | None = None
        self.contact: dict[str, Any] | None = None
        self.opportunities: list[dict[str, Any]] = []
        self.context: list[str] = []
        self.created: list[dict[str, Any]] = []
        # The caller lookup: searches still to run, a candidate awaiting the caller's yes, ids they denied.
        self.pending: list[lookup.Step] = []
        self.candidate: lookup.Candidate | None = None
        self.rejected: set[str] = set()
        self.reachable = True
        known = self.variables.get("caller_name") or self.variables.get("lead_name") or self.variables.get("name")
        if isinstance(known, str) and known.strip():
            parts = known.split()
            self.facts.values.update(first_name=parts[0], last_name=" ".join(parts[1:]) or None)
        # What the client already knows about the caller is not asked again.
        for key in ("email", "company", "phone", "title"):
            value = self.variables.get(f"caller_{key}") or self.variables.get(key)
            if isinstance(value, str) and value.strip():
                self.facts.values[key] = slots.extract_email(value) if key == "email" else value.strip()

    # -- turn plumbing -------------------------------------------------------------------------
    def _ask(self, text: str, state: str, slot: str | None) -> AgentReply:
        self.state, self.expected_slot = state, slot
        return AgentReply(text, slot=slot)

    def add_context(self, text: str) -> None:
        self.context.append(text)

    async def greet(self) -> AgentReply:
        if self.first_message:
            text = re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: str(self.variables.get(m.group(1), "")), self.first_message)
            return self._ask(text, "needs", "free")
        name = self.facts.get("first_name")
        hello = f"Hi {name}, thanks for calling Acme Solutions." if name else "Hi, thanks for calling Acme Solutions."
        return self._ask(f"{hello} What business needs or challenges can I help you with today?", "needs", "free")

    async def reply(self, user_text: str, tools: ToolFn) -> AgentReply:
        text = user_text.strip()
        if OFF_TOPIC.search(text):
            again = self._question_for(self.state)
            return AgentReply(
                "I'm sorry, I can only help with our business solutions and sales. " + again, slot=self.expected_slot
            )
        if IMPATIENT.search(text) and self.state not in ("needs", "confirm", "readback", "fix_email", "done"):
            return await self._proceed(tools, impatient=True)
        if self.state in QUESTION_KEYS:
            return await self._on_qualify(self.state, text)
        handler = getattr(self, f"_on_{self.state}")
        result: AgentReply = await handler(text, tools)
        return result

    def _question_for(self, state: str) -> str:
        company = self.facts.get("company") or "your company"
        for key, question, _slot in (*QUALIFY, *DETAILS):
            if key == state:
                return question.format(company=company)
        return {
            "needs": "What business needs or challenges can I help you with today?",
            "name": "May I have your full name?",
            "company": "Which company are you calling from?",
            "email": "What's your business email address?",
            "which_deal": "Are you calling about one of those, or about a new project?",
            "confirm": "Is that who I'm speaking with?",
        }.get(state, "How can I help with your business needs?")

    # -- states --------------------------------------------------------------------------------
    async def _on_needs(self, text: str, tools: ToolFn) -> AgentReply:
        self.facts.values["challenges"] = text
        return await self._next_identity(tools, prefix="Thanks, that's helpful. ")

    async def _next_identity(self, tools: ToolFn, prefix: str = "") -> AgentReply:
        if not self.facts.has("last_name"):
            return self._ask(prefix + "May I have your full name?", "name", "name")
        if not self.facts.has("company"):
            return self._ask(prefix + "Which company are you calling from?", "company", "company")
        if not self.facts.has("email"):
            return self._ask(prefix + "What's your business email address?", "email", "email")
        return await self._check_records(tools, prefix)

    async def _on_name(self, text: str, tools: ToolFn) -> AgentReply:
        name = slots.extract_name(text)
        if name is None:
            return self._ask("Sorry, I didn't catch that. Could you tell me your first and last name?", "name", "name")
        self.facts.values.update(first_name=name[0], last_name=name[1])
        return await self._next_identity(tools, prefix=f"Nice to meet you, {name[0]}. ")

    async def _on_company(self, text: str, tools: ToolFn) -> AgentReply:
        company = slots.after_cue(
            text,
            ("i'm with", "i am with", "i work at", "i work for", "we're", "we are", "company is", "from", "with", "at"),
        )
        if company.islower():  # a recogniser's lower case: company names are proper nouns
            company = " ".join(w[:1].upper() + w[1:] for w in company.split())
        self.facts.values["company"] = company
        return await self._next_identity(tools)

    async def _on_email(self, text: str, tools: ToolFn) -> AgentReply:
        email = slots.extract_email(text)
        if email is None:
            return self._ask(
                "That doesn't sound like a complete email address. Could you give me the full email "
                "address, like name at company dot com?",
                "email",
                "email",
            )
        self.facts.values["email"] = email
        return await self._next_identity(tools)

    async def _check_records(self, tools: ToolFn, prefix: str) -> AgentReply:
        intro = prefix + "Let me check our records for any existing information. "
        first, last = self.facts.get("first_name"), self.facts.get("last_name")
        self.pending = lookup.steps_for(self.facts.get("email"), first, last)
        return await self._continue_lookup(tools, intro)

    async def _continue_lookup(self, tools: ToolFn, intro: str) -> AgentReply:
        """Run the remaining lookup searches; stop at the caller's record or at a candidate to confirm."""
        while self.pending:
            step = self.pending.pop(0)
            result = await tools(SEARCH, {"q": step.query()})
            self.reachable = self.reachable and result.ok
            found = lookup.candidate(step, result, self.rejected)
            if found is None:
                continue
            if found.sure:
                return await self._welcome(tools, found, intro)
            self.candidate = found
            # Not the heard email read out: a read-back right before a yes/no makes voice expect a correction.
            heard = "that email" if step.field == "Email" else step.value
            where = f" at {found.company}" if found.company else ""
            lead_in = (
                f"I found {found.name}{where} in our records."
                if lookup.rows(result)
                else f"I didn't find {heard} exactly. The closest match is {found.name}{where}."
            )
            return self._ask(f"{intro}{lead_in} Is that who I'm speaking with?", "confirm", "yes_no")
        return await self._new_caller(tools, intro)

    async def _on_confirm(self, text: str, tools: ToolFn) -> AgentReply:
        found, self.candidate = self.candidate, None
        assert found is not None, "confirm follows a candidate"
        if slots.is_yes(text) and not slots.is_no(text):
            return await self._welcome(tools, found, "Thanks for confirming. ")
        self.rejected.add(found.id)
        return await self._continue_lookup(tools, "No problem. ")

    async def _welcome(self, tools: ToolFn, found: lookup.Candidate, intro: str) -> AgentReply:
        """The caller is `found`: personalise with what is on file and never create them again."""
        if found.object == "Lead":
            lead = found.record
            self.plan = "existing_lead"
            for key, fld in (("first_name", "FirstName"), ("last_name", "LastName"), ("email", "Email")):
                if lead.get(fld):
                    self.facts.values[key] = lead[fld]
            for key, fld in (("title", "Title"), ("phone", "Phone"), ("company", "Company")):
                if lead.get(fld):
                    self.facts.values[key] = lead[fld]
                    self.facts.on_file.add(key)
            return self._next_question(
                f"{intro}I can see we already have you on file from {lead.get('Company')}, "
                "so I won't create anything new. "
            )
        self.contact = found.record
        detail = await tools(GET, {"object_type": "Contact", "record_id": found.id})
        rec = detail.data.get("record", {}) if detail.ok and isinstance(detail.data, dict) else {}
        self._learn_contact({**self.contact, **(rec if isinstance(rec, dict) else {})})
        await self._find_account(tools, str(self.facts.get("company")))
        self.plan = "existing"
        name = self.facts.get("first_name")
        said = f"{intro}Welcome back, {name}! I can see you're on file"
        if self.facts.get("title"):
            said += f" as {self.facts.get('title')}"
        said += f" at {self.facts.get('company')}."
        if self.opportunities:
            names = _join([str(o.get("Name")) for o in self.opportunities])
            said += f" I can see your open opportunities: {names}."
            return self._ask(
                said + " Are you calling about one of those, or about a new project?", "which_deal", "free"
            )
        self.plan = "opportunity"
        return self._next_question(said + " ")

    async def _new_caller(self, tools: ToolFn, intro: str) -> AgentReply:
        """Nobody on file is the caller: an existing account gets a new deal, anyone else becomes a Lead."""
        await self._find_account(tools, str(self.facts.get("company")))
        if self.account is not None:
            self.plan = "opportunity"
            said = f"{intro}I can see {self.account.get('Name')} is already a customer of ours."
            if self.opportunities:
                said += f" Your team's opportunities include {_join([str(o.get('Name')) for o in self.opportunities])}."
            return self._next_question(said + " ")
        self.plan = "lead"
        if not self.reachable:
            # The gateway still checks for an existing email before it creates anything.
            return self._next_question(
                f"{intro}I couldn't reach our records just now, but nothing will be "
                "duplicated: our system checks before it saves. "
            )
        return self._next_question(f"{intro}I don't see you in our system yet, so let's get you set up. ")

    def _learn_contact(self, rec: dict[str, Any]) -> None:
        first, _, last = str(rec.get("Name") or "").partition(" ")
        mapping = {
            "first_name": rec.get("FirstName") or first,
            "last_name": rec.get("LastName") or last,
            "title": rec.get("Title"),
            "phone": rec.get("Phone"),
            "email": rec.get("Email"),
        }
        account = lookup.company_of(rec)
        if account:
            mapping["company"] = account
        for key, value in mapping.items():
            if value:
                self.facts.values[key] = value
                self.facts.on_file.add(key)

    async def _find_account(self, tools: ToolFn, company: str) -> None:
        accounts = _records(
            await tools(
                SEARCH,
                {
                    "q": "SELECT Id, Name, Industry, NumberOfEmployees, BillingCity FROM Account "
                    f"WHERE Name = {quote_value(company)} LIMIT 5"
                },
            )
        )
        if not accounts:
            return
        self.account = accounts[0]
        for key, fld in (("industry", "Industry"), ("employees", "NumberOfEmployees")):
            if self.account.get(fld):
                self.facts.values[key] = self.account[fld]
                self.facts.on_file.add(key)
        self.opportunities = _records(
            await tools(
                SEARCH,
                {
                    "q": "SELECT Id, Name, StageName, Amount, CloseDate FROM Opportunity "
                    f"WHERE Account.Name = {quote_value(str(self.account.get('Name')))} AND IsClosed = false LIMIT 5"
                },
            )
        )

    async def _on_which_deal(self, text: str, tools: ToolFn) -> AgentReply:
        if re.search(r"\bnew\b", text, re.I):
            self.plan = "opportunity"
            return self._next_question("Great, a new project. ")
        chosen = next(
            (o for o in self.opportunities if str(o.get("Name", "")).lower() in text.lower()), self.opportunities[0]
        )
        self.plan = "existing"
        self.state, self.expected_slot = "done", None
        return AgentReply(
            f"Thanks. I'll let the team working on {chosen.get('Name')} know you called, so nothing new "
            "needs to be created. Your account manager will follow up within one business day. "
            "Thank you for calling!",
            end_call=True,
        )

    def _next_question(self, prefix: str = "") -> AgentReply:
        company = self.facts.get("company") or "your company"
        for key, question, slot in (*QUALIFY, *DETAILS):
            if not self.facts.has(key):
                return self._ask(prefix + question.format(company=company), key, slot)
        if self.plan == "existing_lead":
            self.state, self.expected_slot = "done", None
            return AgentReply(
                prefix + "Thanks, I have everything I need. Since you're already in our system, a sales "
                "representative will follow up with you within one business day. Thank you for "
                "calling!",
                end_call=True,
            )
        email = str(self.facts.get("email"))
        return self._ask(
            prefix + f"Let me read your email back to confirm: {spoken_email(email)}. Is that right?",
            "readback",
            "yes_no",
        )

    async def _on_qualify(self, key: str, text: str) -> AgentReply:
        value: Any = text
        if key == "employees":
            value = slots.words_to_number(text)
        elif key == "budget":
            value = slots.extract_money(text)
        elif key == "timeline":
            value = slots.extract_date(text, self.today)
        elif key == "decision_maker":
            value = "yes" if slots.is_yes(text) or re.search(r"\bi (am|make|decide)\b", text, re.I) else text
        elif key == "phone":
            value = slots.extract_phone(text)
            if value is None:
                return self._ask("Sorry, could you repeat the phone number, digit by digit?", "phone", "phone")
        elif key == "industry":
            value = slots.after_cue(text, ("we're in", "we are in", "in the", "in"))
            value = re.sub(r"\s+(industry|sector|space)$", "", str(value), flags=re.I)
        elif key == "title":
            value = slots.after_cue(text, ("i'm the", "i am the", "i'm a", "i am a", "i'm", "title is"))
        self.facts.values[key] = value if value is not None else text
        return self._next_question(_ack(key))

    async def _on_readback(self, text: str, tools: ToolFn) -> AgentReply:
        corrected = slots.extract_email(text)
        if corrected and corrected != self.facts.get("email"):
            self.facts.values["email"] = corrected
            return self._ask(
                f"Thanks for the correction. Let me read it back: {spoken_email(corrected)}. Is that right?",
                "readback",
                "yes_no",
            )
        if slots.is_yes(text) and not slots.is_no(text):
            return await self._proceed(tools)
        return self._ask("Sorry about that. What's the correct email address?", "fix_email", "email")

    async def _on_fix_email(self, text: str, tools: ToolFn) -> AgentReply:
        email = slots.extract_email(text)
        if email is None:
            return self._ask(
                "That doesn't sound like a complete email address. Could you spell it out?", "fix_email", "email"
            )
        self.facts.values["email"] = email
        return self._ask(f"Thanks. Let me read it back: {spoken_email(email)}. Is that right?", "readback", "yes_no")

    async def _proceed(self, tools: ToolFn, impatient: bool = False) -> AgentReply:
        """Create the right record with what is known, then thank the caller."""
        prefix = ""
        if impatient:
            prefix = "No problem, I'll go ahead with what we have on file"
            if self.facts.has("email"):
                prefix += f" for {spoken_email(str(self.facts.get('email')))}"
            prefix += ". "
            if self.plan == "existing":
                self.plan = "opportunity"
        if self.plan == "existing_lead":
            self.state, self.expected_slot = "done", None
            return AgentReply(
                prefix + "You're already in our system, so a representative will follow up within one "
                "business day. Thank you for calling!",
                end_call=True,
            )
        said = prefix + "Thank you. I'll create a record in our system now. "
        if self.plan == "opportunity" and self.account is not None:
            if self.contact is None:
                person = self.facts.person_fields("Contact", self.account)
                contact = await tools(CREATE, {"object_type": "Contact", **person})
                if contact.ok and isinstance(contact.data, dict):
                    self.created.append(contact.data)
            deal = self.facts.opportunity_fields(self.account, self.today)
            opp = await tools(CREATE, {"object_type": "Opportunity", **deal})
            if not opp.ok:
                return self._failed(said, opp)
            self.created.append(opp.data if isinstance(opp.data, dict) else {})
            said += f"I've opened a new opportunity called {self.facts.opportunity_name(self.account, self.today)}. "
        else:
            lead = await tools(CREATE, {"object_type": "Lead", **self.facts.person_fields("Lead", self.account)})
            if not lead.ok:
                return self._failed(said, lead)
            self.created.append(lead.data if isinstance(lead.data, dict) else {})
            said += lead.speech() + " " if lead.speech() else "Your details are saved. "
        if self.summary_tool and self.created:
            last = self.created[-1]
            await tools(
                self.summary_tool,
                {"object": last.get("object"), "name": last.get("name"), "email": self.facts.get("email")},
            )
        self.state, self.expected_slot = "done", None
        return AgentReply(
            said + "Next steps: an account executive will email you within one business day to set up "
            "a discovery call. Thank you for calling!",
            end_call=True,
        )

    def _failed(self, said: str, result: ToolResult) -> AgentReply:
        self.state, self.expected_slot = "done", None
        reason = result.speech() or "our system had a problem"
        return AgentReply(
            said + f"I'm sorry, I couldn't save that: {reason} A colleague will follow up with you "
            "directly. Thank you for calling!",
            end_call=True,
        )


def _records(result: ToolResult) -> list[dict[str, Any]]:
    return lookup.rows(result)


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _ack(key: str) -> str:
    return {
        "employees": "Got it. ",
        "industry": "Thanks. ",
        "budget": "Understood. ",
        "timeline": "Great. ",
        "decision_maker": "Thanks for clarifying. ",
        "title": "Thanks. ",
        "phone": "Got it. ",
        "address": "Perfect. ",
    }.get(key, "")
