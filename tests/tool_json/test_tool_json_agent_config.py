"""`agent export`: the seed's system prompt, a first message and the three tools, SDK-valid."""

from __future__ import annotations

import json
import re
import textwrap

from service.tool_json.agent_config import system_prompt, validate_agent_config


def _seed_prompt(shared_dir):
    text = sorted((shared_dir / "seed").glob("000_*.txt"))[0].read_text(encoding="utf-8")
    tab = text.split('<Tab title="Detailed system prompt">', 1)[1].split("</Tab>", 1)[0]
    block = re.search(r"```\n(.*?)\n\s*```", tab, re.S)
    assert block is not None
    lines = [line.rstrip() for line in block.group(1).splitlines()]
    return textwrap.dedent("\n".join(lines)).strip() + "\n"


def test_packaged_prompt_equals_the_seed(shared_dir):
    """The shipped system_prompt.txt is the seed's "Detailed system prompt", dedented."""
    assert system_prompt() == _seed_prompt(shared_dir)
    for heading in ("Personality", "Environment", "Tone", "Goal", "Guardrails", "Tools"):
        assert f"# {heading}\n" in system_prompt()


def test_agent_export_writes_a_valid_config(cli, tmp_path):
    """The exported file has the prompt, a first message, the three tools, and validates with the SDK."""
    out = tmp_path / "agent" / "agent.json"
    assert cli(["agent", "export", "--out", str(out), "--base-url", "https://gw.example.com"]) == 0
    config = json.loads(out.read_text())
    validate_agent_config(config)
    agent = config["conversation_config"]["agent"]
    assert agent["prompt"]["prompt"] == system_prompt()
    assert agent["first_message"].strip()
    assert agent["prompt"]["built_in_tools"]["end_call"]["params"] == {"system_tool_type": "end_call"}
    names = [tool["tool_config"]["name"] for tool in config["tools"]]
    assert names == ["salesforce_search_records", "salesforce_get_record", "salesforce_create_record"]
    urls = [t["tool_config"]["api_schema"]["url"] for t in config["tools"]]
    assert all(url.startswith("https://gw.example.com/tools/") for url in urls)
    assert sorted(p.name for p in out.parent.iterdir()) == ["agent.json"]  # no temp file left
