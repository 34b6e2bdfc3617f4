// The configuration screen as users get it: the packed plugin in the real Homebridge UI (homebridge-config-ui-x 5.28,
// Homebridge 2.4.0), driven in headless Chromium. Two doors are added (the second without a camera), saved, and the
// saved block must pass our validator and start the plugin against `doorstep sim`.
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { PLATFORM_NAME } from "../../src/config/options.js";
import { configIssues, validateConfig } from "../../src/config/validate-config.js";
import { eventually } from "../helpers/eventually.js";
import { startDoorstep, type RunningDoorstep } from "../helpers/ready-line.js";
import { useTempDir } from "../helpers/temp-dir.js";
import { freePort } from "../homebridge/homebridge-process.js";
import { prepareStorage, installPackedPlugin, launchChromium, logIn, openPluginSettings, startHomebridgeUi, type HomebridgeUi } from "./hb-ui-harness.js";

interface SimReady {
  zigbee: string;
  doors: { id: string; ieee: string; onvif?: string }[];
  config: string;
}
interface SimConfig {
  zigbee: { port: string; channel: number; panId: number; networkKey: string };
  doors: { camera?: { host: string; port: number; username: string; password: string } }[];
}

type Block = Record<string, unknown> & { platform: string; doors?: Record<string, unknown>[] };
const doorstepBlock = (storage: string): Block | undefined =>
  (JSON.parse(readFileSync(join(storage, "config.json"), "utf8")) as { platforms: Block[] }).platforms.find((p) => p.platform === PLATFORM_NAME);

describe("the configuration screen in the real Homebridge UI", function () {
  this.timeout(300_000);
  let sim: RunningDoorstep<SimReady> | undefined;
  let ui: HomebridgeUi | undefined;
  let browser: Browser | undefined;
  const storage = useTempDir({ prefix: "doorstep-hbui-", per: "suite" });
  const simConfigDir = useTempDir({ prefix: "doorstep-hbui-sim-", per: "suite" });

  before(async () => {
    await installPackedPlugin();
    sim = await startDoorstep<SimReady>(["sim", "--doors", "2", "--write-config", simConfigDir.join("sim.json")], "DOORSTEP SIM READY");
    const uiPort = await freePort();
    ui = startHomebridgeUi(prepareStorage(storage.path, uiPort, await freePort()), uiPort);
    await ui.waitForLog(`is listening on 127.0.0.1 port ${uiPort}`);
    await ui.waitForLog("Homebridge v2.4.0");
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await ui?.stop();
    await sim?.stop();
  });

  it("adds two doors (one without a camera), saves a config our validator accepts, and the plugin starts with it", async () => {
    const simConfig = JSON.parse(readFileSync(sim!.ready.config, "utf8")) as SimConfig;
    const camera = simConfig.doors[0]!.camera!;
    const [front, back] = sim!.ready.doors;
    const page: Page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    const uiErrors: string[] = [];
    page.on("console", (m) => {
      if (/format validator|schema/i.test(m.text())) uiErrors.push(m.text());
    });
    await logIn(page, ui!);
    await openPluginSettings(page, ui!);
    const form = page.locator("app-schema-form");
    await form.waitFor();

    // Zigbee: the simulated coordinator's network.
    const zigbee = form.locator("fieldset", { hasText: "Zigbee coordinator" }).first();
    await zigbee.locator("input[name=port]").fill(simConfig.zigbee.port);
    await zigbee.locator("input[name=channel]").fill(String(simConfig.zigbee.channel));
    await zigbee.locator("input[name=panId]").fill(String(simConfig.zigbee.panId));
    await zigbee.locator("input[name=networkKey]").fill(simConfig.zigbee.networkKey);

    // The doors array opens with one empty door; "Add door" adds the second.
    const ids = form.locator("input[name=id]");
    if ((await ids.count()) === 0) await page.getByRole("button", { name: /add door/i }).click();
    await ids.nth(0).fill(front!.id);
    await form.locator("input[name=name][aria-label^='Name*']").nth(0).fill("Front door");
    await form.locator("input[name=ieee]").nth(0).fill(front!.ieee);
    const hasCamera = form.locator("input[name=hasCamera]");
    expect(await form.locator("input[name=host][aria-label^='Host']").count()).to.equal(0, "the camera fields show only once the door has a camera");
    await hasCamera.nth(0).check();
    await form.locator("input[name=host][aria-label^='Host']").nth(0).fill(camera.host);
    await form.locator("input[aria-label='ONVIF port']").nth(0).fill(String(camera.port));
    await form.locator("input[name=username]").nth(0).fill(camera.username);
    const password = form.locator("input[name=password]").nth(0);
    expect(await password.getAttribute("type")).to.equal("password");
    await password.fill(camera.password);

    await page.getByRole("button", { name: /add door/i }).click();
    await ids.nth(1).fill(back!.id);
    await form.locator("input[name=name][aria-label^='Name*']").nth(1).fill("Back door");
    await form.locator("input[name=ieee]").nth(1).fill(back!.ieee);
    expect(await hasCamera.nth(1).isChecked()).to.equal(false);

    // The API on a free port (the default 8787 may be taken on a shared machine).
    await form.locator("legend", { hasText: "HTTP API" }).click().catch(() => undefined);
    await form.locator("fieldset", { hasText: "HTTP API" }).first().locator("input[name=port]").fill("0");

    await page.getByRole("button", { name: /^\s*save\s*$/i }).click();
    const saved = await eventually("the saved config with two doors", () => {
      const block = doorstepBlock(storage.path);
      return block?.doors?.length === 2 ? block : undefined;
    }, { timeoutMs: 15_000, everyMs: 100 });

    // What the form wrote: exactly two doors, the second without a camera object.
    expect(saved.doors!.map((d) => d.id)).to.deep.equal([front!.id, back!.id]);
    expect(saved.doors![1]).to.not.have.property("camera");
    expect(saved.doors![0]).to.deep.include({ hasCamera: true });
    expect(configIssues(saved), "issues in the saved block").to.deep.equal([]);
    const config = validateConfig(saved);
    expect(config.doors[0]!.camera).to.include({ host: camera.host, port: camera.port, username: camera.username });
    expect(config.doors[1]!.camera).to.equal(undefined);
    expect(uiErrors, "the UI's schema validator complained").to.deep.equal([]);
    await page.close();

    // Homebridge loads the saved config: the plugin starts both doors.
    await ui!.stop();
    ui = startHomebridgeUi(storage.path, Number(new URL(ui!.url).port));
    await ui.waitForLog(/Running 2 door\(s\); API at http:\/\/127\.0\.0\.1:\d+/, 120_000);
    expect(ui.log()).to.not.include("Not starting");
  });
});
