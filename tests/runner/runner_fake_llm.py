"""A scripted OpenAI-compatible chat-completions endpoint for the LLM agent tests."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request

EMAIL = "priya.natarajan@brightwave-analytics.com"


def _call(name: str, args: dict[str, Any], call_id: str) -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}


SCRIPT: list[dict[str, Any]] = [
    {"role": "assistant", "content": "Thanks. What's your business email address?"},
    {
        "role": "assistant",
        "content": "Let me check our records.",
        "tool_calls": [
            _call("salesforce_search_records", {"q": f"SELECT Id, Name, Email FROM Lead WHERE Email = '{EMAIL}'"}, "c1")
        ],
    },
    {"role": "assistant", "content": f"I don't see you yet. Let me read your email back: {EMAIL}. Is that right?"},
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            _call(
                "salesforce_create_record",
                {
                    "object_type": "Lead",
                    "record_data": {
                        "FirstName": "Priya",
                        "LastName": "Natarajan",
                        "Email": EMAIL,
                        "Company": "Brightwave Analytics",
                    },
                },
                "c2",
            )
        ],
    },
    {
        "role": "assistant",
        "content": "Done. An account executive will follow up. Thank you for calling!",
        "tool_calls": [_call("end_call", {}, "c3")],
    },
]


def fake_llm(script: list[dict[str, Any]] | None = None) -> FastAPI:
    """Answers the n-th completion request with the n-th scripted message."""
    replies = script or SCRIPT
    app = FastAPI()
    app.state.requests = []

    @app.post("/v1/chat/completions")
    async def complete(request: Request) -> dict[str, Any]:
        body = await request.json()
        app.state.requests.append({"body": body, "auth": request.headers.get("authorization")})
        message = replies[len(app.state.requests) - 1]
        return {
            "id": "x",
            "object": "chat.completion",
            "model": body["model"],
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        }

    return app
