import { expect } from "chai";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startDoorstep, type RunningDoorstep } from "../helpers/ready-line.js";
import { useTempDir } from "../helpers/temp-dir.js";
import { launchChromium, type DemoReady } from "./console-browser.js";

describe("web console login, session cookie and CSRF (real doorstep serve --demo)", function () {
  this.timeout(120_000);
  const storage = useTempDir({ prefix: "doorstep-console-auth-", per: "suite" });
  let bridge: RunningDoorstep<DemoReady> | undefined;
  let api: string;

  before(async () => {
    bridge = await startDoorstep<DemoReady>(["--storage", storage.path, "serve", "--demo"], "DOORSTEP READY", { timeoutMs: 90_000 });
    api = bridge.ready.api;
  });
  after(async () => {
    await bridge?.stop();
  });

  const json = { "content-type": "application/json" };
  const login = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${api}/console/login`, { method: "POST", headers: { ...json, origin: api, ...headers }, body: JSON.stringify(body) });
  /** Logs in with the owner token; the session cookie and CSRF token. */
  async function session(): Promise<{ cookie: string; csrf: string }> {
    const res = await login({ token: bridge!.ready.ownerToken });
    expect(res.status).to.equal(200);
    const setCookie = res.headers.get("set-cookie")!;
    return { cookie: setCookie.split(";")[0]!, csrf: ((await res.json()) as { csrf: string }).csrf };
  }
  const patchDoor = (headers: Record<string, string>) =>
    fetch(`${api}/v1/doors/front`, { method: "PATCH", headers: { ...json, ...headers }, body: JSON.stringify({ petsHome: true }) });
  const petsHome = async () =>
    ((await (await fetch(`${api}/v1/doors`, { headers: { authorization: `Bearer ${bridge!.ready.ownerToken}` } })).json()) as { switches: { petsHome: boolean } }[])[0]!.switches.petsHome;

  it("serves the page to anyone but the API only to a logged-in browser", async () => {
    const page = await fetch(`${api}/`);
    expect(page.status).to.equal(200);
    expect(page.headers.get("content-security-policy")).to.contain("default-src 'self'");
    expect(page.headers.get("cross-origin-resource-policy")).to.equal("same-origin");
    expect(await page.text()).to.contain('<div id="doorstep"');
    expect((await fetch(`${api}/v1/doors`)).status).to.equal(401);
    expect((await fetch(`${api}/console/session`)).status).to.equal(401);
  });

  it("the one-time link logs in once, with an HTTP-only SameSite=Strict cookie", async () => {
    const code = bridge!.ready.console.split("#")[1]!;
    const first = await login({ code });
    expect(first.status).to.equal(200);
    const setCookie = first.headers.get("set-cookie")!;
    expect(setCookie).to.match(/^doorstep_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).to.contain("HttpOnly").and.contain("SameSite=Strict").and.contain("Path=/").and.match(/Max-Age=\d+/);
    const doors = await fetch(`${api}/v1/doors`, { headers: { cookie: setCookie.split(";")[0]! } });
    expect(doors.status).to.equal(200);
    // Another port of this host is same-site, so the cookie would go along: CORP stops such pages embedding our responses.
    expect(doors.headers.get("cross-origin-resource-policy")).to.equal("same-origin");
    expect((await login({ code })).status, "the same link a second time").to.equal(401);
  });

  it("refuses a wrong token, a provider token, and a login posted from another origin", async () => {
    expect((await login({ token: "dst_" + "x".repeat(43) })).status).to.equal(401);
    const provider = await fetch(`${api}/v1/tokens`, {
      method: "POST",
      headers: { ...json, authorization: `Bearer ${bridge!.ready.ownerToken}` },
      body: JSON.stringify({ provider: "Parcel Co" }),
    });
    expect(provider.status).to.equal(201);
    const { token } = (await provider.json()) as { token: string };
    expect((await login({ token })).status, "a provider token is not the owner's").to.equal(401);
    const foreign = await login({ token: bridge!.ready.ownerToken }, { origin: "http://evil.example" });
    expect(foreign.status).to.equal(403);
    expect(foreign.headers.get("set-cookie")).to.equal(null);
  });

  it("refuses a cookie-authenticated change without the CSRF header or from another origin, and changes nothing", async () => {
    const { cookie, csrf } = await session();
    expect((await patchDoor({ cookie, origin: api })).status, "no CSRF header").to.equal(403);
    expect((await patchDoor({ cookie, origin: api, "x-doorstep-csrf": "wrong" })).status, "wrong CSRF token").to.equal(403);
    expect((await patchDoor({ cookie, origin: "http://evil.example", "x-doorstep-csrf": csrf })).status, "foreign Origin").to.equal(403);
    expect((await patchDoor({ cookie, "x-doorstep-csrf": csrf })).status, "no Origin").to.equal(403);
    expect(await petsHome()).to.equal(false);
    const ok = await patchDoor({ cookie, origin: api, "x-doorstep-csrf": csrf });
    expect(ok.status).to.equal(200);
    expect(await petsHome()).to.equal(true);
  });

  it("leaves bearer-token clients as they were (no Origin, no CSRF header)", async () => {
    const res = await fetch(`${api}/v1/doors/front`, {
      method: "PATCH",
      headers: { ...json, authorization: `Bearer ${bridge!.ready.ownerToken}` },
      body: JSON.stringify({ petsHome: false }),
    });
    expect(res.status).to.equal(200);
    expect(await petsHome()).to.equal(false);
  });

  it("ends the session on logout", async () => {
    const { cookie, csrf } = await session();
    expect((await fetch(`${api}/console/logout`, { method: "POST", headers: { cookie, origin: api } })).status, "logout needs CSRF too").to.equal(403);
    const out = await fetch(`${api}/console/logout`, { method: "POST", headers: { cookie, origin: api, "x-doorstep-csrf": csrf } });
    expect(out.status).to.equal(204);
    expect(out.headers.get("set-cookie")).to.contain("Max-Age=0");
    expect((await fetch(`${api}/v1/doors`, { headers: { cookie } })).status).to.equal(401);
  });

  it("streams events only to the owner", async () => {
    const { cookie } = await session();
    const controller = new AbortController();
    const res = await fetch(`${api}/v1/events`, { headers: { cookie }, signal: controller.signal });
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.contain("text/event-stream");
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).to.contain(": doorstep events");
    controller.abort();
    const provider = await fetch(`${api}/v1/tokens`, {
      method: "POST",
      headers: { ...json, authorization: `Bearer ${bridge!.ready.ownerToken}` },
      body: JSON.stringify({ provider: "Walkies Ltd" }),
    });
    const { token } = (await provider.json()) as { token: string };
    expect((await fetch(`${api}/v1/events`, { headers: { authorization: `Bearer ${token}` } })).status).to.equal(403);
  });
  it("in a real browser, a page on another port of this host (same-site) cannot change anything with the session", async () => {
    const browser = await launchChromium();
    let evil: Server | undefined;
    try {
      const context = await browser.newContext();
      const console = await context.newPage();
      await console.goto(`${api}/`);
      await console.locator("#ds-token").fill(bridge!.ready.ownerToken);
      await console.getByRole("button", { name: "Log in" }).click();
      await console.locator("#ds-nav").waitFor({ state: "visible" });
      const count = async () =>
        ((await (await fetch(`${api}/v1/credentials`, { headers: { authorization: `Bearer ${bridge!.ready.ownerToken}` } })).json()) as unknown[]).length;
      const codesBefore = await count();

      // What a hostile page can do without CORS: no-cors fetches and a text/plain form post, all carrying the cookie.
      const attack = `<!doctype html><title>working</title><body>
        <form id="f" method="POST" action="${api}/v1/credentials" enctype="text/plain" target="sink">
          <input name='{"label":"Burglar","kind":"guest","doors":["front"],"validUntil":${Date.now() + 86_400_000},"x":"' value='"}'>
        </form><iframe name="sink"></iframe>
        <script>
          fetch("${api}/console/logout", { method: "POST", mode: "no-cors", credentials: "include" })
            .catch(() => {})
            .then(() => fetch("${api}/v1/doors/front", { method: "PATCH", mode: "no-cors", credentials: "include", body: '{"petsHome":true}' }).catch(() => {}))
            .then(() => fetch("${api}/v1/credentials", { method: "POST", mode: "no-cors", credentials: "include", headers: { "content-type": "text/plain" }, body: '{"label":"Burglar","kind":"guest","doors":["front"],"validUntil":${Date.now() + 86_400_000}}' }).catch(() => {}))
            .then(() => { document.querySelector("iframe").onload = () => (document.title = "done"); document.getElementById("f").submit(); });
        </script>`;
      evil = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(attack));
      await new Promise<void>((resolve) => evil!.listen(0, "127.0.0.1", resolve));
      const attacker = await context.newPage();
      await attacker.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
      await attacker.waitForFunction(() => (globalThis as unknown as { document: { title: string } }).document.title === "done");
      expect(await count(), "guest codes after the attack").to.equal(codesBefore);
      expect(await petsHome()).to.equal(false);
      // A body-less POST passes every content-type rule: only the CSRF check stops the forced logout.
      expect(await console.evaluate("fetch('/console/session').then((r) => r.status)"), "the session after the attack").to.equal(200);
    } finally {
      await browser.close();
      await new Promise((resolve) => (evil ? evil.close(resolve) : resolve(undefined)));
    }
  });
});
