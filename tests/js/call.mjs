// Drive one text-only conversation with the official @elevenlabs/client SDK through a signed URL.
// Usage: node call.mjs <agent-server base URL>
// stdout: one JSON object per line ({"event":"connect"|"agent"|"user"|"tool"|"disconnect"|"error", ...});
// stdin: one JSON object per line: {"say": "..."} sends a user message, {"end": true} ends the session.
import { createInterface } from "node:readline";

if (typeof globalThis.WebSocket === "undefined") {
  // Node 20 without --experimental-websocket: the SDK needs a WebSocket global.
  const { WebSocket } = await import("ws");
  globalThis.WebSocket = WebSocket;
}
const { Conversation } = await import("@elevenlabs/client");

const base = process.argv[2];
const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");

const res = await fetch(`${base}/v1/convai/conversation/get-signed-url?agent_id=embedded-agent`);
const { signed_url: signedUrl } = await res.json();

const conversation = await Conversation.startSession({
  signedUrl,
  textOnly: true,
  userId: "js-user",
  dynamicVariables: { channel: "js" },
  onConnect: ({ conversationId }) => out({ event: "connect", conversationId }),
  onMessage: ({ role, message }) => out({ event: role === "agent" ? "agent" : "user", text: message }),
  onAgentToolResponse: (r) => out({ event: "tool", name: r.agent_tool_response?.tool_name }),
  onError: (message) => out({ event: "error", message: String(message) }),
  onDisconnect: (details) => {
    out({ event: "disconnect", reason: details.reason });
    setTimeout(() => process.exit(0), 50);
  },
});

const rl = createInterface({ input: process.stdin });
rl.on("line", async (line) => {
  const cmd = JSON.parse(line);
  if (cmd.say) conversation.sendUserMessage(cmd.say);
  if (cmd.end) await conversation.endSession();
});
