"""Tokens and secrets never reach the logs; personal data is masked unless LOG_UNMASK."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest

from service.tools.logging import configure_logging
from tests.tools.conftest import SECRET, gateway_settings


async def test_tokens_and_secrets_never_in_captured_logs(
    embedded_org: Any, make_gateway: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A full search / get / create / error flow at DEBUG: no secret, token or raw email in any log."""
    caplog.set_level(logging.DEBUG)
    stream = io.StringIO()
    async with make_gateway(embedded_org) as (client, app):
        handler = configure_logging(gateway_settings(embedded_org, log_level="DEBUG"), stream)
        try:
            token = await app.state.gateway.tokens.access_token()
            embedded_org.state.sessions.expire_all()  # force a refresh (token traffic) mid-test
            r = await client.get(
                "/tools/salesforce_search_records",
                params={"q": "SELECT Id, Name, Email FROM Contact WHERE Email = 'customer@example.com'"},
            )
            record_id = r.json()["records"][0]["Id"]
            await client.get(f"/tools/salesforce_get_record/Contact/{record_id}")
            await client.post(
                "/tools/salesforce_create_record/Lead",
                json={"LastName": "Logsafe", "Company": "Quiet Co", "Email": "logsafe@quiet.example"},
                headers={"X-Conversation-Id": "conv-log"},
            )
            await client.get("/tools/salesforce_get_record/Contact/x", headers={"X-Webhook-Secret": "wrong-" + SECRET})
            new_token = await app.state.gateway.tokens.access_token()
        finally:
            logging.getLogger("service").removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert lines and all(json.loads(line)["msg"] for line in lines)
    for text in (caplog.text, stream.getvalue()):
        for secret in (SECRET, embedded_org.client_secret, token, new_token):
            assert secret not in text
    assert "customer@example.com" not in stream.getvalue()
    assert any(json.loads(line).get("request_id") for line in lines)
    assert any(json.loads(line).get("conversation_id") == "conv-log" for line in lines)
