"""The LLM agent: any OpenAI-compatible chat-completions endpoint with tool calling, behind the same
interface as the rules agent. System prompt: the seed's (from `service.tool_json`); tools: the
function schemas derived from the tool JSON (LLM-filled parameters only), plus the `end_call`
system tool."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx2

from service.runner.base import AgentReply, ToolFn
from service.runner.toolspec import ToolSpec
from service.settings import Settings

END_CALL = {
    "type": "function",
    "function": {
        "name": "end_call",
        "description": "End the call after thanking the caller and explaining next steps.",
        "parameters": {"type": "object", "properties": {}, "required": []},
    },
}
DEFAULT_FIRST_MESSAGE = "Hi, thanks for calling. What business needs or challenges can I help you with today?"
MAX_TOOL_ROUNDS = 8


def seed_system_prompt() -> str:
    """The seed's detailed system prompt (engineer E's copy), or a short fallback."""
    try:
        from service.tool_json.agent_config import system_prompt

        return system_prompt()
    except ImportError:  # pragma: no cover
        return "You are a helpful sales assistant. Check existing Salesforce records before creating new ones."


def _slot_of(text: str) -> str | None:
    lower = text.lower()
    for slot, pattern in (
        ("email", r"email"),
        ("phone", r"phone"),
        ("name", r"your name"),
        ("yes_no", r"is that (right|correct)"),
    ):
        if re.search(pattern, lower):
            return slot
    return "free"


class LLMAgent:
    """Chat completions with tool calling; tool calls go through `tools` like the rules agent's."""

    def __init__(
        self,
        *,
        url: str,
        model: str,
        api_key: str | None,
        tools: dict[str, ToolSpec],
        system_prompt: str | None = None,
        first_message: str | None = None,
        dynamic_variables: dict[str, Any] | None = None,
        transport: httpx2.AsyncBaseTransport | None = None,
        timeout: float = 60.0,
        language: str | None = None,
    ) -> None:
        self.url = (
            url.rstrip("/") if url.rstrip("/").endswith("/chat/completions") else url.rstrip("/") + "/chat/completions"
        )
        self.model = model
        self.api_key = api_key
        self.tools = tools
        self.variables = dict(dynamic_variables or {})
        prompt = system_prompt or seed_system_prompt()
        if language and language.lower() not in ("en", "english"):
            prompt += f"\n\nSpeak with the caller in this language: {language}."
        self.first_message = self._fill(first_message or DEFAULT_FIRST_MESSAGE)
        self.messages: list[dict[str, Any]] = [{"role": "system", "content": self._fill(prompt)}]
        self.expected_slot: str | None = "free"
        self._client = httpx2.AsyncClient(transport=transport, timeout=timeout)

    @classmethod
    def from_settings(cls, settings: Settings, tools: dict[str, ToolSpec], **kwargs: Any) -> LLMAgent:
        if not settings.agent_llm_url or not settings.agent_llm_model:
            raise ValueError("the LLM agent needs AGENT_LLM_URL and AGENT_LLM_MODEL")
        key = settings.agent_llm_api_key.get_secret_value() if settings.agent_llm_api_key else None
        return cls(url=settings.agent_llm_url, model=settings.agent_llm_model, api_key=key, tools=tools, **kwargs)

    def _fill(self, text: str) -> str:
        return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: str(self.variables.get(m.group(1), "")), text)

    def add_context(self, text: str) -> None:
        self.messages.append({"role": "system", "content": f"Context update: {text}"})

    async def greet(self) -> AgentReply:
        self.messages.append({"role": "assistant", "content": self.first_message})
        return AgentReply(self.first_message, slot="free")

    def _flatten(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        spec = self.tools.get(name)
        if spec is None or spec.body is None or not isinstance(args.get(spec.body_name), dict):
            return args
        return {**{k: v for k, v in args.items() if k != spec.body_name}, **args[spec.body_name]}

    async def _complete(self) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        body = {
            "model": self.model,
            "messages": self.messages,
            "tool_choice": "auto",
            "tools": [spec.function_schema() for spec in self.tools.values()] + [END_CALL],
        }
        response = await self._client.post(self.url, json=body, headers=headers)
        response.raise_for_status()
        message: dict[str, Any] = response.json()["choices"][0]["message"]
        return message

    async def reply(self, user_text: str, tools: ToolFn) -> AgentReply:
        self.messages.append({"role": "user", "content": user_text})
        spoken: list[str] = []
        end = False
        for _ in range(MAX_TOOL_ROUNDS):
            message = await self._complete()
            calls = message.get("tool_calls") or []
            self.messages.append({k: v for k, v in message.items() if k in ("role", "content", "tool_calls")})
            if message.get("content"):
                spoken.append(str(message["content"]).strip())
            if not calls:
                break
            for call in calls:
                fn = call.get("function", {})
                name = str(fn.get("name"))
                try:
                    args = json.loads(fn.get("arguments") or "{}")
                except ValueError:
                    args = {}
                if name == "end_call":
                    end = True
                    content = "Call ended."
                else:
                    result = await tools(name, self._flatten(name, args if isinstance(args, dict) else {}))
                    content = json.dumps(result.for_agent, default=str)
                self.messages.append({"role": "tool", "tool_call_id": call.get("id"), "content": content})
            if end:
                break
        text = " ".join(s for s in spoken if s) or "Sorry, could you say that again?"
        self.expected_slot = None if end else _slot_of(text)
        return AgentReply(text, end_call=end, slot=self.expected_slot)

    async def aclose(self) -> None:
        await self._client.aclose()
