// Issue 10 item 3 through the HTTP API: the end of the audit log cut and the head rewritten to the new last entry is
// reported by GET /v1/audit/verify (and the owner's health says tampered).
import { expect } from "chai";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { ApiHarness } from "./api-harness.js";

describe("HTTP API v1: audit truncation", function () {
  this.timeout(20_000);
  let h: ApiHarness;
  before(async () => {
    h = await ApiHarness.start();
  });
  after(async () => {
    await h?.stop();
  });

  it("GET /v1/audit/verify reports a cut tail under a rewritten head", async () => {
    for (let i = 0; i < 6; i++) {
      const r = await h.request("POST", "/v1/credentials", { token: h.ownerToken, body: h.credentialBody({ label: `Parcel ${i}` }) });
      expect(r.status).to.equal(201);
    }
    const intact = await h.request("GET", "/v1/audit/verify", { token: h.ownerToken });
    expect(intact.json).to.deep.equal({ ok: true, entries: 6 });
    const raw = new DatabaseSync(join(h.dir, "storage", "doorstep.db"));
    try {
      const row4 = raw.prepare("SELECT hash FROM audit_log WHERE seq = 4").get() as { hash: string };
      raw.exec(`DELETE FROM audit_log WHERE seq >= 5; UPDATE audit_head SET seq = 4, hash = '${row4.hash}'`);
    } finally {
      raw.close();
    }
    const cut = await h.request("GET", "/v1/audit/verify", { token: h.ownerToken });
    expect(cut.status).to.equal(200);
    expect(cut.json).to.deep.include({ ok: false, firstBad: 0, problem: "truncated" });
    const health = await h.request("GET", "/v1/health", { token: h.ownerToken });
    expect(health.json.audit).to.equal("tampered");
  });
});
