"""One conversation on the agent server: initiation, turns, tools, pings, audio, end_call.

A receiver reads client frames and queues caller turns; a worker answers them one at a time (so
pongs, client tool results and barge-in are handled while the agent is busy). Any bad frame is
logged and the socket closed with 1008; a vanished client just ends the tasks. Nothing here can
affect another conversation.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from service.runner import protocol
from service.runner.base import Agent
from service.runner.protocol import InitData, ProtocolError
from service.runner.speech import SpeechFactory, SpeechIO
from service.runner.webhooks import ToolResult, WebhookExecutor

log = logging.getLogger("service.runner.server")

AgentFactory = Callable[[InitData], Agent]
# Sees every entry of `Conversation.log` as it is appended, plus events that are not logged: `tool_start` (a
# webhook tool call about to run), `audio_in` / `audio_out` (caller / agent PCM, for recordings) and `closed`
# (the conversation is over). The web console's live view, call records and recordings use it.
ConversationHook = Callable[["Conversation", dict[str, Any]], None]
AUDIO_CHUNK_BYTES = 16_000  # 0.5 s of 16 kHz PCM16 per audio event
CLIENT_TOOL_TIMEOUT = 10.0


class Conversation:
    """State and tasks of one WebSocket conversation."""

    def __init__(
        self,
        ws: WebSocket,
        executor: WebhookExecutor,
        agent_factory: AgentFactory,
        *,
        speech_factory: SpeechFactory | None,
        client_tools: frozenset[str],
        ping_interval: float,
        max_duration: float = 1800.0,
        on_event: ConversationHook | None = None,
        on_end: Callable[[Conversation], Awaitable[None]] | None = None,
    ) -> None:
        self.ws = ws
        self.on_event = on_event
        self.on_end = on_end  # e.g. the post-call event, once the session is over
        self.started = time.time()
        self.executor = executor
        self.agent_factory = agent_factory
        self.speech_factory = speech_factory
        self.client_tools = client_tools
        self.ping_interval = ping_interval
        self.max_duration = max_duration
        self.id = f"conv_{uuid.uuid4().hex[:20]}"
        self.event_id = 0
        self.turns: asyncio.Queue[str | None] = asyncio.Queue()
        self.pending: dict[str, asyncio.Future[Any]] = {}
        self.variables: dict[str, Any] = {}
        self.speech: SpeechIO | None = None
        self.agent: Agent | None = None
        self.speaking_id: int | None = None
        self.log: list[dict[str, Any]] = []  # what happened (for tests and reports)
        self.close_code: int | None = None
        self._send_lock = asyncio.Lock()
        self._pings: dict[int, float] = {}
        self.ping_ms: int | None = None  # round trip of the last answered ping, sent in the next one

    def record(self, entry: dict[str, Any], *, keep: bool = True) -> None:
        """Append `entry` to the log (unless `keep` is false) and pass it to the hook; a failing hook is logged."""
        if keep:
            self.log.append(entry)
        if self.on_event is not None:
            try:
                self.on_event(self, entry)
            except Exception:
                log.exception("conversation %s: event hook failed", self.id)

    def next_id(self) -> int:
        self.event_id += 1
        return self.event_id

    async def send(self, event: dict[str, Any]) -> None:
        async with self._send_lock:
            if self.ws.application_state == WebSocketState.CONNECTED:
                try:
                    await self.ws.send_json(event)
                except (WebSocketDisconnect, RuntimeError, OSError):
                    log.info("conversation %s: send failed, client gone", self.id)

    async def close(self, code: int, reason: str = "") -> None:
        self.close_code = code
        with contextlib.suppress(Exception):
            if self.ws.application_state == WebSocketState.CONNECTED:
                await self.ws.close(code, reason[:120])

    # -- lifecycle -------------------------------------------------------------------------------
    async def run(self) -> None:
        offered = self.ws.scope.get("subprotocols") or []
        await self.ws.accept(subprotocol=protocol.SUBPROTOCOL if protocol.SUBPROTOCOL in offered else None)
        tasks: list[asyncio.Task[None]] = []
        try:
            init = await self._read_init()
            self.variables = {
                **init.dynamic_variables,
                "system__conversation_id": self.id,
                "system__agent_id": "embedded-agent",
                "system__is_text_only": init.text_only,
            }
            if init.user_id:
                self.variables["system__user_id"] = init.user_id
            self.agent = self.agent_factory(init)
            if self.speech_factory is not None and not init.text_only:
                self.speech = self.speech_factory()
            await self.send(protocol.metadata(self.id))
            self.record(
                {
                    "event": "init",
                    "text_only": init.text_only,
                    "user_id": init.user_id,
                    "source": init.source,
                    "language": init.language,
                }
            )
            tasks = [asyncio.create_task(self._worker()), asyncio.create_task(self._pinger())]
            try:
                async with asyncio.timeout(self.max_duration):
                    await self._receiver(tasks[0])
            except TimeoutError:
                log.info("conversation %s: maximum duration reached", self.id)
                self.record({"event": "max_duration"})
                await self.send(protocol.error(1000, "Maximum conversation duration reached.", "max_duration_exceeded"))
                await self.close(1000, "max duration exceeded")
        except ProtocolError as exc:
            log.warning("conversation %s: bad client input: %s", self.id, exc)
            self.record({"event": "protocol_error", "message": str(exc)})
            await self.send(protocol.error(exc.close_code, str(exc)))
            await self.close(exc.close_code, str(exc))
        except WebSocketDisconnect:
            log.info("conversation %s: client went away", self.id)
            self.record({"event": "client_gone"})
        except Exception:  # one conversation's bug must not take the server down
            log.exception("conversation %s failed", self.id)
            await self.close(1011, "internal error")
        finally:
            self.record({"event": "closed", "close_code": self.close_code}, keep=False)
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(BaseException):
                    await task
            for fut in self.pending.values():
                fut.cancel()
            if self.speech is not None:
                with contextlib.suppress(Exception):
                    self.speech.close()
            closer = getattr(self.agent, "aclose", None)
            if closer is not None:
                with contextlib.suppress(Exception):
                    await closer()
            if self.on_end is not None and self.agent is not None:
                try:
                    await self.on_end(self)
                except Exception:  # the session is over either way; say why its post-call event failed
                    log.exception("conversation %s: end-of-session hook failed", self.id)

    async def _read_init(self) -> InitData:
        try:
            raw = await asyncio.wait_for(self.ws.receive_text(), timeout=15)
        except TimeoutError as exc:
            raise ProtocolError("no conversation_initiation_client_data received") from exc
        msg = protocol.parse_frame(raw)
        if msg["type"] == "enclave_setup_config":
            msg = protocol.parse_frame(await self.ws.receive_text())
        if msg["type"] != "conversation_initiation_client_data":
            raise ProtocolError("the first frame must be conversation_initiation_client_data")
        return protocol.parse_init(msg)

    async def _receiver(self, worker: asyncio.Task[None]) -> None:
        while not worker.done():
            receive = asyncio.create_task(self.ws.receive())
            done, _ = await asyncio.wait({receive, worker}, return_when=asyncio.FIRST_COMPLETED)
            if receive not in done:
                receive.cancel()
                with contextlib.suppress(BaseException):
                    await receive
                break
            message = receive.result()
            if message["type"] == "websocket.disconnect":
                raise WebSocketDisconnect(message.get("code", 1000))
            raw: str | bytes = message.get("text") or message.get("bytes") or b""
            await self._handle(protocol.parse_frame(raw))
        if worker.done() and not worker.cancelled() and worker.exception() is not None:
            raise worker.exception()  # type: ignore[misc]

    async def _handle(self, msg: dict[str, Any]) -> None:
        kind = msg["type"]
        if kind == "user_message":
            text = msg.get("text")
            if isinstance(text, str) and text.strip():
                await self.send(protocol.user_transcript(text, self.next_id()))
                await self.turns.put(text)
        elif kind == "user_audio_chunk":
            await self._audio(msg.get("user_audio_chunk"))
        elif kind == "contextual_update" and self.agent is not None:
            self.agent.add_context(str(msg.get("text") or ""))
            self.record({"event": "contextual_update", "text": msg.get("text")})
        elif kind == "client_tool_result":
            call_id = str(msg.get("tool_call_id"))
            fut = self.pending.pop(call_id, None)
            if fut is None:
                raise ProtocolError(f"client_tool_result for unknown tool_call_id {call_id[:40]!r}")
            if not fut.done():
                fut.set_result(msg)
        elif kind == "pong":
            pong_id = msg.get("event_id")
            sent = self._pings.pop(pong_id, None) if isinstance(pong_id, int) else None
            if sent is not None:
                self.ping_ms = round((time.perf_counter() - sent) * 1000)
        elif kind in ("feedback", "user_activity", "mcp_tool_approval_result", "multimodal_message"):
            self.record({"event": kind, **({"score": msg.get("score")} if kind == "feedback" else {})})
        elif kind == "conversation_initiation_client_data":
            raise ProtocolError("conversation_initiation_client_data sent twice")

    async def _audio(self, chunk: Any) -> None:
        if self.speech is None:
            return  # a text-only session ignores stray audio
        try:
            pcm = base64.b64decode(str(chunk), validate=True)
        except ValueError as exc:
            raise ProtocolError("user_audio_chunk is not base64") from exc
        self.record({"event": "audio_in", "pcm": pcm}, keep=False)
        texts = await asyncio.to_thread(self.speech.feed, pcm)
        if self.speaking_id is not None and self.speech.barged_in():
            await self.send(protocol.interruption(self.speaking_id))
            self.speech.stop_speaking()
            self.speaking_id = None
        for text in texts:
            if text.strip():
                await self.send(protocol.user_transcript(text, self.next_id()))
                await self.turns.put(text)

    async def _pinger(self) -> None:
        while True:
            await asyncio.sleep(self.ping_interval)
            event_id = self.next_id()
            self._pings = {k: v for k, v in self._pings.items() if k > event_id - 10}  # unanswered ones age out
            self._pings[event_id] = time.perf_counter()
            await self.send(protocol.ping(event_id, self.ping_ms))

    # -- turns -------------------------------------------------------------------------------
    async def _worker(self) -> None:
        assert self.agent is not None
        reply = await self.agent.greet()
        await self._say(reply.text)
        while not reply.end_call:
            text = await self.turns.get()
            if text is None:
                return
            started = time.perf_counter()
            self.record({"event": "user", "text": text})
            reply = await self.agent.reply(text, self._tool)
            await self._say(reply.text, (time.perf_counter() - started) * 1000)
        call_id = f"end_call_{uuid.uuid4().hex[:8]}"
        event_id = self.next_id()
        await self.send(protocol.tool_request("end_call", call_id, event_id, "system"))
        await self.send(protocol.tool_response("end_call", call_id, event_id, is_error=False, tool_type="system"))
        self.record({"event": "end_call"})
        await asyncio.sleep(0.05)  # let the client read end_call before the close frame
        await self.close(1000, "conversation ended")

    async def _say(self, text: str, latency_ms: float | None = None) -> None:
        event_id = self.next_id()
        self.record({"event": "agent", "text": text, "latency_ms": latency_ms})
        for part in protocol.response_parts(text, event_id):
            await self.send(part)
        await self.send(protocol.agent_response(text, event_id))
        if self.speech is not None:
            pcm = await asyncio.to_thread(self.speech.synthesize, text)
            self.record({"event": "audio_out", "pcm": pcm}, keep=False)
            self.speaking_id = event_id
            self.speech.start_speaking(len(pcm))
            for i in range(0, len(pcm), AUDIO_CHUNK_BYTES):
                await self.send(protocol.audio(base64.b64encode(pcm[i : i + AUDIO_CHUNK_BYTES]).decode(), event_id))
            self.speech.expect_slot(self.agent.expected_slot if self.agent else None)

    async def _tool(self, name: str, params: dict[str, Any]) -> ToolResult:
        call_id = f"toolu_{uuid.uuid4().hex[:12]}"
        event_id = self.next_id()
        if name in self.client_tools:
            return await self._client_tool(name, call_id, params, event_id)
        await self.send(protocol.tool_request(name, call_id, event_id))
        self.record({"event": "tool_start", "name": name, "params": params, "tool_call_id": call_id}, keep=False)
        result = await self.executor.call(name, params, self.variables)
        await self.send(protocol.tool_response(name, call_id, event_id, is_error=not result.ok))
        self.record(
            {
                "event": "tool",
                "name": name,
                "params": params,
                "ok": result.ok,
                "status": result.status,
                "latency_ms": result.latency_ms,
                "result": result.for_agent,
            }
        )
        return result

    async def _client_tool(self, name: str, call_id: str, params: dict[str, Any], event_id: int) -> ToolResult:
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[call_id] = fut
        started = time.perf_counter()
        await self.send(protocol.client_tool_call(name, call_id, params, event_id))
        try:
            msg = await asyncio.wait_for(fut, CLIENT_TOOL_TIMEOUT)
        except TimeoutError:
            self.pending.pop(call_id, None)
            return ToolResult(
                name,
                False,
                None,
                None,
                {"error": {"message": "The client did not answer."}},
                CLIENT_TOOL_TIMEOUT * 1000,
                error_type="client_timeout",
            )
        ok = not msg.get("is_error", False)
        latency = (time.perf_counter() - started) * 1000
        self.record({"event": "client_tool", "name": name, "ok": ok, "result": msg.get("result")})
        return ToolResult(name, ok, None, msg.get("result"), msg.get("result"), latency)
