"""`tools export --format mcp` and `agent export --tools mcp|webhook`: the ElevenLabs MCP-server config, SDK-valid."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.cli import main
from service.settings import get_settings
from service.tool_json.agent_config import system_prompt
from service.tool_json.mcp_server import FILE_NAME, validate_mcp_agent_config, validate_mcp_server_request
from service.tools import schemas as s

BASE = ["--base-url", "https://gw.example.com", "--secret-id", "sec_webhook"]
NAMES = [s.SEARCH_TOOL, s.GET_TOOL, s.CREATE_TOOL]


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A known webhook secret (it must not reach any file) and default timeouts."""
    monkeypatch.setenv("WEBHOOK_SECRET", "do-not-export-this-secret-0123456789")
    monkeypatch.delenv("TOOL_TIMEOUT", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def run(argv: list[str]) -> int:
    return await asyncio.to_thread(main, argv)


async def test_tools_export_mcp_writes_one_valid_server_config(tmp_path: Path) -> None:
    """One `POST /v1/convai/mcp-servers` body: https /mcp URL, Streamable HTTP, secret by reference, auto-approve."""
    out = tmp_path / "mcp"
    assert await run(["tools", "export", "--format", "mcp", "--out", str(out), *BASE]) == 0
    assert [p.name for p in out.iterdir()] == [FILE_NAME]
    text = (out / FILE_NAME).read_text()
    body = json.loads(text)
    validate_mcp_server_request(body)
    config = body["config"]
    assert config["url"] == "https://gw.example.com/mcp" and config["transport"] == "STREAMABLE_HTTP"
    assert config["secret_token"] == {"secret_id": "sec_webhook"}
    assert config["request_meta"] == {"conversation_id": {"variable_name": s.CONVERSATION_DYNAMIC_VARIABLE}}
    assert config["approval_policy"] == "auto_approve_all"
    assert "do-not-export-this-secret" not in text


async def test_per_tool_overrides_carry_the_webhook_settings(tmp_path: Path) -> None:
    """Overrides and timeout are the webhook JSON's: pre-tool speech, interruptions, the created-id assignment."""
    assert await run(["tools", "export", "--format", "mcp", "--out", str(tmp_path / "mcp"), *BASE]) == 0
    assert await run(["tools", "export", "--format", "api", "--out", str(tmp_path / "api"), *BASE]) == 0
    config = json.loads((tmp_path / "mcp" / FILE_NAME).read_text())["config"]
    hooks = {name: json.loads((tmp_path / "api" / f"{name}.json").read_text())["tool_config"] for name in NAMES}
    overrides = {o["tool_name"]: o for o in config["tool_config_overrides"]}
    assert set(overrides) <= set(NAMES)
    for name, override in overrides.items():
        for key, value in override.items():
            if key != "tool_name":
                assert hooks[name][key] == value, (name, key)
    assert overrides[s.CREATE_TOOL]["assignments"] == hooks[s.CREATE_TOOL]["assignments"]
    assert config["response_timeout_secs"] == hooks[s.SEARCH_TOOL]["response_timeout_secs"]


async def test_require_approval_all_is_offered(tmp_path: Path) -> None:
    """`--approval-policy require_approval_all` is written as given and validates."""
    out = tmp_path / "mcp"
    argv = ["tools", "export", "--format", "mcp", "--out", str(out), "--approval-policy", "require_approval_all"]
    assert await run(argv) == 0
    body = json.loads((out / FILE_NAME).read_text())
    validate_mcp_server_request(body)
    assert body["config"]["approval_policy"] == "require_approval_all"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--format", "mcp", "--target", "direct"], "use --target gateway"),
        (["--format", "mcp", "--approval-policy", "require_approval_per_tool"], "hashes only the platform computes"),
        (["--format", "mcp", "--base-url", "http://gw.example.com"], "must use https"),
        (["--format", "ui", "--approval-policy", "auto_approve_all"], "applies to --format mcp only"),
    ],
)
async def test_bad_mcp_export_exits_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    """Bad options print one line naming the problem, exit 2 and leave no directory behind."""
    out = tmp_path / "mcp"
    assert await run(["tools", "export", "--out", str(out), *argv]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


async def test_agent_export_tools_mcp_references_the_server(tmp_path: Path) -> None:
    """`--tools mcp`: no webhook tools, an empty `mcp_server_ids` to fill, the server body next to it, SDK-valid."""
    out = tmp_path / "agent.json"
    assert await run(["agent", "export", "--out", str(out), "--tools", "mcp", *BASE]) == 0
    config = json.loads(out.read_text())
    validate_mcp_agent_config(config)
    prompt = config["conversation_config"]["agent"]["prompt"]
    assert "tools" not in config and prompt["tool_ids"] == [] and prompt["mcp_server_ids"] == []
    assert prompt["prompt"] == system_prompt()
    [server] = config["mcp_servers"]
    assert server["config"]["url"] == "https://gw.example.com/mcp"


async def test_agent_export_tools_webhook_is_the_default(tmp_path: Path) -> None:
    """`--tools webhook` writes exactly what the plain export writes: the three webhook tools."""
    assert await run(["agent", "export", "--out", str(tmp_path / "a.json"), *BASE]) == 0
    assert await run(["agent", "export", "--out", str(tmp_path / "b.json"), "--tools", "webhook", *BASE]) == 0
    plain = json.loads((tmp_path / "a.json").read_text())
    assert plain == json.loads((tmp_path / "b.json").read_text())
    assert [t["tool_config"]["name"] for t in plain["tools"]] == NAMES


async def test_agent_export_unknown_tools_choice_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--tools grpc` is refused with the two choices; nothing is written."""
    out = tmp_path / "agent.json"
    assert await run(["agent", "export", "--out", str(out), "--tools", "grpc"]) == 2
    assert "--tools must be webhook or mcp" in capsys.readouterr().err
    assert not out.exists()
