"""One persona call end to end (fixtures → conversation → checks), and the agent factory by kind.

Shared by `call`, `calls` and `benchmarks.calls`.
"""

from __future__ import annotations

from typing import Any

from service.runner.agent import QualificationAgent
from service.runner.base import Agent
from service.runner.callers import load_persona
from service.runner.checks import judge
from service.runner.session import CallRecord, EventHook, prepare_fixtures, run_call, setup_failed
from service.runner.webhooks import WebhookExecutor


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


async def run_persona(
    name: str, executor: WebhookExecutor, *, agent_kind: str = "rules", tag: str = "", on_event: EventHook | None = None
) -> CallRecord:
    """Prepare the persona's fixtures, play the call, judge it."""
    persona = load_persona(name, tag=tag)
    try:
        fixtures = await prepare_fixtures(persona, executor)
    except Exception as exc:  # a gateway that can't set up is a failed call, reported
        return setup_failed(CallRecord, name, agent_kind, exc)
    agent = make_agent(agent_kind, executor)
    try:
        record = await run_call(persona, agent, executor, agent_kind=agent_kind, on_event=on_event, fixtures=fixtures)
    finally:
        closer = getattr(agent, "aclose", None)
        if closer is not None:
            await closer()
    await judge(record, persona, executor)
    return record
