import { expect } from "chai";
import { ApiHarness } from "./api-harness.js";

describe("console routes on the API server", function () {
  this.timeout(20_000);

  it("serves the page with a CSP and only the app's own files", async () => {
    const h = await ApiHarness.start();
    try {
      const page = await fetch(`${h.url}/`);
      expect(page.status).to.equal(200);
      expect(page.headers.get("content-type")).to.contain("text/html");
      expect(page.headers.get("content-security-policy")).to.contain("script-src 'self'");
      const html = await page.text();
      expect(html).to.match(/^<!doctype html>/).and.contain('<script type="module" src="app.js">');
      expect((await fetch(`${h.url}/app.js`)).headers.get("content-type")).to.contain("text/javascript");
      for (const path of ["/../package.json", "/%2e%2e/package.json", "/index.html", "/nope.js"]) {
        expect((await fetch(`${h.url}${path}`)).status, path).to.equal(404);
      }
    } finally {
      await h.stop();
    }
  });

  it("keeps the API up, without the page, when the console's files are missing", async () => {
    const h = await ApiHarness.start({ server: { console: { publicDir: "/nonexistent/doorstep-public" } } });
    try {
      expect((await fetch(`${h.url}/`)).status).to.equal(404);
      expect((await h.request("GET", "/v1/doors", { token: h.ownerToken })).status).to.equal(200);
      expect(h.logger.lines.some((l) => l.level === "warn" && l.message.includes("web console is not served"))).to.equal(true);
    } finally {
      await h.stop();
    }
  });

  it("answers the home's name and time zone to any token, and explains a code without its PIN", async () => {
    const h = await ApiHarness.start();
    try {
      const home = await h.request("GET", "/v1/home", { token: h.providerTokens["acme"] });
      expect(home.status).to.equal(200);
      expect(home.json).to.have.keys("name", "timeZone");
      const created = await h.request("POST", "/v1/credentials", {
        token: h.ownerToken,
        body: { label: "Walker", kind: "pet-care", doors: ["front"], validFrom: Date.now() + 86_400_000, validUntil: Date.now() + 2 * 86_400_000 },
      });
      expect(created.status).to.equal(201);
      const why = await h.request("POST", `/v1/credentials/${created.json.id}/explain`, { token: h.ownerToken, body: { doorId: "front" } });
      expect(why.status).to.equal(200);
      expect(why.json).to.deep.include({ outcome: "denied", reason: "not-yet-valid" });
      expect(why.json.sentence).to.be.a("string").and.not.contain(created.json.pin);
      const other = await h.request("POST", `/v1/credentials/${created.json.id}/explain`, { token: h.providerTokens["acme"], body: { doorId: "front" } });
      expect(other.status, "another provider's code").to.equal(404);
    } finally {
      await h.stop();
    }
  });

  it("makes provider tokens for the owner only, lists them without the secret, and revokes only provider tokens", async () => {
    const h = await ApiHarness.start();
    try {
      expect((await h.request("POST", "/v1/tokens", { token: h.providerTokens["acme"], body: { provider: "Sneaky" } })).status).to.equal(403);
      const created = await h.request("POST", "/v1/tokens", { token: h.ownerToken, body: { provider: "Parcel Co" } });
      expect(created.status).to.equal(201);
      expect(created.json.token).to.match(/^dst_/);
      const list = await h.request("GET", "/v1/tokens", { token: h.ownerToken });
      expect(list.text).to.not.contain(created.json.token);
      expect(list.json.map((t: { provider: string }) => t.provider)).to.include.members(["acme", "zest", "Parcel Co"]);
      expect((await h.request("GET", "/v1/doors", { token: created.json.token })).status).to.equal(200);
      const revoked = await h.request("DELETE", `/v1/tokens/${created.json.id}`, { token: h.ownerToken });
      expect(revoked.status).to.equal(200);
      expect(revoked.json.revokedAt).to.be.a("number");
      expect((await h.request("GET", "/v1/doors", { token: created.json.token })).status).to.equal(401);
      const owner = h.store.tokens.list().find((t) => t.subject.kind === "owner")!;
      expect((await h.request("DELETE", `/v1/tokens/${owner.id}`, { token: h.ownerToken })).status, "the owner's own token").to.equal(404);
      expect((await h.request("GET", "/v1/doors", { token: h.ownerToken })).status).to.equal(200);
    } finally {
      await h.stop();
    }
  });
});
