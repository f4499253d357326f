"""The fake ElevenLabs tools API's state (a uniquely named module: every test directory has a
`conftest`, so `from conftest import ...` would depend on which one was imported first)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from tool_json_fake_tests_api import FakeTestsApi

API_KEY = "test-xi-key"

# Filled into stored configs the way the real API echoes its defaults.
_SERVER_DEFAULTS: dict[str, Any] = {
    "response_timeout_secs": 20,
    "disable_interruptions": False,
    "force_pre_tool_speech": False,
    "assignments": [],
    "tool_call_sound": None,
    "tool_call_sound_behavior": "auto",
    "tool_error_handling_mode": "auto",
    "execution_mode": "immediate",
    "dynamic_variables": {"dynamic_variable_placeholders": {}},
}


@dataclass
class FakeToolsApi:
    """State of the fake: tools by id, and every request seen as (method, path)."""

    tools: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    page_size_cap: int = 2  # small, so pagination is exercised
    url: str = ""
    testing: FakeTestsApi = field(init=False)

    def __post_init__(self) -> None:
        self.testing = FakeTestsApi(tool_ids=self.tools)

    def writes(self) -> list[tuple[str, str]]:
        return [r for r in self.requests if r[0] in ("POST", "PATCH", "PUT", "DELETE")]

    def answer(self, tool_id: str) -> dict[str, Any]:
        config = copy.deepcopy(_SERVER_DEFAULTS)
        config.update(copy.deepcopy(self.tools[tool_id]))
        api = config["api_schema"]
        api.setdefault("auth_connection", None)
        literals = [
            *api.get("path_params_schema", {}).values(),
            *api.get("query_params_schema", {}).get("properties", {}).values(),
            *api.get("request_body_schema", {}).get("properties", {}).values(),
        ]
        for prop in literals:  # unset value sources come back empty, as the dashboard shows them
            for key, empty in (
                ("description", ""),
                ("dynamic_variable", ""),
                ("constant_value", ""),
                ("is_system_provided", False),
                ("enum", None),
            ):
                prop.setdefault(key, empty)
        return {
            "id": tool_id,
            "tool_config": config,
            "access_info": {
                "is_creator": True,
                "creator_name": "Test",
                "creator_email": "t@example.com",
                "role": "admin",
            },
            "usage_stats": {"avg_latency_secs": 0.0},
        }
