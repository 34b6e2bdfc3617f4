// The real Homebridge UI (homebridge-config-ui-x, run by its own `hb-service run` as users run it) with Homebridge
// 2.4.0 and the plugin installed from its packed tarball, in the `.hb-ui/` prefix that scripts/dev.sh installs.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { pbkdf2Sync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { Browser, Page } from "playwright-core";
import { terminate, waitForOutput } from "../helpers/ready-line.js";
import { withTempDir } from "../helpers/temp-dir.js";

const run = promisify(execFile);

export const PACKAGE_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
/** Installed by `bash scripts/dev.sh test` (homebridge-config-ui-x and homebridge, pinned there). */
export const HB_UI_PREFIX = join(PACKAGE_ROOT, ".hb-ui");
const HB_SERVICE = join(HB_UI_PREFIX, "node_modules/homebridge-config-ui-x/dist/bin/hb-service.js");
export const CHROMIUM = process.env.DOORSTEP_CHROMIUM ?? "/usr/bin/chromium";
export const UI_USER = "admin";
export const UI_PASSWORD = `pw-${randomBytes(6).toString("hex")}`;

function requireTools(): void {
  if (!existsSync(HB_SERVICE)) {
    throw new Error(`${HB_SERVICE} is missing: run \`bash scripts/dev.sh test\` (it installs the Homebridge UI into .hb-ui/).`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (scripts/dev.sh does).`);
}

let installed: Promise<void> | undefined;
/** Packs this package (`npm pack`) and installs the tarball into .hb-ui/, once per test run. */
export function installPackedPlugin(): Promise<void> {
  installed ??= (async () => {
    requireTools();
    await withTempDir(async (dir) => {
      await run("npm", ["pack", "--silent", "--pack-destination", dir], { cwd: PACKAGE_ROOT, maxBuffer: 16 << 20 });
      const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"));
      if (!tarball) throw new Error("npm pack wrote no tarball");
      await run("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--prefer-offline", join(dir, tarball)], { cwd: HB_UI_PREFIX, maxBuffer: 16 << 20 });
    }, "doorstep-pack-");
  })();
  return installed;
}

export interface HomebridgeUi {
  storage: string;
  url: string;
  log(): string;
  waitForLog(text: string | RegExp, timeoutMs?: number): Promise<void>;
  stop(): Promise<number | string>;
}

/** Makes `storage` a Homebridge storage dir: its config (bridge on loopback, the UI platform) and a UI admin user in auth.json. */
export function prepareStorage(storage: string, uiPort: number, bridgePort: number, platforms: unknown[] = []): string {
  writeFileSync(
    join(storage, "config.json"),
    JSON.stringify({
      bridge: { name: "Doorstep UI Test", username: "0E:D0:05:7E:00:0A", port: bridgePort, pin: "031-45-154", bind: ["127.0.0.1"] },
      accessories: [],
      platforms: [{ platform: "config", name: "Config", port: uiPort, host: "127.0.0.1" }, ...platforms],
    }, null, 2),
  );
  // The UI's own user file format: PBKDF2-SHA512, 64 bytes, with the iteration count it records.
  const salt = randomBytes(32).toString("hex");
  const iterations = 210_000;
  const hashedPassword = pbkdf2Sync(UI_PASSWORD, salt, iterations, 64, "sha512").toString("hex");
  writeFileSync(
    join(storage, "auth.json"),
    JSON.stringify([{ id: 1, username: UI_USER, name: "Admin", hashedPassword, salt, passwordIterations: iterations, sessionVersion: 0, admin: true }]),
  );
  mkdirSync(join(storage, "accessories"), { recursive: true });
  return storage;
}

/** `hb-service run`: the UI plus Homebridge as its child (`-I`: insecure mode, so the UI can control accessories). */
export function startHomebridgeUi(storage: string, uiPort: number): HomebridgeUi {
  requireTools();
  const child: ChildProcess = spawn(
    process.execPath,
    [HB_SERVICE, "run", "-U", storage, "-P", join(HB_UI_PREFIX, "node_modules"), "--strict-plugin-resolution", "--stdout", "--allow-root"],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" }, detached: false },
  );
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)));
  // eslint-disable-next-line no-control-regex
  const plain = () => output.replace(/\x1b\[[0-9;]*m/g, "");
  const matches = (text: string | RegExp) => (typeof text === "string" ? plain().includes(text) : text.test(plain()));
  return {
    storage,
    url: `http://127.0.0.1:${uiPort}`,
    log: plain,
    waitForLog: (text, timeoutMs = 90_000) => waitForOutput(child, () => matches(text), `hb-service log "${text}"`, timeoutMs, () => plain().slice(-6000)),
    // hb-service stops its Homebridge child on SIGTERM before exiting.
    stop: () => terminate(child, exited, 20_000),
  };
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
}

/** Logs in through the UI's login form. */
export async function logIn(page: Page, ui: HomebridgeUi): Promise<void> {
  await page.goto(`${ui.url}/login`);
  await page.fill("#form-username", UI_USER);
  await page.fill("#form-pass", UI_PASSWORD);
  await page.press("#form-pass", "Enter");
  await page.waitForURL((u) => !u.pathname.includes("login"));
}

/** Plugins → Doorstep's actions → Plugin Config: the plugin's custom settings screen in its modal. */
export async function openPluginSettings(page: Page, ui: HomebridgeUi): Promise<void> {
  await page.goto(`${ui.url}/plugins`);
  await page.getByRole("button", { name: "Plugin Actions" }).click();
  await page.getByRole("button", { name: "Plugin Config" }).click();
}
