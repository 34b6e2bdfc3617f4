// Issue 10 item 1: a provider cannot override the owner's switches. Through the HTTP API: what a provider token may
// create (the table in docs/operations.md), and that the owner's switches and the recording requirement bind every
// credential a provider made, whatever is stored.
import { expect } from "chai";
import { CredentialId, DoorId, type ProviderId } from "../../src/access/ids.js";
import { ApiHarness } from "./api-harness.js";

describe("HTTP API v1: provider rights", function () {
  this.timeout(20_000);
  let h: ApiHarness;
  let owner: string;
  let acme: string;

  // The global requireRecording is off, so only the per-credential binding can demand a camera.
  before(async () => {
    h = await ApiHarness.start({ requireRecording: false });
    owner = h.ownerToken;
    acme = h.providerTokens["acme"]!;
  });
  after(async () => {
    await h?.stop();
  });
  afterEach(async () => {
    for (const door of ["front", "back"]) await h.request("PATCH", `/v1/doors/${door}`, { token: owner, body: { inHomeDeliveries: true, petsHome: false } });
    h.recorders.get("front")!.recording = true;
  });

  it("refuses with 403 naming each field what a provider may not set, and stores nothing", async () => {
    const before = h.snapshot();
    const cases: [Record<string, unknown>, string][] = [
      [{ kind: "guest" }, "kind"],
      [{ kind: "pet-care" }, "kind"],
      [{ maxUses: 1000 }, "maxUses"],
      [{ maxUses: 2 }, "maxUses"],
      [{ allowWhenPetsHome: true }, "allowWhenPetsHome"],
      [{ requireRecording: false }, "requireRecording"],
      [{ pin: "482913" }, "pin"],
      [{ validUntil: Date.now() + 25 * 3_600_000 }, "validUntil"],
    ];
    for (const [overrides, field] of cases) {
      const r = await h.request("POST", "/v1/credentials", { token: acme, body: h.credentialBody(overrides) });
      expect(r.status, field).to.equal(403);
      expect(r.json.code).to.equal("forbidden");
      expect(r.json.issues.map((i: { path: string }) => i.path)).to.deep.equal([field]);
      expect(r.json.message).to.include(field);
    }
    const all = await h.request("POST", "/v1/credentials", {
      token: acme,
      body: h.credentialBody({ kind: "guest", allowWhenPetsHome: true, requireRecording: false, maxUses: 1000 }),
    });
    expect(all.status).to.equal(403);
    expect(all.json.issues.map((i: { path: string }) => i.path)).to.have.members(["kind", "maxUses", "allowWhenPetsHome", "requireRecording"]);
    expect(h.snapshot()).to.equal(before);
  });

  it("still answers 400 (not 403) when the body is invalid, and lets the owner set every field", async () => {
    const bad = await h.request("POST", "/v1/credentials", { token: acme, body: h.credentialBody({ kind: "guest", label: "" }) });
    expect(bad.status).to.equal(400);
    const mine = await h.request("POST", "/v1/credentials", {
      token: owner,
      body: h.credentialBody({ kind: "guest", allowWhenPetsHome: true, requireRecording: false, maxUses: 1000, doors: ["back"] }),
    });
    expect(mine.status).to.equal(201);
  });

  it("creates a delivery within the table: one use, recorded, not while pets are home", async () => {
    const r = await h.request("POST", "/v1/credentials", { token: acme, body: h.credentialBody({ mode: "remote", validUntil: Date.now() + 23 * 3_600_000 }) });
    expect(r.status).to.equal(201);
    expect(r.json.credential).to.include({ kind: "delivery", maxUses: 1, allowWhenPetsHome: false, requireRecording: true, providerId: "acme" });
  });

  it("limits a token given some doors to those doors: 403 naming doors[i]", async () => {
    const frontOnly = h.store.tokens.create({ kind: "provider", providerId: "front-only" as ProviderId, doors: [DoorId("front")] }).token;
    const before = h.snapshot();
    const r = await h.request("POST", "/v1/credentials", { token: frontOnly, body: h.credentialBody({ doors: ["front", "back"] }) });
    expect(r.status).to.equal(403);
    expect(r.json.issues.map((i: { path: string }) => i.path)).to.deep.equal(["doors[1]"]);
    expect(h.snapshot()).to.equal(before);
    const ok = await h.request("POST", "/v1/credentials", { token: frontOnly, body: h.credentialBody({ doors: ["front"] }) });
    expect(ok.status).to.equal(201);
  });

  describe("a provider's credential stored with more rights (a row from before the table)", () => {
    let pin: string;
    beforeEach(() => {
      // As the attack left it: a guest code, 1000 uses, pets allowed, no recording, a year long.
      pin = String(100_000 + Math.floor(Math.random() * 800_000));
      const now = Date.now();
      h.store.credentials.insert(
        {
          id: CredentialId(`cred_old_${pin}`),
          label: "Old acme code",
          kind: "guest",
          doors: [DoorId("front")],
          validFrom: now - 60_000,
          validUntil: now + 365 * 86_400_000,
          maxUses: 1000,
          mode: "both",
          allowWhenPetsHome: true,
          requireRecording: false,
          providerId: "acme" as ProviderId,
          createdAt: now - 60_000,
        },
        pin,
      );
    });
    const redeem = () => h.request("POST", "/v1/doors/front/access", { token: acme, body: { pin } });

    it("is bound by Pets home", async () => {
      await h.request("PATCH", "/v1/doors/front", { token: owner, body: { petsHome: true } });
      const r = await redeem();
      expect(r.status).to.equal(409);
      expect(r.json).to.include({ outcome: "leave-outside", reason: "pets-home" });
    });

    it("is bound by In-home deliveries off, whatever its kind", async () => {
      await h.request("PATCH", "/v1/doors/front", { token: owner, body: { inHomeDeliveries: false } });
      const r = await redeem();
      expect(r.status).to.equal(409);
      expect(r.json).to.include({ outcome: "leave-outside", reason: "deliveries-paused" });
    });

    it("is never used without a recording", async () => {
      h.recorders.get("front")!.recording = false;
      const r = await redeem();
      expect(r.status).to.equal(409);
      expect(r.json).to.include({ outcome: "leave-outside", reason: "camera-unavailable" });
    });

    it("opens once, then is used up", async () => {
      const first = await redeem();
      expect(first.status).to.equal(200);
      await h.request("POST", `/v1/visits/${first.json.visitId}/end`, { token: owner });
      const second = await redeem();
      expect(second.status).to.equal(403);
      expect(second.json).to.include({ outcome: "denied", reason: "uses-exhausted" });
      const view = await h.request("GET", `/v1/credentials/cred_old_${pin}`, { token: acme });
      expect(view.json.live).to.equal(false);
    });
  });
});
