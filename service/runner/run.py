"""One persona call end to end (fixtures → conversation → checks) over any `CallIO`, and the agent
factory by kind.

Shared by `call`, `calls`, `benchmarks.calls` and `benchmarks.voice`: `play_persona` is the one persona
run: `play_persona(name, executor, text_line)` (`run_persona`) or `play_persona(name, executor,
partial(VoiceLine, ...))` for the voice loop (`service.voice.call`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from service.runner.agent import QualificationAgent
from service.runner.base import Agent
from service.runner.call_record import CallRecord
from service.runner.callers import Persona, load_persona
from service.runner.callio import CallIO, TextLine
from service.runner.checks import judge
from service.runner.session import EventHook, R, play_call, prepare_fixtures, setup_failed
from service.runner.webhooks import WebhookExecutor

LineFactory = Callable[[Persona], CallIO[R]]
"""Makes the line for one persona's call (the voice line learns the persona's vocabulary)."""
AfterCall = Callable[[CallRecord, Agent], Awaitable[None]]
"""Runs once a call is judged (the post-call event and its `call_logged` check)."""


def make_agent(
    kind: str,
    executor: WebhookExecutor,
    *,
    first_message: str | None = None,
    dynamic_variables: dict[str, Any] | None = None,
    prompt: str | None = None,
    language: str | None = None,
) -> Agent:
    """`rules` (the deterministic agent, English) or `llm` (chat completions at AGENT_LLM_URL; a prompt
    override replaces the seed's system prompt, a language override is passed on as an instruction)."""
    if kind == "rules":
        return QualificationAgent(first_message=first_message, dynamic_variables=dynamic_variables)
    if kind == "llm":
        from service.runner.llm_agent import LLMAgent
        from service.settings import get_settings

        return LLMAgent.from_settings(
            get_settings(),
            executor.tools,
            first_message=first_message,
            dynamic_variables=dynamic_variables,
            system_prompt=prompt,
            language=language,
        )
    raise ValueError(f"unknown agent kind {kind!r} (rules or llm)")


async def play_persona(
    name: str,
    executor: WebhookExecutor,
    make_line: LineFactory[R],
    *,
    agent_kind: str = "rules",
    tag: str = "",
    on_event: EventHook | None = None,
    after_call: AfterCall | None = None,
) -> R:
    """Prepare the persona's fixtures, play the call over the line `make_line` gives, judge it."""
    persona = load_persona(name, tag=tag)
    line = make_line(persona)
    try:
        fixtures = await prepare_fixtures(persona, executor)
    except Exception as exc:  # a gateway that can't set up is a failed call, reported
        return setup_failed(line.new_record(name, agent_kind, "(not started)"), exc)
    agent = make_agent(agent_kind, executor)
    try:
        record = await play_call(
            persona, agent, executor, line, agent_kind=agent_kind, on_event=on_event, fixtures=fixtures
        )
    finally:
        closer = getattr(agent, "aclose", None)
        if closer is not None:
            await closer()
    await judge(record, persona, executor)
    if after_call is not None:
        await after_call(record, agent)
    return record


async def run_persona(
    name: str,
    executor: WebhookExecutor,
    *,
    agent_kind: str = "rules",
    tag: str = "",
    on_event: EventHook | None = None,
    after_call: AfterCall | None = None,
) -> CallRecord:
    """The text persona run: `play_persona` over a `TextLine`."""
    return await play_persona(
        name, executor, text_line, agent_kind=agent_kind, tag=tag, on_event=on_event, after_call=after_call
    )


def text_line(persona: Persona) -> TextLine:
    """The text call's line (the same for every persona)."""
    return TextLine()
