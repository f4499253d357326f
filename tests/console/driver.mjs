// A tiny RPC around playwright-core driving the system Chromium, for the console tests.
// stdin: one JSON command per line {id, op, ...}; stdout: one JSON reply per line {id, ok, value | error}.
// Ops: launch {args}, page {name, block}, goto {page, url}, eval {page, expr}, wait {page, expr, timeout},
// click {page, selector}, fill {page, selector, value}, press {page, selector, key}, shot {page, path, selector}, close.
import { createRequire } from "node:module";
import { createInterface } from "node:readline";

const require = createRequire(`${process.env.CONSOLE_WEB}/package.json`);
const { chromium } = require("playwright-core");

let browser = null;
const pages = new Map();
const blocked = new Map(); // page name → non-loopback URLs the page tried to reach
const loopback = (url) => /^(https?|wss?):\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//.test(url) || /^(data|blob|about):/.test(url);

// Playwright (1.55) auto-attaches to new targets with waitForDebuggerOnStart and detaches from types it does not
// know without resuming them; Chromium 156 reports each AudioWorklet as a "worklet" target, which then stays
// paused forever: `audioWorklet.addModule()` never fetches its module. So each page gets its own CDP session that
// attaches to every worklet target as it is created and lets it run.
async function resumeWorklets(page) {
  const cdp = await page.context().newCDPSession(page);
  cdp.on("Target.targetCreated", async ({ targetInfo }) => {
    if (targetInfo.type !== "worklet") return;
    try {
      const { sessionId } = await cdp.send("Target.attachToTarget", { targetId: targetInfo.targetId, flatten: false });
      // The worklet may start waiting only after our first resume arrives: resuming is harmless when it
      // isn't waiting, so resume again a little later before letting go of it.
      for (const [id, pause] of [[1, 0], [2, 150], [3, 600]]) {
        if (pause) await new Promise((r) => setTimeout(r, pause));
        const resume = JSON.stringify({ id, method: "Runtime.runIfWaitingForDebugger" });
        await cdp.send("Target.sendMessageToTarget", { sessionId, message: resume });
      }
      await cdp.send("Target.detachFromTarget", { sessionId });
    } catch (err) {
      process.stderr.write(`worklet ${targetInfo.targetId} not resumed: ${err}\n`);
    }
  });
  await cdp.send("Target.setDiscoverTargets", { discover: true });
}

const ops = {
  async launch({ args, userDataDir }) {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
      headless: true,
      args,
      viewport: { width: 1440, height: 900 },
    });
    browser = context;
    return true;
  },
  async page({ name, block }) {
    const page = await browser.newPage();
    const tried = [];
    blocked.set(name, tried);
    if (block) {
      await page.route("**/*", (route) => (loopback(route.request().url()) ? route.continue() : (tried.push(route.request().url()), route.abort())));
      await page.routeWebSocket(/.*/, (ws) => (loopback(ws.url()) ? ws.connectToServer() : (tried.push(ws.url()), ws.close())));
    }
    await resumeWorklets(page);
    page.on("console", (msg) => (process.env.DRIVER_DEBUG || msg.type() === "error") && process.stderr.write(`[${name}] ${msg.type()} ${msg.text()}\n`));
    page.on("pageerror", (err) => process.stderr.write(`[${name}] pageerror ${err}\n`));
    pages.set(name, page);
    return true;
  },
  async goto({ page, url }) {
    await pages.get(page).goto(url, { waitUntil: "load" });
    return true;
  },
  async eval({ page, expr }) {
    return await pages.get(page).evaluate(expr);
  },
  async wait({ page, expr, timeout }) {
    const handle = await pages.get(page).waitForFunction(expr, null, { timeout: timeout ?? 30000, polling: 50 });
    return await handle.jsonValue();
  },
  async click({ page, selector }) {
    await pages.get(page).click(selector);
    return true;
  },
  async fill({ page, selector, value }) {
    await pages.get(page).fill(selector, value);
    return true;
  },
  async press({ page, selector, key }) {
    await pages.get(page).press(selector, key);
    return true;
  },
  async shot({ page, path }) {
    // The PNG, and what it shows: decoded in the page, distinct colours and the share of non-white pixels.
    const png = await pages.get(page).screenshot({ path, fullPage: false });
    const url = `data:image/png;base64,${png.toString("base64")}`;
    return await pages.get(page).evaluate(async (src) => {
      const img = new Image();
      img.src = src;
      await img.decode();
      const canvas = Object.assign(document.createElement("canvas"), { width: img.width, height: img.height });
      const ctx = canvas.getContext("2d");
      ctx.drawImage(img, 0, 0);
      const data = ctx.getImageData(0, 0, img.width, img.height).data;
      const colours = new Set();
      let ink = 0;
      for (let i = 0; i < data.length; i += 4) {
        colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
        if (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200) ink += 1;
      }
      return { width: img.width, height: img.height, colours: colours.size, ink: ink / (data.length / 4) };
    }, url);
  },
  async blocked({ page }) {
    return blocked.get(page) ?? [];
  },
  async closePage({ page }) {
    await pages.get(page).close();
    pages.delete(page);
    return true;
  },
  async close() {
    if (browser) await browser.close();
    browser = null;
    return true;
  },
};

const rl = createInterface({ input: process.stdin });
rl.on("line", async (line) => {
  const cmd = JSON.parse(line);
  try {
    const value = await ops[cmd.op](cmd);
    process.stdout.write(JSON.stringify({ id: cmd.id, ok: true, value: value ?? null }) + "\n");
  } catch (err) {
    process.stdout.write(JSON.stringify({ id: cmd.id, ok: false, error: String(err && err.message ? err.message : err) }) + "\n");
  }
  if (cmd.op === "close") process.exit(0);
});
