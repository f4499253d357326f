// The sales console page. Calls go through the official @elevenlabs/client (Conversation.startSession with a
// signed URL from the local agent server); tool calls, records and the server-side verdict come from the
// console's side channel (WS /api/calls/{id}/live). Persona callers answer through POST /api/calls/{id}/respond.
import { Conversation } from "@elevenlabs/client";

const $ = (id) => document.getElementById(id);
const root = $("app");
const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  for (const child of children) node.append(child);
  return node;
};
const json = async (url, init) => {
  const res = await fetch(url, init);
  const body = await res.json();
  if (!res.ok) throw new Error(body.detail || res.statusText);
  return body;
};
const pretty = (value) => JSON.stringify(value, null, 1);

let info = { personas: [], voice: false };
let current = null; // the call shown in the Call tab: {conversation, mode, muted}

// -- one call ----------------------------------------------------------------------------------------
async function signedUrl() {
  return (await json("/v1/convai/conversation/get-signed-url?agent_id=embedded-agent")).signed_url;
}

function liveChannel(conversationId, onMessage) {
  // Resolves with the call's summary when the server has judged it.
  return new Promise((resolve) => {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${proto}://${location.host}/api/calls/${conversationId}/live`);
    let done = false;
    ws.onmessage = (ev) => {
      const msg = JSON.parse(ev.data);
      onMessage(msg);
      if (msg.type === "ended") {
        done = true;
        resolve(msg);
      }
    };
    ws.onclose = async () => {
      if (done) return;
      for (;;) {
        const call = await json(`/api/calls/${conversationId}`).catch(() => null);
        if (call && call.ended) return resolve(call);
        await new Promise((r) => setTimeout(r, 300));
      }
    };
  });
}

// Start a call; `view` renders it (null for batch calls); `run` is a persona run (the caller answers).
async function startCall({ mode, variables = {}, run = null, view = null }) {
  let conversation = null;
  let ended = false;
  let resolveConnected;
  const connected = new Promise((r) => (resolveConnected = r));
  let lastUserAt = null;
  const answer = async (text) => {
    if (!run || ended) return;
    const id = conversation ? conversation.getId() : await connected;
    const { say } = await json(`/api/calls/${id}/respond`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text }),
    }).catch(() => ({ say: null }));
    if (ended) return;
    if (say === null) {
      conversation && conversation.endSession();
      return;
    }
    lastUserAt = performance.now();
    view?.state("thinking");
    conversation.sendUserMessage(say);
  };
  const options = {
    signedUrl: await signedUrl(),
    connectionType: "websocket",
    dynamicVariables: { ...variables, ...(run ? run.dynamic_variables : {}) },
    onConnect: ({ conversationId }) => resolveConnected(conversationId),
    onMessage: ({ role, message }) => {
      if (role === "agent") {
        if (lastUserAt !== null) view?.latency(performance.now() - lastUserAt);
        lastUserAt = null;
        if (mode === "text") view?.state("listening");
        answer(message);
      } else {
        lastUserAt = performance.now();
        view?.state("thinking");
      }
    },
    onModeChange: ({ mode: m }) => mode === "voice" && view?.state(m),
    onAudio: () => view?.audio(),
    onDisconnect: () => {
      ended = true;
      view?.state("ended");
    },
    onError: (message) => console.warn("conversation error", message),
  };
  if (mode === "text") options.textOnly = true;
  else options.libsampleratePath = "/static/libsamplerate.worklet.js";
  conversation = await Conversation.startSession(options);
  const conversationId = conversation.getId();
  resolveConnected(conversationId);
  const summary = liveChannel(conversationId, (msg) => view?.event(msg));
  return { conversation, conversationId, summary };
}

// -- the Call tab's view -----------------------------------------------------------------------------
function callView() {
  const lines = $("lines");
  const tools = $("tools");
  const records = $("records");
  const seen = new Set();
  let pendingTool = null;
  let audioChunks = 0;
  let maxVolume = 0;
  const volumeTimer = setInterval(() => {
    const conv = current?.conversation;
    if (conv && current.mode === "voice" && conv.isOpen()) {
      maxVolume = Math.max(maxVolume, conv.getOutputVolume() || 0);
      root.dataset.agentMaxVolume = maxVolume.toFixed(3);
    }
  }, 100);
  const addLine = (role, text, meta = "") => {
    const li = el("li", { className: role }, text);
    if (meta) li.append(el("span", { className: "meta" }, meta));
    lines.append(li);
    lines.scrollTop = lines.scrollHeight;
    return li;
  };
  const openRecord = async (object, id) => {
    if (seen.has(id)) return;
    seen.add(id);
    if (seen.size === 1) records.replaceChildren();
    records.classList.remove("muted");
    const box = el("div", { className: "record" }, el("b", {}, `${object} ${id}`));
    records.append(box);
    const got = await json(`/api/crm/records/${object}/${id}`).catch((e) => ({ speech: String(e), data: null }));
    const fields = got.data && typeof got.data === "object" ? got.data.record || got.data : {};
    box.firstChild.textContent = `${object}: ${fields.Name || id}`;
    box.append(el("span", { className: "mono muted" }, id), el("p", { className: "speech" }, got.speech || ""));
  };
  return {
    state(state) {
      $("agent-state").textContent = state;
      $("agent-state").className = `chip ${state}`;
      if (state !== "ended") root.dataset.agentState = state;
    },
    latency(ms) {
      $("turn-latency").textContent = `turn ${ms.toFixed(0)} ms`;
    },
    audio() {
      audioChunks += 1;
      root.dataset.agentAudioChunks = String(audioChunks);
    },
    event(msg) {
      if (msg.type === "line") {
        const meta = msg.role === "agent" && msg.latency_ms ? `${msg.latency_ms.toFixed(0)} ms` : "";
        addLine(msg.role, msg.text, meta);
      } else if (msg.type === "tool_start") {
        pendingTool = el(
          "li",
          {},
          el("span", { className: "badge pending" }, "running…"),
          el("span", { className: "name" }, msg.name),
          el("code", {}, pretty(msg.params)),
        );
        tools.append(pendingTool);
      } else if (msg.type === "tool") {
        const li = pendingTool || el("li");
        pendingTool = null;
        li.replaceChildren(
          el("span", { className: `badge ${msg.ok ? "ok" : "err"}` }, `${msg.status ?? ""} ${msg.ok ? "ok" : "error"} · ${msg.latency_ms} ms`),
          el("span", { className: "name" }, msg.name),
          el("code", {}, pretty(msg.params)),
          el("p", { className: "speech" }, msg.speech || ""),
        );
        if (!li.parentNode) tools.append(li);
        for (const r of msg.records.slice(0, 5)) openRecord(r.object, r.id);
      } else if (msg.type === "ended") {
        clearInterval(volumeTimer);
        showOutcome(msg);
      }
    },
  };
}

function showOutcome(summary) {
  const box = $("outcome");
  box.className = summary.passed ? "pass" : "fail";
  box.replaceChildren(
    el("b", {}, summary.passed ? "PASSED" : "FAILED"),
    ` · outcome ${summary.outcome} · ${summary.duration_s}s · `,
    summary.report ? el("a", { href: `/api/reports/${summary.report}`, target: "_blank" }, "report") : "",
    summary.recording ? " · " : "",
    summary.recording ? el("a", { href: `/api/reports/${summary.recording}`, target: "_blank" }, "recording") : "",
  );
  $("checks").replaceChildren(
    ...summary.checks.map((c) => el("li", { className: c.passed ? "" : "fail", title: c.detail }, `${c.name}: ${c.detail}`)),
  );
  root.dataset.outcome = summary.outcome;
  root.dataset.passed = String(Boolean(summary.passed));
  root.dataset.callState = "ended";
  setBusy(false);
}

function resetView() {
  for (const id of ["lines", "tools", "checks"]) $(id).replaceChildren();
  $("records").textContent = "None yet.";
  $("records").className = "muted";
  $("outcome").textContent = "Call in progress…";
  $("outcome").className = "muted";
  $("turn-latency").textContent = "";
  for (const key of ["outcome", "passed", "agentAudioChunks", "agentMaxVolume"]) delete root.dataset[key];
}

function setBusy(busy, mode = "text", typed = false) {
  for (const id of ["start-text", "start-voice", "run-persona", "run-batch"]) $(id).disabled = busy;
  if (!info.voice) $("start-voice").disabled = true;
  $("end").disabled = !busy;
  $("mute").disabled = !busy || mode !== "voice";
  $("message").disabled = $("send").disabled = !(busy && typed);
}

async function beginCall({ mode, run = null }) {
  resetView();
  setBusy(true, mode, !run);
  root.dataset.callState = "connecting";
  const variables = {};
  for (const [key, id] of [["caller_name", "var-name"], ["caller_email", "var-email"], ["caller_company", "var-company"]]) {
    const value = $(id).value.trim();
    if (value) variables[key] = value;
  }
  const view = callView();
  view.state("connecting");
  try {
    const call = await startCall({ mode, variables, run, view });
    current = { ...call, mode, muted: false };
    root.dataset.callState = "active";
    root.dataset.conversationId = call.conversationId;
    $("conv-id").textContent = call.conversationId;
    if (mode === "text" && !run) $("message").focus();
    await call.summary;
    refreshCalls();
  } catch (err) {
    $("outcome").textContent = `Could not start the call: ${err.message || err}`;
    root.dataset.callState = "error";
    setBusy(false);
  }
}

async function runPersona(name) {
  $("persona").value = name;
  let run;
  try {
    run = await json(`/api/personas/${name}/runs`, { method: "POST" });
  } catch (err) {
    $("outcome").textContent = `Could not prepare ${name}: ${err.message || err}`;
    root.dataset.callState = "error";
    return;
  }
  await beginCall({ mode: "text", run });
}

// -- batch -------------------------------------------------------------------------------------------
async function runBatch(size) {
  setBusy(true);
  $("end").disabled = true;
  const batch = $("batch");
  batch.dataset.batchState = "running";
  let finished = 0;
  let passed = 0;
  const progress = () => {
    $("batch-bar").style.width = `${(100 * finished) / size}%`;
    $("batch-text").textContent = `${finished}/${size} finished · ${passed} passed`;
    batch.dataset.finished = String(finished);
    batch.dataset.passed = String(passed);
  };
  progress();
  const one = async (i) => {
    const name = info.personas[i % info.personas.length];
    try {
      const run = await json(`/api/personas/${name}/runs`, { method: "POST" });
      const call = await startCall({ mode: "text", run });
      const summary = await call.summary;
      if (summary.passed) passed += 1;
    } catch (err) {
      console.warn("batch call failed", err);
    }
    finished += 1;
    progress();
  };
  await Promise.all(Array.from({ length: size }, (_, i) => one(i)));
  batch.dataset.batchState = "done";
  batch.dataset.total = String(size);
  setBusy(false);
  refreshCalls();
}

// -- calls list and CRM ------------------------------------------------------------------------------
async function refreshCalls() {
  const calls = await json("/api/calls").catch(() => []);
  $("calls").replaceChildren(
    ...calls.map((c) =>
      el(
        "tr",
        {},
        el("td", {}, new Date(c.started * 1000).toLocaleTimeString()),
        el("td", {}, c.persona),
        el("td", {}, c.mode),
        el("td", {}, c.ended ? c.outcome : "in progress"),
        el(
          "td",
          { className: c.passed ? "pass" : c.ended ? "fail" : "", title: c.checks.map((k) => `${k.passed ? "✓" : "✗"} ${k.name}: ${k.detail}`).join("\n") },
          c.ended ? `${c.checks.filter((k) => k.passed).length}/${c.checks.length}` : "",
        ),
        el("td", {}, c.ended ? `${c.duration_s}s` : ""),
        el("td", {}, String(c.tools)),
        el(
          "td",
          {},
          c.report ? el("a", { href: `/api/reports/${c.report}`, target: "_blank" }, "report") : "",
          c.recording ? " · " : "",
          c.recording ? el("a", { href: `/api/reports/${c.recording}`, target: "_blank" }, "recording") : "",
        ),
      ),
    ),
  );
}

async function crmSearch(object, q) {
  $("crm-speech").textContent = "Searching…";
  const res = await json(`/api/crm/search?object=${encodeURIComponent(object)}&q=${encodeURIComponent(q)}`).catch((e) => ({
    speech: String(e.message || e),
    data: null,
  }));
  $("crm-speech").textContent = res.speech;
  const rows = (res.data && res.data.records) || [];
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => typeof r[k] !== "object")))];
  $("crm-results").replaceChildren(
    rows.length
      ? el(
          "table",
          {},
          el("thead", {}, el("tr", {}, ...columns.map((k) => el("th", {}, k)))),
          el("tbody", {}, ...rows.map((r) => el("tr", {}, ...columns.map((k) => el("td", {}, r[k] == null ? "" : String(r[k])))))),
        )
      : "",
  );
  root.dataset.crmResults = String(rows.length);
}

// -- wiring ------------------------------------------------------------------------------------------
function wire() {
  for (const tab of document.querySelectorAll(".tab")) {
    tab.onclick = () => {
      for (const t of document.querySelectorAll(".tab")) t.classList.toggle("active", t === tab);
      for (const name of ["call", "calls", "crm"]) $(`tab-${name}`).hidden = name !== tab.dataset.tab;
      if (tab.dataset.tab === "calls") refreshCalls();
    };
  }
  $("start-text").onclick = () => beginCall({ mode: "text" });
  $("start-voice").onclick = () => beginCall({ mode: "voice" });
  $("run-persona").onclick = () => runPersona($("persona").value);
  $("run-batch").onclick = () => runBatch(Math.max(1, Number($("batch-size").value) || 10));
  $("end").onclick = () => current?.conversation.endSession();
  $("mute").onclick = () => {
    if (!current) return;
    current.muted = !current.muted;
    current.conversation.setMicMuted(current.muted);
    $("mute").textContent = current.muted ? "Unmute" : "Mute";
  };
  $("composer").onsubmit = (ev) => {
    ev.preventDefault();
    const text = $("message").value.trim();
    if (!text || !current) return;
    current.conversation.sendUserMessage(text);
    $("message").value = "";
  };
  $("persona").onchange = () => describePersona();
  $("crm-form").onsubmit = (ev) => {
    ev.preventDefault();
    crmSearch($("crm-object").value, $("crm-q").value);
  };
}

function describePersona() {
  $("persona-desc").textContent = info.descriptions?.[$("persona").value] || "";
}

async function main() {
  wire();
  info = await json("/api/info");
  $("persona").replaceChildren(...info.personas.map((p) => el("option", { value: p }, p)));
  setBusy(false);
  describePersona();
  root.dataset.ready = "true";
  const params = new URLSearchParams(location.search);
  const persona = params.get("persona");
  if (persona && info.personas.includes(persona)) {
    $("persona").value = persona;
    describePersona();
    if (params.get("autostart") === "1") runPersona(persona);
  }
}

main();
