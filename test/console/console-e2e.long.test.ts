import { expect } from "chai";
import type { Browser, Page } from "playwright-core";
import { eventually } from "../helpers/eventually.js";
import { startDoorstep, type RunningDoorstep } from "../helpers/ready-line.js";
import { useTempDir } from "../helpers/temp-dir.js";
import { launchChromium, type DemoReady } from "./console-browser.js";

// The home is in Berlin, the browser in New York: every time the console shows or sends must be the home's.
const HOME_ZONE = "Europe/Berlin";
const BROWSER_ZONE = "America/New_York";
const PRE_ROLL_S = 5; // the demo door's preRollSeconds (config default)

interface Video {
  src: string;
  currentTime: number;
  duration: number;
  muted: boolean;
  error: { code: number } | null;
  play(): Promise<void>;
}
interface PageGlobals {
  document: { querySelector(selector: string): Video | null };
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

describe("web console end to end (real doorstep serve --demo, headless Chromium)", function () {
  this.timeout(180_000);
  const storage = useTempDir({ prefix: "doorstep-console-e2e-", per: "suite" });
  let bridge: RunningDoorstep<DemoReady> | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let pin = "";
  let credentialId = "";
  const pageErrors: string[] = [];

  before(async () => {
    bridge = await startDoorstep<DemoReady>(["--storage", storage.path, "serve", "--demo"], "DOORSTEP READY", { timeoutMs: 90_000, env: { TZ: HOME_ZONE } });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, timezoneId: BROWSER_ZONE });
    page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
  });
  after(async () => {
    await browser?.close();
    await bridge?.stop();
  });

  const control = (path: string, init?: RequestInit) => fetch(`${bridge!.ready.sim.control}${path}`, init);

  it("logs in with the one-time link printed at start and shows the door", async () => {
    expect(bridge!.ready.console).to.match(/^http:\/\/127\.0\.0\.1:\d+\/login#[A-Za-z0-9_-]{20,}$/);
    await page.goto(bridge!.ready.console);
    await page.locator("#ds-nav").waitFor({ state: "visible" });
    // The code left the address bar: a reload or a shared screenshot does not reveal it.
    expect(page.url()).to.not.contain("#" + bridge!.ready.console.split("#")[1]);
    await page.locator('[data-door="front"] h3').waitFor();
    expect(await page.locator('[data-door="front"] h3').textContent()).to.equal("Front door");
    // The camera's current picture, a real JPEG from the simulated camera through GET /v1/doors/front/snapshot.
    const picture = page.locator('[data-door="front"] img.snapshot');
    await picture.waitFor({ state: "visible", timeout: 20_000 });
    expect(await picture.evaluate((img: unknown) => (img as { naturalWidth: number }).naturalWidth)).to.be.greaterThan(0);
  });

  it("creates a cleaner's code in the page and shows its PIN once", async () => {
    await page.getByRole("button", { name: "Guest codes" }).click();
    await page.getByRole("radio", { name: /^Cleaner/ }).check();
    // Every other <today's weekday>, starting a minute ago: the code works now (the Tuesday preset would not).
    const { dateTime, weekday } = localIn(HOME_ZONE, Date.now() - 60_000);
    await page.getByLabel("First visit starts").fill(dateTime);
    await page.getByRole("textbox", { name: "RRULE" }).fill(`FREQ=WEEKLY;INTERVAL=2;BYDAY=${weekday}`);
    await page.getByRole("button", { name: "Create code" }).click();
    pin = (await page.locator("#ds-new-pin").textContent())!.trim();
    expect(pin).to.match(/^\d{6}$/);
    expect(await page.locator("#ds-guest-message").textContent()).to.contain(pin).and.contain(HOME_ZONE);
    const created = page.locator("[data-credential]").filter({ hasText: "Cleaner" });
    credentialId = (await created.getAttribute("data-credential"))!;
    // The page follows the PIN onto the lock by itself.
    await created.locator('.chip[data-status="On the lock"]').waitFor({ timeout: 60_000 });
    const lock = (await (await control("/locks/front")).json()) as { users: { pin?: string }[] };
    expect(lock.users.map((u) => u.pin)).to.include(pin);
  });

  it("shows the visit live when the PIN is typed on the keypad, and plays its clip past the pre-roll", async () => {
    await page.getByRole("button", { name: "Visits" }).click();
    await page.evaluate("window.notReloaded = true");
    const typed = await control("/locks/front/keypad", { method: "POST", body: JSON.stringify({ pin }) });
    expect(await typed.json(), "the simulated lock's answer").to.deep.include({ outcome: "unlocked" });
    const visit = page.locator("li.visit").first();
    await visit.waitFor({ timeout: 30_000 });
    expect(await visit.locator("h4").textContent()).to.contain("Cleaner");
    expect(await page.evaluate("window.notReloaded === true"), "the visit arrived without a reload").to.equal(true);

    await visit.getByRole("button", { name: "Relock now" }).click();
    const video = visit.locator("video.clip");
    await video.waitFor({ timeout: 60_000 });
    // This project's TypeScript has no DOM types: the few media properties read in the page are typed here.
    await page.waitForFunction(() => /\/clip/.test((globalThis as unknown as PageGlobals).document.querySelector("li.visit video.clip")?.src ?? ""));
    await video.evaluate((v: unknown) => {
      (v as Video).muted = true;
      return (v as Video).play();
    });
    await page.waitForFunction(
      (preRoll) => ((globalThis as unknown as PageGlobals).document.querySelector("li.visit video.clip")?.currentTime ?? 0) > preRoll + 0.5,
      PRE_ROLL_S,
      { timeout: 60_000 },
    );
    const { duration, error } = await video.evaluate((v: unknown) => ({ duration: (v as Video).duration, error: (v as Video).error?.code ?? null }));
    expect(error).to.equal(null);
    expect(duration).to.be.greaterThan(PRE_ROLL_S);
  });

  it("revokes the code in the page, and the lock loses it", async () => {
    await page.getByRole("button", { name: "Guest codes" }).click();
    const row = page.locator(`[data-credential="${credentialId}"]`);
    await row.getByRole("button", { name: "Revoke" }).click();
    await row.getByRole("button", { name: "Really revoke?" }).click();
    await page.locator(`[data-credential="${credentialId}"] .chip[data-status="Revoked"]`).waitFor();
    const pins = async () => ((await (await control("/locks/front")).json()) as { users: { pin?: string }[] }).users.map((u) => u.pin);
    await eventually("the revoked PIN gone from the lock", async () => !(await pins()).includes(pin), { timeoutMs: 30_000, everyMs: 200 }).catch(() => undefined);
    expect(await pins(), "PINs on the simulated lock").to.not.include(pin);
  });

  it("labels every control on every screen and loads nothing from elsewhere", async () => {
    const external: string[] = [];
    page.on("request", (r) => {
      if (!r.url().startsWith(bridge!.ready.api) && !r.url().startsWith("data:") && !r.url().startsWith("blob:")) external.push(r.url());
    });
    for (const view of ["Doors", "Guest codes", "Visits", "Providers", "Audit log"]) {
      await page.getByRole("button", { name: view, exact: true }).click();
      const unlabelled = (await page.evaluate(`
        [...document.querySelectorAll("#doorstep input, #doorstep select, #doorstep button, #doorstep a[href], #doorstep video, #doorstep img")]
          .filter((el) => el.getClientRects().length > 0 || el.tagName === "INPUT")
          .filter((el) => {
            if (el.tagName === "IMG") return !el.alt;
            const named = el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || (el.labels && el.labels.length > 0) || el.textContent.trim();
            return !named && el.type !== "hidden";
          })
          .map((el) => el.outerHTML.slice(0, 120))
      `)) as string[];
      expect(unlabelled, `unlabelled controls on ${view}`).to.deep.equal([]);
    }
    expect(external).to.deep.equal([]);
  });
  it("fits a 390 px phone without sideways scrolling, and keeps text contrast at WCAG AA in light and dark mode", async () => {
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const view of ["Doors", "Guest codes", "Visits", "Providers", "Audit log"]) {
        await page.getByRole("button", { name: view, exact: true }).click();
        const overflow = (await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")) as number;
        expect(overflow, `sideways overflow on ${view}`).to.be.at.most(0);
        const low = (await page.evaluate(CONTRAST_PROBE)) as string[];
        expect(low, `text below AA contrast on ${view} (${scheme})`).to.deep.equal([]);
      }
    }
    await page.emulateMedia({ colorScheme: "light" });
  });

  it("creates a code with the keyboard alone and puts focus on the new PIN", async () => {
    await page.getByRole("button", { name: "Doors", exact: true }).click();
    const focusedText = async () => (await page.evaluate("(document.activeElement?.textContent ?? '').trim()")) as string;
    // From the top of the page: Tab to the "Guest codes" tab, Enter.
    await page.evaluate("document.activeElement?.blur(); window.scrollTo(0, 0)");
    for (let i = 0; i < 30 && (await focusedText()) !== "Guest codes"; i++) await page.keyboard.press("Tab");
    expect(await focusedText()).to.equal("Guest codes");
    await page.keyboard.press("Enter");
    await page.locator("#ds-create-code").waitFor();
    // Into the presets; the arrow keys move between them (radio buttons): Courier is the first.
    for (let i = 0; i < 30 && !((await page.evaluate("document.activeElement?.name")) === "ds-preset"); i++) await page.keyboard.press("Tab");
    await page.keyboard.press("ArrowLeft");
    expect(await page.evaluate("document.activeElement?.value")).to.equal("courier");
    for (let i = 0; i < 40 && (await focusedText()) !== "Create code"; i++) await page.keyboard.press("Tab");
    expect(await focusedText()).to.equal("Create code");
    await page.keyboard.press("Enter");
    await page.locator("#ds-new-pin").waitFor();
    expect(await page.evaluate("document.activeElement?.classList.contains('pin-result')")).to.equal(true);
    expect(await page.locator(".pin-result h4").textContent()).to.equal("Code for Courier");
  });
  it("unlocks and locks the door from the page, and the simulated lock follows", async () => {
    await page.getByRole("button", { name: "Doors", exact: true }).click();
    const lockState = async () => ((await (await control("/locks/front")).json()) as { lockState: number }).lockState;
    const waitForLock = async (want: number) => {
      await eventually(`LockState ${want} on the lock`, async () => (await lockState()) === want, { timeoutMs: 20_000, everyMs: 100 }).catch(() => undefined);
      expect(await lockState()).to.equal(want);
    };
    await page.getByRole("button", { name: "Unlock", exact: true }).click();
    await waitForLock(2); // ZCL LockState 2: unlocked
    await page.getByText("Unlocked", { exact: true }).first().waitFor(); // the door card, refreshed
    await page.getByRole("button", { name: "Lock", exact: true }).click();
    await waitForLock(1); // 1: locked
    await page.getByText("Locked", { exact: true }).first().waitFor();
  });

  it("answers “Pair a lock”: joining opens on the bridge's coordinator", async () => {
    await page.getByRole("button", { name: "Doors", exact: true }).click();
    await page.getByRole("button", { name: "Pair a lock" }).click();
    const status = page.locator("#ds-setup-title ~ p[role=status]");
    await page.waitForFunction(() => {
      const el = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector("#ds-setup-title ~ p[role=status]");
      return !!el && !/Opening/.test(el.textContent) && el.textContent.length > 0;
    });
    expect(await status.textContent()).to.match(/Joining is open/);
  });

  it("raised no script error in the page along the way", () => {
    expect(pageErrors).to.deep.equal([]);
  });
});

/** Visible text whose contrast with its nearest opaque background is below 4.5:1 (3:1 for large text). */
const CONTRAST_PROBE = `(() => {
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null; const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 }; };
  const lum = ({ r, g, b }) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const background = (el) => { for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c && c.a >= 0.99) return c; } return parse(getComputedStyle(document.body).backgroundColor) ?? { r: 255, g: 255, b: 255, a: 1 }; };
  const out = [];
  for (const el of document.querySelectorAll("#doorstep *")) {
    if (el.closest("video, svg, img, [hidden]") || el.getClientRects().length === 0) continue;
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || Number(style.opacity) < 0.99) continue;
    const fg = parse(style.color); const bg = background(el);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    const size = parseFloat(style.fontSize); const bold = Number(style.fontWeight) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need) out.push(el.tagName + " '" + el.textContent.trim().slice(0, 40) + "' " + ratio.toFixed(2));
  }
  return out;
})()`;
