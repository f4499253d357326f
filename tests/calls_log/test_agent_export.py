"""`agent export` carries the post-call analysis the Task is built from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from service.cli import main
from service.tool_json.agent_config import system_prompt


async def test_export_has_data_collection_for_every_qualification_goal(tmp_path: Path) -> None:
    """Each goal in the seed's prompt (industry, pain points, budget, timeline, authority) is collected."""
    out = tmp_path / "agent.json"
    assert main(["agent", "export", "--out", str(out), "--base-url", "https://gw.example.com"]) == 0
    platform: dict[str, Any] = json.loads(out.read_text())["platform_settings"]
    collected = platform["data_collection"]
    for item, goal in (("industry", "Industry"), ("pain_points", "pain points"), ("budget", "Budget")):
        assert item in collected and goal in system_prompt()
    assert {"company_size", "timeline", "authority"} <= set(collected)
    assert all(spec["type"] == "string" and spec["description"] for spec in collected.values())
    criteria = platform["evaluation"]["criteria"]
    assert [c["id"] for c in criteria] == ["qualified", "record_kept", "next_step"]
