"""Generated tool JSON: committed files fresh, SDK-valid, the seed reproduced, gateway behaviour set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.tool_json.api_format import tool_request, validate_tool_request
from service.tool_json.direct import direct_tools
from service.tool_json.export import dumps, render
from service.tool_json.generate import CREATED_ID_VARIABLE, build_tools, response_timeout
from service.tool_json.models import to_ui

REPO = Path(__file__).resolve().parents[2]
DEFINITIONS = REPO / "tool_definitions"
NAMES = ("salesforce_search_records", "salesforce_get_record", "salesforce_create_record")


@pytest.mark.parametrize(("fmt", "directory"), [("ui", DEFINITIONS), ("api", DEFINITIONS / "api")])
def test_committed_definitions_are_fresh(cli, tmp_path, fmt, directory):
    """Regenerating the committed tool_definitions with the defaults changes nothing."""
    out = tmp_path / "out"
    assert cli(["tools", "export", "--out", str(out), "--format", fmt, "--gateway-timeout", "18"]) == 0
    committed = sorted(p.name for p in directory.glob("*.json"))
    assert committed == sorted(f"{n}.json" for n in NAMES)
    for name in committed:
        assert (out / name).read_text() == (directory / name).read_text(), f"{directory / name} is stale"


def test_committed_api_definitions_validate_with_sdk_models():
    """Each committed api-format file parses as elevenlabs.ToolRequestModel with no unknown keys."""
    from elevenlabs import ToolRequestModel

    for name in NAMES:
        body = json.loads((DEFINITIONS / "api" / f"{name}.json").read_text())
        model = validate_tool_request(body)
        assert isinstance(model, ToolRequestModel)
        assert model.tool_config.type == "webhook"
        assert model.tool_config.name == name


def test_direct_ui_export_equals_the_seed(seed_tools):
    """For the seed's placeholder domain and v58.0 the direct tools equal the seed's JSON key for key."""
    rendered = render(build_tools("direct"), "ui")
    assert {name: rendered[f"{name}.json"] for name in NAMES} == seed_tools


def test_direct_export_through_cli_equals_the_seed(cli, tmp_path, seed_tools):
    """`tools export --target direct` writes the seed's three files."""
    out = tmp_path / "direct"
    argv = ["tools", "export", "--target", "direct", "--domain", "https://your-domain.my.salesforce.com"]
    assert cli([*argv, "--api-version", "v58.0", "--out", str(out)]) == 0
    for name, seed in seed_tools.items():
        assert json.loads((out / f"{name}.json").read_text()) == seed


def test_direct_domain_and_version_are_applied():
    """--domain and --api-version change every URL and nothing else."""
    tools = build_tools("direct", domain="https://acme.my.salesforce.com/", api_version="v61.0")
    assert [t.url for t in tools] == [
        "https://acme.my.salesforce.com/services/data/v61.0/query/",
        "https://acme.my.salesforce.com/services/data/v61.0/sobjects/{object_type}/{record_id}",
        "https://acme.my.salesforce.com/services/data/v61.0/sobjects/{object_type}/",
    ]
    assert [t.description for t in tools] == [t.description for t in direct_tools()]


def test_direct_api_format_validates():
    """The direct tools in API format pass the SDK models too."""
    for spec in build_tools("direct"):
        validate_tool_request(tool_request(spec))


def test_gateway_urls_headers_and_behaviour():
    """Gateway tools: gateway URLs, secret reference, conversation id, passthrough errors."""
    tools = {t.name: tool_request(t)["tool_config"] for t in build_tools(base_url="https://gw.example.com/sf/")}
    assert tools["salesforce_search_records"]["api_schema"]["url"] == (
        "https://gw.example.com/sf/tools/salesforce_search_records"
    )
    assert tools["salesforce_get_record"]["api_schema"]["url"] == (
        "https://gw.example.com/sf/tools/salesforce_get_record/{object_type}/{record_id}"
    )
    assert tools["salesforce_create_record"]["api_schema"]["url"] == (
        "https://gw.example.com/sf/tools/salesforce_create_record/{object_type}"
    )
    for config in tools.values():
        headers = config["api_schema"]["request_headers"]
        assert headers["X-Webhook-Secret"] == {"secret_id": "YOUR_WEBHOOK_SECRET_ID"}
        assert headers["X-Conversation-Id"] == {"variable_name": "system__conversation_id"}
        assert config["tool_error_handling_mode"] == "passthrough"
        assert config["response_timeout_secs"] == 20


def test_search_forces_pre_tool_speech_and_create_blocks_interruptions():
    """Pre-tool speech on search; no interruptions during create; the created id lands in a variable."""
    tools = {t.name: tool_request(t)["tool_config"] for t in build_tools()}
    assert tools["salesforce_search_records"]["pre_tool_speech"] == "force"
    assert tools["salesforce_create_record"]["interruption_mode"] == "disable_during_tool"
    assert tools["salesforce_create_record"]["assignments"] == [
        {"source": "response", "dynamic_variable": CREATED_ID_VARIABLE, "value_path": "id"}
    ]
    assert tools["salesforce_create_record"]["api_schema"]["method"] == "POST"


def test_secret_id_is_written_where_given():
    """--secret-id lands in the header reference in both formats."""
    (search, *_) = build_tools(secret_id="sec_123")
    assert tool_request(search)["tool_config"]["api_schema"]["request_headers"]["X-Webhook-Secret"] == {
        "secret_id": "sec_123"
    }
    ui_headers = to_ui(search).to_json()["api_schema"]["request_headers"]
    assert {"type": "secret", "name": "X-Webhook-Secret", "secret_id": "sec_123"} in ui_headers


@pytest.mark.parametrize(("budget", "wait"), [(18.0, 20), (10.0, 12), (17.5, 20), (1.0, 5), (400.0, 300)])
def test_platform_waits_a_little_longer_than_the_gateway(budget, wait):
    """response_timeout_secs = ceil(gateway budget) + 2, within the webhook range 5-300."""
    assert response_timeout(budget) == wait


def test_gateway_timeout_option_changes_the_wait(cli, tmp_path):
    """--gateway-timeout 10 gives tools that wait 12 s."""
    out = tmp_path / "t"
    assert cli(["tools", "export", "--out", str(out), "--format", "api", "--gateway-timeout", "10"]) == 0
    for name in NAMES:
        assert json.loads((out / f"{name}.json").read_text())["tool_config"]["response_timeout_secs"] == 12


def test_files_are_stable_json():
    """The committed style is two-space JSON with a trailing newline."""
    assert dumps({"a": [1]}) == '{\n  "a": [\n    1\n  ]\n}\n'


@pytest.mark.parametrize("target", ["gateway", "direct"])
def test_ui_and_api_formats_describe_the_same_tool(target):
    """The runner's reader (as the platform would) sees the same tool in both committed formats."""
    from service.runner.toolspec import parse_tool

    for spec in build_tools(target):
        from_ui = parse_tool(to_ui(spec).to_json())
        from_api = parse_tool(tool_request(spec))
        # The body's wrapper name ("record_data") exists only in the UI format; everything else must agree.
        for attr in (
            "url",
            "method",
            "path_params",
            "query_params",
            "body",
            "headers",
            "timeout",
            "assignments",
            "error_mode",
        ):
            assert getattr(from_ui, attr) == getattr(from_api, attr), (spec.name, attr)


def test_max_limit_setting_reaches_the_exported_search_tool(cli, tmp_path, monkeypatch):
    """With SOQL_MAX_LIMIT=20 the exported search tool says "at most 20" (and no longer 50)."""
    from service.settings import get_settings

    monkeypatch.setenv("SOQL_MAX_LIMIT", "20")
    get_settings.cache_clear()
    try:
        assert cli(["tools", "export", "--out", str(tmp_path / "t"), "--format", "api"]) == 0
    finally:
        get_settings.cache_clear()
    config = json.loads((tmp_path / "t" / "salesforce_search_records.json").read_text())["tool_config"]
    q = config["api_schema"]["query_params_schema"]["properties"]["q"]["description"]
    assert "at most 20;" in q and "at most 50" not in q


def test_allowed_objects_setting_narrows_the_object_enums():
    """ALLOWED_OBJECTS=Lead,Account leaves only those two in the get and create tools' object_type."""
    from service.settings import Settings

    settings = Settings(_env_file=None, allowed_objects="Lead,Account")
    _search, get, create = build_tools(settings=settings)
    assert get.path_params[0].enum == ("Lead", "Account")
    assert create.path_params[0].enum == ("Lead", "Account")
    assert "Contact" not in create.path_params[0].description
