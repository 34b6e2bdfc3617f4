// Regenerates docs/console/*.png: every console screen at phone (390 px) and desktop (1280 px) width, against a real
// `doorstep serve --demo` with a few guest codes, one visit with its clip, and a provider token.
//   npm run screenshots          (builds first; needs Chromium: /usr/bin/chromium or DOORSTEP_CHROMIUM)
import { spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { makeTempDir, removeTempDir } from "../dist/test/helpers/temp-dir.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = join(root, "docs", "console");
const HOME_ZONE = "Europe/Berlin";
const WIDTHS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } };
const VIEWS = [
  ["doors", "Doors"],
  ["codes", "Guest codes"],
  ["visits", "Visits"],
  ["providers", "Providers"],
  ["audit", "Audit log"],
];

async function startDemo(storage) {
  const child = spawn(process.execPath, ["--no-warnings", join(root, "dist/src/cli/main.js"), "--storage", storage, "serve", "--demo"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, TZ: HOME_ZONE },
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const ready = await new Promise((resolve, reject) => {
    child.stdout.on("data", (d) => {
      stdout += d;
      const line = stdout.split("\n").find((l) => l.startsWith("DOORSTEP READY "));
      if (line) resolve(JSON.parse(line.slice("DOORSTEP READY ".length)));
    });
    child.once("exit", (code) => reject(new Error(`doorstep exited (${code}):\n${stderr}`)));
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return { ready, stop: () => (child.kill("SIGTERM"), exited) };
}

function localNow(offsetMs = 0) {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", { timeZone: HOME_ZONE, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", weekday: "short" })
      .formatToParts(new Date(Date.now() + offsetMs)).map((x) => [x.type, x.value]),
  );
  return { dateTime: `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`, weekday: p.weekday.slice(0, 2).toUpperCase() };
}

async function main() {
  await mkdir(out, { recursive: true });
  const storage = makeTempDir("doorstep-screenshots-");
  const demo = await startDemo(storage);
  const browser = await chromium.launch({ executablePath: process.env.DOORSTEP_CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
  try {
    const { ready } = demo;
    const auth = { authorization: `Bearer ${ready.ownerToken}`, "content-type": "application/json" };
    const context = await browser.newContext({ viewport: WIDTHS.desktop, timezoneId: HOME_ZONE, colorScheme: "light" });
    const page = await context.newPage();
    await page.goto(ready.console);
    await page.locator("#ds-nav").waitFor({ state: "visible" });

    // A dog walker and a courier through the API, the cleaner through the page (its PIN panel is a screenshot).
    for (const body of [
      { label: "Dog walker", kind: "pet-care", doors: ["front"], validUntil: Date.now() + 30 * 86_400_000, mode: "keypad",
        schedule: { type: "weekly", timeZone: HOME_ZONE, windows: [{ days: ["MO", "TU", "WE", "TH", "FR"], start: "12:00", end: "13:00" }] } },
      { label: "Parcel courier", kind: "delivery", doors: ["front"], validUntil: Date.now() + 6 * 3_600_000, maxUses: 1, mode: "both" },
    ]) {
      const r = await fetch(`${ready.api}/v1/credentials`, { method: "POST", headers: auth, body: JSON.stringify(body) });
      if (r.status !== 201) throw new Error(`creating ${body.label}: ${r.status} ${await r.text()}`);
    }
    await fetch(`${ready.api}/v1/tokens`, { method: "POST", headers: auth, body: JSON.stringify({ provider: "Parcel Co" }) });

    await page.getByRole("button", { name: "Guest codes" }).click();
    await page.getByRole("radio", { name: /^Dog walker/ }).check();
    await shoot(page, "codes-weekly");
    await page.getByRole("radio", { name: /^Cleaner/ }).check();
    const { dateTime, weekday } = localNow(-60_000);
    await page.getByLabel("First visit starts").fill(dateTime);
    await page.getByRole("textbox", { name: "RRULE" }).fill(`FREQ=WEEKLY;INTERVAL=2;BYDAY=${weekday}`);
    await page.getByRole("button", { name: "Create code" }).click();
    const pin = (await page.locator("#ds-new-pin").textContent()).trim();
    await page.locator('[data-credential] .chip[data-status="On the lock"]').first().waitFor({ timeout: 60_000 });
    await shoot(page, "codes-new-pin");
    await page.getByRole("button", { name: "Done, hide the PIN" }).click();

    // One visit: the cleaner types the PIN, the owner relocks from the page, the clip is assembled.
    await page.getByRole("button", { name: "Visits" }).click();
    await fetch(`${ready.sim.control}/locks/front/keypad`, { method: "POST", body: JSON.stringify({ pin }) });
    await page.locator("li.visit").first().waitFor({ timeout: 30_000 });
    await shoot(page, "visits-live");
    await page.getByRole("button", { name: "Relock now" }).click();
    await page.locator("li.visit video.clip").first().waitFor({ timeout: 60_000 });
    await page.waitForFunction(() => (globalThis.document.querySelector("li.visit video.clip")?.readyState ?? 0) >= 2, undefined, { timeout: 30_000 });

    for (const [name, size] of Object.entries(WIDTHS)) {
      await page.setViewportSize(size);
      for (const [key, label] of VIEWS) {
        await page.getByRole("button", { name: label, exact: true }).click();
        if (key === "doors") await page.locator("img.snapshot:not([hidden])").first().waitFor({ timeout: 15_000 }).catch(() => {});
        if (key === "audit") await page.locator(".verdict").waitFor();
        if (key === "providers") await page.locator(".token-row").first().waitFor();
        if (key === "visits") await page.waitForFunction(() => [...globalThis.document.querySelectorAll("video.clip")].every((v) => v.readyState >= 2), undefined, { timeout: 30_000 });
        await shoot(page, `${key}-${name}`);
      }
    }
    // The login screen, as a browser without a session sees it.
    const fresh = await browser.newContext({ viewport: WIDTHS.phone, colorScheme: "light" });
    const loginPage = await fresh.newPage();
    await loginPage.goto(`${ready.api}/`);
    await loginPage.locator("#ds-token").waitFor();
    await shoot(loginPage, "login-phone");
  } finally {
    await browser.close();
    await demo.stop();
    removeTempDir(storage);
  }
}

async function shoot(page, name) {
  await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
  console.log(`docs/console/${name}.png`);
}

await main();
