"""Call reports: JSON and a readable HTML page (transcript, tool timeline, records created, checks)."""

from __future__ import annotations

import html
import json
import shutil
import time
from pathlib import Path
from typing import Any

from service.calls_log.closing import task_section
from service.runner.base import CREATE
from service.runner.call_record import CallRecord

_CSS = """body{font:14px/1.45 system-ui,sans-serif;max-width:960px;margin:2em auto;color:#222}
.agent{color:#0b4f8a}.user{color:#333}.system{color:#999;font-style:italic}
table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}td,th{border:1px solid #ddd;padding:4px 8px;
vertical-align:top;text-align:left}.pass{color:#176b2c;font-weight:600}.fail{color:#b00020;font-weight:600}
code{font-size:12px;white-space:pre-wrap;word-break:break-all}"""


def _esc(value: Any) -> str:
    return html.escape(value if isinstance(value, str) else json.dumps(value, default=str))


def _voice_section(voice: dict[str, Any]) -> str:
    """Voice calls: the backends, the summary figures, the recording and a row per caller turn."""
    summary = voice.get("summary") or {}
    figures = " · ".join(f"{_esc(k.replace('_', ' '))} <b>{_esc(v)}</b>" for k, v in summary.items())
    wav = voice.get("wav")
    player = (
        f"<p><audio controls src='{_esc(Path(wav).name)}'></audio> stereo: caller left, agent right "
        f"(<code>{_esc(Path(wav).name)}</code>)</p>"
        if wav
        else ""
    )
    turns = "".join(
        f"<tr><td>{_esc(t.get('said', ''))}</td><td>{_esc(t.get('heard', ''))}</td><td>{_esc(t.get('slot') or '')}"
        f"</td><td>{float(t.get('wer', 0.0)):.2f}</td><td>{float(t.get('stt_tail_ms', 0.0)):.0f}</td>"
        f"<td>{float(t.get('agent_ms', 0.0)):.0f}</td><td>{float(t.get('tts_first_ms', 0.0)):.0f}</td>"
        f"<td>{float(t.get('latency_ms', 0.0)):.0f}</td></tr>"
        for t in voice.get("turns") or []
    )
    backends = (
        f"caller TTS <b>{_esc(voice.get('caller_tts'))}</b> · agent TTS <b>{_esc(voice.get('agent_tts'))}</b>"
        f" · STT <b>{_esc(voice.get('stt'))}</b>"
        + (f" · noise SNR <b>{_esc(voice.get('noise_snr_db'))} dB</b>" if voice.get("noise_snr_db") else "")
    )
    return f"""<h2>Voice</h2><p>{backends}</p><p>{figures}</p>{player}
<table><tr><th>caller said</th><th>agent heard</th><th>slot</th><th>WER</th><th>STT after speech (ms)</th>
<th>agent + tools (ms)</th><th>first TTS (ms)</th><th>end of speech → agent audio (ms)</th></tr>{turns}</table>"""


def render_html(record: CallRecord) -> str:
    """The report page for one call."""
    verdict = "PASS" if record.passed else "FAIL"
    voice: dict[str, Any] | None = getattr(record, "voice", None)
    rows = []
    for ln in record.lines:
        latency = f"{ln.latency_ms:.0f} ms" if ln.latency_ms else ""
        rows.append(
            f"<tr class='{ln.role}'><td>{ln.at:.2f}s</td><td>{ln.role}</td><td>{_esc(ln.text)}</td>"
            f"<td>{latency}</td></tr>"
        )
    tools = "".join(
        f"<tr><td>{t.after_line}</td><td>{_esc(t.name)}</td><td><code>{_esc(t.params)}</code></td>"
        f"<td>{t.status or ''} {'ok' if t.ok else 'error'}</td><td>{t.latency_ms:.1f} ms</td>"
        f"<td><code>{_esc(t.result)[:600]}</code></td></tr>"
        for t in record.tools
    )
    created = "".join(
        f"<tr><td>{_esc(t.params.get('object_type'))}</td><td>{_esc((t.result or {}).get('name', ''))}</td>"
        f"<td><code>{_esc({k: v for k, v in t.params.items() if k != 'object_type'})}</code></td></tr>"
        for t in record.tools
        if t.name == CREATE and t.ok and isinstance(t.result, dict)
    )
    checks = "".join(
        f"<tr><td>{_esc(c.name)}</td><td class='{'pass' if c.passed else 'fail'}'>{'pass' if c.passed else 'FAIL'}"
        f"</td><td>{_esc(c.detail)}</td></tr>"
        for c in record.checks
    )
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Call {_esc(record.persona)}: {verdict}</title>
<style>{_CSS}</style></head><body>
<h1>Call: {_esc(record.persona)} <span class="{"pass" if record.passed else "fail"}">{verdict}</span></h1>
<p>Agent <b>{_esc(record.agent)}</b> · conversation <code>{_esc(record.conversation_id)}</code> ·
outcome <b>{_esc(record.outcome)}</b> · {record.duration_s:.2f} s · {len(record.tools)} tool call(s)</p>
{f"<p class='fail'>Error: {_esc(record.error)}</p>" if record.error else ""}
<h2>Checks</h2><table><tr><th>check</th><th>result</th><th>detail</th></tr>{checks}</table>
<h2>Transcript</h2><table><tr><th>t</th><th>who</th><th>text</th><th>turn latency</th></tr>{"".join(rows)}</table>
<h2>Tool timeline</h2><table><tr><th>after line</th><th>tool</th><th>parameters</th><th>status</th><th>latency</th>
<th>result (as the agent saw it)</th></tr>{tools}</table>
<h2>Records created</h2><table><tr><th>object</th><th>name</th><th>fields</th></tr>{
        created or "<tr><td colspan=3>none</td></tr>"
    }</table>
{task_section(record.verification.get("post_call"), _esc)}
{_voice_section(voice) if voice else ""}
</body></html>"""


def write_report(record: CallRecord, directory: Path) -> tuple[Path, Path]:
    """Write `<stamp>-<persona>-<conversation>.json` and `.html` (and a voice call's `.wav`) into `directory`;
    returns the JSON and HTML paths."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(record.started))
    base = directory / f"call-{stamp}-{record.persona}-{record.conversation_id[-8:]}"
    json_path, html_path = base.with_suffix(".json"), base.with_suffix(".html")
    voice: dict[str, Any] | None = getattr(record, "voice", None)
    if voice and voice.get("wav") and Path(voice["wav"]) != base.with_suffix(".wav"):
        # The page's player names the recording relative to itself: keep it beside the report.
        voice["wav"] = str(shutil.move(voice["wav"], base.with_suffix(".wav")))
    json_path.write_text(json.dumps(record.to_dict(), indent=2, default=str) + "\n")
    html_path.write_text(render_html(record))
    return json_path, html_path
