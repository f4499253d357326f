"""The console's call book: one `CallRecord` per conversation the agent server holds, built live from the
conversation's events, fanned out to the page's live view, and judged on the server when the call ends.

A persona run is prepared here first (fixtures made, a unique tag so concurrent runs share one org); the
page starts the conversation with the run's id as the `console_run` dynamic variable, asks
`respond()` for the caller's next line after each agent turn, and the persona's checks
(`service.runner.checks.judge`) are computed from the recorded tool calls and transcript.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.console.events import tool_message
from service.console.recording import Recording
from service.runner.callers import Caller, Persona, load_persona
from service.runner.checks import judge, outcome_of
from service.runner.conversation import Conversation
from service.runner.report import write_report
from service.runner.session import CallRecord, Check, Line, ToolEvent, prepare_fixtures
from service.runner.webhooks import WebhookExecutor

log = logging.getLogger("service.console")

RUN_VARIABLE = "console_run"


@dataclass
class PersonaRun:
    """A persona prepared for one browser call."""

    id: str
    persona: Persona
    fixtures: dict[str, str]
    caller: Caller
    conversation_id: str | None = None


@dataclass
class LiveCall:
    """One conversation as the console sees it: its record, its event history and its live listeners."""

    record: CallRecord
    t0: float = field(default_factory=time.perf_counter)
    run: PersonaRun | None = None
    voice: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)
    listeners: set[asyncio.Queue[dict[str, Any]]] = field(default_factory=set)
    ended: bool = False
    report: str | None = None
    recording: Recording | None = None
    recording_file: str | None = None
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def summary(self) -> dict[str, Any]:
        rec = self.record
        return {
            "conversation_id": rec.conversation_id,
            "persona": rec.persona,
            "mode": "voice" if self.voice else "text",
            "started": rec.started,
            "duration_s": round(rec.duration_s, 2),
            "ended": self.ended,
            "outcome": rec.outcome,
            "passed": rec.passed if rec.checks else None,
            "checks": [{"name": c.name, "passed": c.passed, "detail": c.detail} for c in rec.checks],
            "tools": len(rec.tools),
            "report": self.report,
            "recording": self.recording_file,
        }


class CallBook:
    """Calls by conversation id (newest last, at most `keep`), persona runs by id."""

    def __init__(self, executor: WebhookExecutor, reports_dir: Path, *, agent_kind: str = "rules", keep: int = 500):
        self.executor = executor
        self.reports_dir = reports_dir
        self.agent_kind = agent_kind
        self.keep = keep
        self.calls: OrderedDict[str, LiveCall] = OrderedDict()
        self.runs: OrderedDict[str, PersonaRun] = OrderedDict()  # prepared, not yet connected
        self._tasks: set[asyncio.Task[None]] = set()

    # -- persona runs ------------------------------------------------------------------------------
    async def prepare(self, name: str) -> PersonaRun:
        """Load persona `name` with a fresh tag and make its fixture records; raises ValueError for a bad name."""
        tag = secrets.token_hex(3)
        persona = load_persona(name, tag=tag)
        fixtures = await prepare_fixtures(persona, self.executor)
        run = PersonaRun(f"run_{tag}", persona, fixtures, Caller(persona))
        self.runs[run.id] = run
        while len(self.runs) > self.keep:  # runs whose page never connected
            self.runs.popitem(last=False)
        return run

    def respond(self, conversation_id: str, agent_text: str) -> str | None:
        """The persona's answer to the agent's last words; None means hang up (or the agent already ended)."""
        call = self.calls.get(conversation_id)
        if call is None or call.run is None:
            raise KeyError(conversation_id)
        if call.record.ended_by_agent or call.ended:
            return None
        said = call.run.caller.respond(agent_text)
        if said is None:
            call.record.hung_up = True
            self._line(call, "system", "caller hung up")
        return said

    # -- the agent server's hook -----------------------------------------------------------------
    def on_event(self, conv: Conversation, event: dict[str, Any]) -> None:
        """`ConversationHook`: fold one conversation event into its call record and tell the listeners."""
        kind = event.get("event")
        if kind == "init":
            self._open(conv, event)
            return
        call = self.calls.get(conv.id)
        if call is None:
            return
        if kind in ("agent", "user"):
            self._line(call, str(kind), str(event.get("text") or ""), event.get("latency_ms"))
        elif kind == "tool_start":
            self._emit(call, {"type": "tool_start", "name": event.get("name"), "params": event.get("params")})
        elif kind == "tool":
            self._tool(call, event)
        elif kind in ("audio_in", "audio_out") and call.recording is not None:
            pcm = event.get("pcm")
            if isinstance(pcm, bytes):
                (call.recording.heard if kind == "audio_in" else call.recording.spoke)(pcm)
        elif kind == "end_call":
            call.record.ended_by_agent = True
        elif kind == "protocol_error":
            call.record.error = str(event.get("message"))
        elif kind == "closed":
            task = asyncio.get_running_loop().create_task(self._finish(call))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _open(self, conv: Conversation, event: dict[str, Any]) -> None:
        run = self.runs.pop(str(conv.variables.get(RUN_VARIABLE, "")), None)
        record = CallRecord(
            persona=run.persona.name if run else "live",
            agent=self.agent_kind,
            conversation_id=conv.id,
            fixtures=run.fixtures if run else {},
        )
        if run is not None:
            run.conversation_id = conv.id
        voice = conv.speech is not None  # an audio session: record both sides
        self.calls[conv.id] = LiveCall(record, run=run, voice=voice, recording=Recording() if voice else None)
        while len(self.calls) > self.keep:
            self.calls.popitem(last=False)

    def _line(self, call: LiveCall, role: str, text: str, latency: float | None = None) -> None:
        line = Line(role, text, time.perf_counter() - call.t0, latency if role == "agent" else None)
        if role == "agent" and latency is None and not call.record.lines:
            line.latency_ms = 0.0  # the greeting, as `run_call` records it
        call.record.lines.append(line)
        self._emit(call, {"type": "line", "role": role, "text": text, "at": line.at, "latency_ms": line.latency_ms})

    def _tool(self, call: LiveCall, event: dict[str, Any]) -> None:
        result = event.get("result")
        tool = ToolEvent(
            str(event.get("name")),
            dict(event.get("params") or {}),
            bool(event.get("ok")),
            event.get("status"),
            float(event.get("latency_ms") or 0.0),
            result,
            len(call.record.lines),
        )
        call.record.tools.append(tool)
        self._emit(call, tool_message(tool))

    def _emit(self, call: LiveCall, message: dict[str, Any]) -> None:
        call.history.append(message)
        for queue in list(call.listeners):
            queue.put_nowait(message)

    async def _finish(self, call: LiveCall) -> None:
        record = call.record
        record.duration_s = time.perf_counter() - call.t0
        try:
            if call.run is not None:
                await judge(record, call.run.persona, self.executor)
            else:
                record.outcome = outcome_of(record)
                record.checks = [Check("outcome", record.outcome != "failed", f"outcome {record.outcome}")]
            _json, html_path = await asyncio.to_thread(write_report, record, self.reports_dir)
            if call.recording is not None and call.recording.seconds > 0:
                wav = await asyncio.to_thread(call.recording.write, html_path.with_suffix(".wav"))
                record.voice = {"wav": str(wav), "summary": {"recorded_s": round(call.recording.seconds, 1)}}  # type: ignore[attr-defined]
                await asyncio.to_thread(write_report, record, self.reports_dir)  # the same names, now with the player
                call.recording_file = wav.name
            call.recording = None  # on disk now: don't keep the audio of every call in memory
            call.report = html_path.name
        except Exception as exc:  # a judge that cannot reach the org is a failed call, shown, not a crash
            log.exception("console: judging %s failed", record.conversation_id)
            record.error = record.error or f"{type(exc).__name__}: {exc}"
            record.checks = [*record.checks, Check("judged", False, record.error)]
        call.ended = True
        self._emit(call, {"type": "ended", **call.summary()})
        call.done.set()

    async def aclose(self) -> None:
        """Wait briefly for calls still being judged."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(5):
                await asyncio.gather(*self._tasks, return_exceptions=True)


__all__ = ["CallBook", "LiveCall", "PersonaRun"]
