import { expect } from "chai";
import type { Browser, Page } from "playwright-core";
import { startDoorstep, type RunningDoorstep } from "../helpers/ready-line.js";
import { useTempDir } from "../helpers/temp-dir.js";
import { launchChromium, type DemoReady } from "./console-browser.js";

// The console inside the Homebridge UI talks only to `window.homebridge` (the UI's injected object), whose requests the
// plugin's UI server relays to the bridge. Here a relay of that agreed shape — request("/api", {method, path, body}) →
// {status, body}, push events as "doorstep" events carrying {type, data} — stands in for the UI and its server, and
// forwards to the real bridge with the owner token, which the page itself never sees.
const RELAY = (api: string, token: string) => `
  (() => {
    const listeners = new Set();
    window.__relayed = [];
    window.homebridge = {
      async request(path, body) {
        window.__relayed.push(path + " " + (body && body.method) + " " + (body && body.path));
        if (path !== "/api") throw new Error("unknown UI server route " + path);
        const res = await fetch(${JSON.stringify(api)} + body.path, {
          method: body.method,
          headers: { authorization: "Bearer " + ${JSON.stringify(token)}, ...(body.body !== undefined ? { "content-type": "application/json" } : {}) },
          ...(body.body !== undefined ? { body: JSON.stringify(body.body) } : {}),
        });
        const text = await res.text();
        return { status: res.status, body: text ? JSON.parse(text) : null };
      },
      addEventListener(name, fn) { if (name === "doorstep") listeners.add(fn); },
      removeEventListener(name, fn) { listeners.delete(fn); },
      push(event) { for (const fn of listeners) fn({ data: event }); },
    };
  })();`;

describe("web console in Homebridge UI mode (window.homebridge transport, real bridge behind it)", function () {
  this.timeout(120_000);
  const storage = useTempDir({ prefix: "doorstep-console-hb-", per: "suite" });
  let bridge: RunningDoorstep<DemoReady> | undefined;
  let browser: Browser | undefined;
  let page: Page;

  before(async () => {
    bridge = await startDoorstep<DemoReady>(["--storage", storage.path, "serve", "--demo"], "DOORSTEP READY", { timeoutMs: 90_000 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.addInitScript({ content: RELAY(bridge.ready.api, bridge.ready.ownerToken) });
  });
  after(async () => {
    await browser?.close();
    await bridge?.stop();
  });

  it("needs no login and sends every call through homebridge.request, none by itself", async () => {
    const direct: string[] = [];
    page.on("request", (r) => {
      // The relay's own fetches carry the token; the app's would not.
      if (r.url().includes("/v1/") && !r.headers()["authorization"]) direct.push(r.url());
    });
    await page.goto(`${bridge!.ready.api}/`);
    await page.locator('[data-door="front"] h3').waitFor();
    expect(await page.locator("#ds-token").count(), "no login form").to.equal(0);
    expect(await page.evaluate("document.getElementById('doorstep').classList.contains('in-homebridge')")).to.equal(true);
    const relayed = (await page.evaluate("window.__relayed")) as string[];
    expect(relayed).to.include("/api GET /v1/doors");
    expect(direct).to.deep.equal([]);
  });

  it("creates a courier code and shows its PIN, and applies a pushed visit event", async () => {
    await page.getByRole("button", { name: "Guest codes" }).click();
    await page.getByRole("radio", { name: /^Courier/ }).check();
    await page.getByRole("button", { name: "Create code" }).click();
    expect((await page.locator("#ds-new-pin").textContent())!.trim()).to.match(/^\d{6}$/);
    const res = await fetch(`${bridge!.ready.api}/v1/credentials`, { headers: { authorization: `Bearer ${bridge!.ready.ownerToken}` } });
    const codes = (await res.json()) as { label: string; maxUses?: number; kind: string }[];
    expect(codes.map((c) => [c.label, c.kind, c.maxUses])).to.deep.include(["Courier", "delivery", 1]);

    await page.getByRole("button", { name: "Visits" }).click();
    const before = ((await page.evaluate("window.__relayed")) as string[]).filter((l) => l.includes("/v1/visits")).length;
    await page.evaluate(`window.homebridge.push({ type: "visitStarted", data: { visit: { id: "x", doorId: "front", via: "keypad", state: "open", startedAt: Date.now(), alerts: [], clip: [] } } })`);
    // The app refetches the visits when told one started.
    await page.waitForFunction(
      (n) => ((globalThis as unknown as { __relayed: string[] }).__relayed.filter((l) => l.includes("/v1/visits")).length) > n,
      before,
    );
  });
});
