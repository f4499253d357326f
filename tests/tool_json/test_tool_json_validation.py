"""validate_tool_request: the SDK models plus the API's server-side rules."""

from __future__ import annotations

import copy
import json

import pytest

from service.errors import ConfigError
from service.tool_json.api_format import tool_request, validate_tool_request
from service.tool_json.generate import build_tools


@pytest.fixture
def create_body():
    return tool_request(build_tools()[2])


def test_reference_webhook_example_is_valid(shared_dir):
    """The complete example from ../shared/elevenlabs passes, so the checks aren't stricter than the API."""
    body = json.loads((shared_dir / "elevenlabs" / "webhook_example.json").read_text())
    validate_tool_request(body)


def test_unknown_key_is_refused(create_body):
    """A typo'd key (which the lenient SDK models would keep as an extra) is refused with its path."""
    body = copy.deepcopy(create_body)
    body["tool_config"]["api_schema"]["request_body_schema"]["properties"]["Email"]["descripton"] = "x"
    with pytest.raises(ConfigError, match=r"descripton.*request_body_schema\.properties\.Email"):
        validate_tool_request(body)


def test_missing_required_field_is_refused(create_body):
    """A tool_config without `description` fails the SDK model."""
    body = copy.deepcopy(create_body)
    del body["tool_config"]["description"]
    with pytest.raises(ConfigError, match="ElevenLabs SDK models"):
        validate_tool_request(body)


def test_two_value_sources_are_refused(create_body):
    """A property with both a description and a dynamic variable is refused."""
    body = copy.deepcopy(create_body)
    body["tool_config"]["api_schema"]["path_params_schema"]["object_type"]["dynamic_variable"] = "obj"
    with pytest.raises(ConfigError, match="exactly one of"):
        validate_tool_request(body)


def test_url_placeholders_must_match_path_params(create_body):
    """A URL placeholder without a path parameter is refused."""
    body = copy.deepcopy(create_body)
    body["tool_config"]["api_schema"]["url"] += "/{extra}"
    with pytest.raises(ConfigError, match="placeholders"):
        validate_tool_request(body)


@pytest.mark.parametrize("timeout", [4, 301])
def test_timeout_outside_webhook_range_is_refused(create_body, timeout):
    """response_timeout_secs must be within 5-300 for webhook tools."""
    body = copy.deepcopy(create_body)
    body["tool_config"]["response_timeout_secs"] = timeout
    with pytest.raises(ConfigError, match="5-300"):
        validate_tool_request(body)
