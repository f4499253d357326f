"""The whole suite: personas recorded, bodies built and validated; files in and out."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

from service.errors import ConfigError
from service.runner.call_record import CallRecord
from service.runner.callers import Persona
from service.tool_json.agent_tests.build import persona_tests
from service.tool_json.agent_tests.record import record
from service.tool_json.agent_tests.validate import validate_suite
from service.tool_json.export import dumps


def bodies_for(runs: list[tuple[Persona, CallRecord]]) -> list[dict[str, Any]]:
    """Every test body for the recorded runs, validated as a suite."""
    bodies = [body for persona, rec in runs for body in persona_tests(persona, rec)]
    validate_suite(bodies)
    return bodies


def build_suite(names: list[str], *, gateway_url: str | None = None, secret: str | None = None) -> list[dict[str, Any]]:
    """Run the personas (on a fresh embedded org unless `gateway_url` is given) and build their tests."""
    if gateway_url is not None:
        return bodies_for(record(names, gateway_url=gateway_url, secret=secret))
    with tempfile.TemporaryDirectory(prefix="agent-tests-org-") as data_dir:
        return bodies_for(record(names, data_dir=Path(data_dir)))


def file_name(test_name: str) -> str:
    """`new-prospect: creates Lead` → `new-prospect-creates-lead.json`."""
    return re.sub(r"[^a-z0-9]+", "-", test_name.lower()).strip("-") + ".json"


def render(bodies: list[dict[str, Any]]) -> dict[str, str]:
    """{file name: JSON text}; two names mapping to one file is an error."""
    files: dict[str, str] = {}
    for body in bodies:
        name = file_name(body["name"])
        if name in files:
            raise ConfigError(f"tests {body['name']!r} and another map to the same file {name}")
        files[name] = dumps(body)
    return files


def read_dir(directory: Path) -> list[dict[str, Any]]:
    """The test bodies exported into `directory`, validated; `ConfigError` on anything unreadable."""
    if not directory.is_dir():
        raise ConfigError(f"--from {directory} is not a directory")
    bodies = []
    for path in sorted(directory.glob("*.json")):
        try:
            bodies.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read {path}: {exc}") from exc
    if not bodies:
        raise ConfigError(f"no test JSON in {directory}")
    validate_suite(bodies)
    return bodies
