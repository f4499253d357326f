"""Log masking rules, case by case from `tests/fixtures/log_masking.yaml`, and through the JSON handler."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import SecretStr

from service.settings import Settings
from service.tools.logging import configure_logging, mask

CASES: dict[str, Any] = yaml.safe_load(
    (Path(__file__).resolve().parents[1] / "fixtures" / "log_masking.yaml").read_text()
)


@pytest.mark.parametrize(("text", "logged"), CASES["masked"], ids=[c[0] for c in CASES["masked"]])
async def test_personal_data_is_masked_valid_or_not(text: str, logged: str) -> None:
    """Emails, phones and ids are masked even when they are malformed."""
    assert mask(text) == logged


@pytest.mark.parametrize("text", CASES["kept"])
async def test_what_is_not_personal_is_kept(text: str) -> None:
    """Hosts, ports, dates, durations, request ids and the word Authorization pass unchanged."""
    assert mask(text) == text


@pytest.mark.parametrize(("text", "gone", "kept"), CASES["secret"], ids=[c[0][:30] for c in CASES["secret"]])
async def test_credentials_are_removed_even_unmasked(text: str, gone: str, kept: str) -> None:
    """Tokens, credentials and secret values never reach the log, LOG_UNMASK or not."""
    for unmask in (False, True):
        logged = mask(text, unmask=unmask)
        assert gone not in logged
        assert kept in logged


async def test_json_handler_masks_arguments() -> None:
    """A record's %-arguments are rendered, then masked, before the JSON line is written."""
    stream = io.StringIO()
    settings = Settings(_env_file=None, webhook_secret=SecretStr("w" * 40))  # type: ignore[call-arg]
    handler = configure_logging(settings, stream)
    try:
        logging.getLogger("service.test").warning(
            "refused %s from %s (secret %s)", "john@gmail,com", "+44 20 7946 0958", "w" * 40
        )
    finally:
        logging.getLogger("service").removeHandler(handler)
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert line["msg"] == "refused j***@gmail,com from ***58 (secret ***)"
