// The console inside the real Homebridge UI: the packed plugin in homebridge-config-ui-x 5.28 with Homebridge 2.4.0,
// against `doorstep sim`. In the plugin's settings (an iframe) a cleaner's code is created, its PIN typed on the
// simulated keypad, and the visit appears — through homebridge-ui/server.js (the /api proxy with the plugin's
// credential, and the event relay).
import { expect } from "chai";
import { readFileSync } from "node:fs";
import type { Browser, Frame, Page } from "playwright-core";
import { eventually } from "../helpers/eventually.js";
import { startDoorstep, type RunningDoorstep } from "../helpers/ready-line.js";
import { useTempDir } from "../helpers/temp-dir.js";
import { freePort } from "../homebridge/homebridge-process.js";
import { prepareStorage, installPackedPlugin, launchChromium, logIn, openPluginSettings, startHomebridgeUi, type HomebridgeUi } from "./hb-ui-harness.js";

const HOME_ZONE = "Europe/Berlin";

interface SimReady {
  control: string;
  config: string;
}

/** "YYYY-MM-DDTHH:MM" and the RRULE weekday of an instant in a zone. */
function localIn(zone: string, at: number): { dateTime: string; weekday: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", weekday: "short" })
      .formatToParts(new Date(at))
      .map((p) => [p.type, p.value]),
  );
  return { dateTime: `${parts["year"]}-${parts["month"]}-${parts["day"]}T${parts["hour"]}:${parts["minute"]}`, weekday: parts["weekday"]!.slice(0, 2).toUpperCase() };
}

describe("the console in the real Homebridge UI", function () {
  this.timeout(360_000);
  let sim: RunningDoorstep<SimReady> | undefined;
  let ui: HomebridgeUi | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let frame: Frame;
  const storage = useTempDir({ prefix: "doorstep-hbui-", per: "suite" });
  const simDir = useTempDir({ prefix: "doorstep-hbui-sim-", per: "suite" });
  const pageErrors: string[] = [];
  let pin = "";

  before(async () => {
    await installPackedPlugin();
    sim = await startDoorstep<SimReady>(["sim", "--doors", "1", "--write-config", simDir.join("sim.json")], "DOORSTEP SIM READY");
    const simConfig = JSON.parse(readFileSync(sim.ready.config, "utf8")) as Record<string, unknown>;
    const uiPort = await freePort();
    prepareStorage(storage.path, uiPort, await freePort(), [
      { platform: "Doorstep", name: "Doorstep", ...simConfig, delivery: { timeZone: HOME_ZONE }, api: { port: 0 } },
    ]);
    ui = startHomebridgeUi(storage.path, uiPort);
    await ui.waitForLog(/Running 1 door\(s\); API at http:\/\/127\.0\.0\.1:\d+/, 120_000);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: "America/New_York" });
    page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
  });

  after(async () => {
    await browser?.close();
    await ui?.stop();
    await sim?.stop();
  });

  const control = (path: string, init?: RequestInit) => fetch(`${sim!.ready.control}${path}`, init);

  it("opens the console as the plugin's settings, with the door from the running plugin and the settings form below", async () => {
    await logIn(page, ui!);
    await openPluginSettings(page, ui!);
    frame = await eventually("the plugin's settings iframe", () => page.frames().find((f) => f.url().includes("/settings-ui/homebridge-doorstep/")), {
      timeoutMs: 30_000,
      everyMs: 100,
    });
    await frame.locator('[data-door="front"] h3').waitFor({ timeout: 60_000 });
    expect(await frame.locator('[data-door="front"] h3').textContent()).to.equal("Front door");
    // Homebridge's own settings form stays available under the console.
    await page.locator("app-schema-form").waitFor({ timeout: 30_000 });
    // The owner token never reached the page.
    const credential = JSON.parse(readFileSync(storage.join("doorstep", "ui-credential.json"), "utf8")) as { token: string };
    expect(await frame.content()).to.not.include(credential.token);
  });

  it("creates a cleaner's code there, and the visit appears when its PIN is typed on the keypad", async () => {
    await frame.getByRole("button", { name: "Guest codes" }).click();
    await frame.getByRole("radio", { name: /^Cleaner/ }).check();
    const { dateTime, weekday } = localIn(HOME_ZONE, Date.now() - 60_000);
    await frame.getByLabel("First visit starts").fill(dateTime);
    await frame.getByRole("textbox", { name: "RRULE" }).fill(`FREQ=WEEKLY;INTERVAL=2;BYDAY=${weekday}`);
    await frame.getByRole("button", { name: "Create code" }).click();
    pin = (await frame.locator("#ds-new-pin").textContent({ timeout: 30_000 }))!.trim();
    expect(pin).to.match(/^\d{6}$/);
    const created = frame.locator("[data-credential]").filter({ hasText: "Cleaner" });
    await created.locator('.chip[data-status="On the lock"]').waitFor({ timeout: 90_000 });

    await frame.getByRole("button", { name: "Visits" }).click();
    await frame.evaluate("window.notReloaded = true");
    // What server.js relays from the plugin's GET /v1/events, as the page receives it.
    await frame.evaluate(`window.relayed = []; window.homebridge.addEventListener("doorstep", (e) => window.relayed.push(e.data.type))`);
    const typed = await control("/locks/front/keypad", { method: "POST", body: JSON.stringify({ pin }) });
    expect(await typed.json(), "the simulated lock's answer").to.deep.include({ outcome: "unlocked" });
    const visit = frame.locator("li.visit").first();
    await visit.waitFor({ timeout: 60_000 });
    expect(await visit.locator("h4").textContent()).to.contain("Cleaner");
    expect(await frame.evaluate("window.notReloaded === true"), "the visit arrived without a reload").to.equal(true);
    await frame.waitForFunction("window.relayed.includes('visitStarted')", undefined, { timeout: 30_000 });
    expect(pageErrors).to.deep.equal([]);
  });
});
