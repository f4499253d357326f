"""The deterministic qualification agent: follows the seed's system prompt step by step.

Needs first (one question at a time) → name, company, email → "let me check our records" and
`salesforce_search_records` (Contact and Lead by email, Account by company) → personalise with what
was found (greet a known contact by name, name their opportunities, never ask again for what is on
file) → qualify (size, industry, budget, timeline, authority) → contact details (title, phone,
address) → read the email back (corrections handled) → `salesforce_create_record` (a Lead for a new
prospect, a Contact + Opportunity for an existing account's new deal) → thanks and next steps.
Off-topic requests are declined; "just go ahead" proceeds with what is on file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from service.runner import slots
from service.runner.webhooks import ToolResult

ToolFn = Callable[[str, dict[str, Any]], Awaitable[ToolResult]]

SEARCH, GET, CREATE = "salesforce_search_records", "salesforce_get_record", "salesforce_create_record"
OFF_TOPIC = re.compile(r"\b(weather|football|soccer|baseball|game last night|joke|poem|recipe|movie|politic\w*|"
                       r"election|stock tips?|crypto|horoscope|song|vacation)\b", re.I)
IMPATIENT = re.compile(r"(just go ahead|go ahead with what|on file|in a hurry|skip the questions|use what you have)",
                       re.I)


@dataclass
class AgentReply:
    """One agent turn: what it says, whether it ends the call, and the slot it now waits for."""

    text: str
    end_call: bool = False
    slot: str | None = None


class Agent(Protocol):
    """What the session runner and the agent server drive (rules and LLM agents alike)."""

    expected_slot: str | None

    async def greet(self) -> AgentReply:
        """The first message."""
        ...

    async def reply(self, user_text: str, tools: ToolFn) -> AgentReply:
        """Answer one caller turn, calling tools through `tools` as needed."""
        ...

    def add_context(self, text: str) -> None:
        """A contextual update from the client (does not interrupt, needs no answer)."""
        ...


def soql_quote(value: str) -> str:
    """A SOQL string literal (backslash and quote escaped): speech never goes into SOQL raw."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def spoken_email(email: str) -> str:
    """How an email is read back: "jane dot doe at acme dot com"."""
    return email.replace(".", " dot ").replace("@", " at ").replace("_", " underscore ").replace("-", " dash ")


@dataclass
class Facts:
    """What the agent knows about the caller (from the call and from the records)."""

    values: dict[str, Any] = field(default_factory=dict)
    on_file: set[str] = field(default_factory=set)

    def has(self, key: str) -> bool:
        return self.values.get(key) not in (None, "")

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


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


class QualificationAgent:
    """The rules agent. `expected_slot` names what it just asked for (voice switches grammars on it)."""

    def __init__(self, *, first_message: str | None = None, dynamic_variables: dict[str, Any] | None = None,
                 today: dt.date | None = None, summary_tool: str | None = None) -> None:
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
        known = self.variables.get("caller_name") or self.variables.get("lead_name") or self.variables.get("name")
        if isinstance(known, str) and known.strip():
            parts = known.split()
            self.facts.values.update(first_name=parts[0], last_name=" ".join(parts[1:]) or None)

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
            return AgentReply("I'm sorry, I can only help with our business solutions and sales. " + again,
                              slot=self.expected_slot)
        if IMPATIENT.search(text) and self.state not in ("needs", "readback", "fix_email", "done"):
            return await self._proceed(tools, impatient=True)
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
        company = slots.after_cue(text, ("i'm with", "i am with", "i work at", "i work for", "we're", "we are",
                                         "company is", "from", "with", "at"))
        if company.islower():  # a recogniser's lower case: company names are proper nouns
            company = " ".join(w[:1].upper() + w[1:] for w in company.split())
        self.facts.values["company"] = company
        return await self._next_identity(tools)

    async def _on_email(self, text: str, tools: ToolFn) -> AgentReply:
        email = slots.extract_email(text)
        if email is None:
            return self._ask("That doesn't sound like a complete email address. Could you give me the full email "
                             "address, like name at company dot com?", "email", "email")
        self.facts.values["email"] = email
        return await self._next_identity(tools)

    async def _check_records(self, tools: ToolFn, prefix: str) -> AgentReply:
        intro = prefix + "Let me check our records for any existing information. "
        email, company = str(self.facts.get("email")), str(self.facts.get("company"))
        found = await tools(SEARCH, {"q": "SELECT Id, Name, Email, Phone, Title, Account.Name, AccountId FROM Contact "
                                          f"WHERE Email = {soql_quote(email)} LIMIT 5"})
        contacts = _records(found)
        if contacts:
            self.contact = contacts[0]
            detail = await tools(GET, {"object_type": "Contact", "record_id": str(self.contact.get("Id"))})
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
                return self._ask(said + " Are you calling about one of those, or about a new project?",
                                 "which_deal", "free")
            self.plan = "opportunity"
            return self._next_question(said + " ")
        leads = _records(await tools(SEARCH, {
            "q": "SELECT Id, Name, Email, Phone, Title, Company, Status FROM Lead "
                 f"WHERE Email = {soql_quote(email)} LIMIT 5"}))
        if leads:
            lead = leads[0]
            self.plan = "existing_lead"
            for key, fld in (("title", "Title"), ("phone", "Phone"), ("company", "Company")):
                if lead.get(fld):
                    self.facts.values[key] = lead[fld]
                    self.facts.on_file.add(key)
            return self._next_question(f"{intro}I can see we already have you on file from {lead.get('Company')}, "
                                       "so I won't create anything new. ")
        await self._find_account(tools, company)
        if self.account is not None:
            self.plan = "opportunity"
            said = f"{intro}I can see {self.account.get('Name')} is already a customer of ours."
            if self.opportunities:
                said += f" Your team's opportunities include {_join([str(o.get('Name')) for o in self.opportunities])}."
            return self._next_question(said + " ")
        self.plan = "lead"
        return self._next_question(f"{intro}I don't see you in our system yet, so let's get you set up. ")

    def _learn_contact(self, rec: dict[str, Any]) -> None:
        first, _, last = str(rec.get("Name") or "").partition(" ")
        mapping = {"first_name": rec.get("FirstName") or first, "last_name": rec.get("LastName") or last,
                   "title": rec.get("Title"), "phone": rec.get("Phone"), "email": rec.get("Email")}
        account = rec.get("Account")
        if isinstance(account, dict):
            account = account.get("Name")
        if isinstance(account, str) and account:
            mapping["company"] = account
        for key, value in mapping.items():
            if value:
                self.facts.values[key] = value
                self.facts.on_file.add(key)

    async def _find_account(self, tools: ToolFn, company: str) -> None:
        accounts = _records(await tools(SEARCH, {
            "q": "SELECT Id, Name, Industry, NumberOfEmployees, BillingCity FROM Account "
                 f"WHERE Name = {soql_quote(company)} LIMIT 5"}))
        if not accounts:
            return
        self.account = accounts[0]
        for key, fld in (("industry", "Industry"), ("employees", "NumberOfEmployees")):
            if self.account.get(fld):
                self.facts.values[key] = self.account[fld]
                self.facts.on_file.add(key)
        self.opportunities = _records(await tools(SEARCH, {
            "q": "SELECT Id, Name, StageName, Amount, CloseDate FROM Opportunity "
                 f"WHERE Account.Name = {soql_quote(str(self.account.get('Name')))} AND IsClosed = false LIMIT 5"}))

    async def _on_which_deal(self, text: str, tools: ToolFn) -> AgentReply:
        if re.search(r"\bnew\b", text, re.I):
            self.plan = "opportunity"
            return self._next_question("Great, a new project. ")
        chosen = next((o for o in self.opportunities if str(o.get("Name", "")).lower() in text.lower()),
                      self.opportunities[0])
        self.plan = "existing"
        self.state, self.expected_slot = "done", None
        return AgentReply(f"Thanks. I'll let the team working on {chosen.get('Name')} know you called, so nothing new "
                          "needs to be created. Your account manager will follow up within one business day. "
                          "Thank you for calling!", end_call=True)

    def _next_question(self, prefix: str = "") -> AgentReply:
        company = self.facts.get("company") or "your company"
        for key, question, slot in (*QUALIFY, *DETAILS):
            if not self.facts.has(key):
                return self._ask(prefix + question.format(company=company), key, slot)
        if self.plan == "existing_lead":
            self.state, self.expected_slot = "done", None
            return AgentReply(prefix + "Thanks, I have everything I need. Since you're already in our system, a sales "
                              "representative will follow up with you within one business day. Thank you for "
                              "calling!", end_call=True)
        email = str(self.facts.get("email"))
        return self._ask(prefix + f"Let me read your email back to confirm: {spoken_email(email)}. Is that right?",
                         "readback", "yes_no")

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
            return self._ask(f"Thanks for the correction. Let me read it back: {spoken_email(corrected)}. "
                             "Is that right?", "readback", "yes_no")
        if slots.is_yes(text) and not slots.is_no(text):
            return await self._proceed(tools)
        return self._ask("Sorry about that. What's the correct email address?", "fix_email", "email")

    async def _on_fix_email(self, text: str, tools: ToolFn) -> AgentReply:
        email = slots.extract_email(text)
        if email is None:
            return self._ask("That doesn't sound like a complete email address. Could you spell it out?",
                             "fix_email", "email")
        self.facts.values["email"] = email
        return self._ask(f"Thanks. Let me read it back: {spoken_email(email)}. Is that right?", "readback", "yes_no")

    def __getattr__(self, name: str) -> Any:
        # `_on_employees`, `_on_budget`, ...: one handler for every qualification/detail question.
        keys = {k for k, _q, _s in (*QUALIFY, *DETAILS)}
        if name.startswith("_on_") and name[4:] in keys:
            key = name[4:]

            async def handler(text: str, tools: ToolFn) -> AgentReply:
                return await self._on_qualify(key, text)

            return handler
        raise AttributeError(name)

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
            return AgentReply(prefix + "You're already in our system, so a representative will follow up within one "
                              "business day. Thank you for calling!", end_call=True)
        said = prefix + "Thank you. I'll create a record in our system now. "
        if self.plan == "opportunity" and self.account is not None:
            if self.contact is None:
                contact = await tools(CREATE, {"object_type": "Contact", **self._person_fields("Contact")})
                if contact.ok and isinstance(contact.data, dict):
                    self.created.append(contact.data)
            opp = await tools(CREATE, {"object_type": "Opportunity", **self._opportunity_fields()})
            if not opp.ok:
                return self._failed(said, opp)
            self.created.append(opp.data if isinstance(opp.data, dict) else {})
            said += f"I've opened a new opportunity called {self._opportunity_name()}. "
        else:
            lead = await tools(CREATE, {"object_type": "Lead", **self._person_fields("Lead")})
            if not lead.ok:
                return self._failed(said, lead)
            self.created.append(lead.data if isinstance(lead.data, dict) else {})
            said += lead.speech() + " " if lead.speech() else "Your details are saved. "
        if self.summary_tool and self.created:
            last = self.created[-1]
            await tools(self.summary_tool, {"object": last.get("object"), "name": last.get("name"),
                                            "email": self.facts.get("email")})
        self.state, self.expected_slot = "done", None
        return AgentReply(said + "Next steps: an account executive will email you within one business day to set up "
                          "a discovery call. Thank you for calling!", end_call=True)

    def _failed(self, said: str, result: ToolResult) -> AgentReply:
        self.state, self.expected_slot = "done", None
        reason = result.speech() or "our system had a problem"
        return AgentReply(said + f"I'm sorry, I couldn't save that: {reason} A colleague will follow up with you "
                          "directly. Thank you for calling!", end_call=True)

    def _description(self) -> str:
        parts = []
        for key, label in (("challenges", "Needs"), ("employees", "Employees"), ("budget", "Budget"),
                           ("timeline", "Timeline"), ("decision_maker", "Decision maker"), ("address", "Address")):
            value = self.facts.get(key)
            if isinstance(value, float) and value.is_integer():
                value = f"${int(value):,}" if key == "budget" else int(value)
            if value not in (None, ""):
                parts.append(f"{label}: {value}")
        return "; ".join(parts)

    def _person_fields(self, obj: str) -> dict[str, Any]:
        f = self.facts
        fields: dict[str, Any] = {"FirstName": f.get("first_name"), "LastName": f.get("last_name"),
                                  "Email": f.get("email"), "Phone": f.get("phone"), "Title": f.get("title"),
                                  "Description": self._description()}
        if obj == "Lead":
            fields.update(Company=f.get("company"), Industry=f.get("industry"))
        if obj != "Lead" and self.account is not None:
            fields["AccountId"] = self.account.get("Id")
        return {k: v for k, v in fields.items() if v not in (None, "")}

    def _close_date(self) -> dt.date:
        close = self.facts.get("timeline")
        return close if isinstance(close, dt.date) else self.today + dt.timedelta(days=90)

    def _opportunity_name(self) -> str:
        """Named like the seed's examples ("Q1 Enterprise Deal"): company, quarter and year of the close."""
        company = str(self.account.get("Name") if self.account else self.facts.get("company"))
        close = self._close_date()
        return f"{company} - Q{(close.month - 1) // 3 + 1} {close.year} New Business"

    def _opportunity_fields(self) -> dict[str, Any]:
        close = self._close_date()
        fields: dict[str, Any] = {"Name": self._opportunity_name(), "StageName": "Qualification",
                                  "CloseDate": close.isoformat(), "AccountId": self.account.get("Id") if self.account
                                  else None, "Description": self._description()}
        if isinstance(self.facts.get("budget"), int | float):
            fields["Amount"] = self.facts.get("budget")
        return {k: v for k, v in fields.items() if v not in (None, "")}


def _records(result: ToolResult) -> list[dict[str, Any]]:
    if result.ok and isinstance(result.data, dict) and isinstance(result.data.get("records"), list):
        return [r for r in result.data["records"] if isinstance(r, dict)]
    return []


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _ack(key: str) -> str:
    return {"employees": "Got it. ", "industry": "Thanks. ", "budget": "Understood. ", "timeline": "Great. ",
            "decision_maker": "Thanks for clarifying. ", "title": "Thanks. ", "phone": "Got it. ",
            "address": "Perfect. "}.get(key, "")
