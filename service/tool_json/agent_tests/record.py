"""Play personas through the real stack (embedded org + gateway, or a running gateway) and keep each
run's record: the transcript, every tool call's request and the org's answer, and the checks."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from service.errors import ConfigError
from service.runner.call_record import CallRecord
from service.runner.callers import PERSONA_NAMES, Persona, load_persona
from service.runner.run import run_persona
from service.runner.stack import Stack


def persona_names(spec: str) -> list[str]:
    """`all` or a comma-separated list of persona names; raises `ConfigError` on an unknown one."""
    if spec.strip() == "all":
        return list(PERSONA_NAMES)
    names = [n.strip() for n in spec.split(",") if n.strip()]
    unknown = [n for n in names if n not in PERSONA_NAMES]
    if unknown or not names:
        raise ConfigError(
            f"unknown persona(s) {', '.join(unknown) or '(none given)'}; choose from all or {', '.join(PERSONA_NAMES)}"
        )
    return list(dict.fromkeys(names))


async def record_personas(stack: Stack, names: Sequence[str], tag: str = "") -> list[tuple[Persona, CallRecord]]:
    """Each persona and its run, one after another (they share the org, as real calls do)."""
    executor = stack.executor()
    try:
        return [(load_persona(name, tag=tag), await run_persona(name, executor, tag=tag)) for name in names]
    finally:
        await executor.aclose()


def record(
    names: Sequence[str],
    *,
    gateway_url: str | None = None,
    secret: str | None = None,
    data_dir: Path | None = None,
    tag: str = "",
) -> list[tuple[Persona, CallRecord]]:
    """Start the stack (the embedded org unless `gateway_url` is given), run the personas, stop it."""
    with Stack(gateway_url=gateway_url, secret=secret, data_dir=data_dir) as stack:
        return asyncio.run(record_personas(stack, names, tag))
