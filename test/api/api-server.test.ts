import { expect } from "chai";
import { ApiHarness, type ApiResponse } from "./api-harness.js";
import { TestRecorder } from "../../src/camera/test-recorder.js";
import { eventually } from "../helpers/eventually.js";

/** Every response body seen, to check afterwards that no PIN or token leaked outside the creation response. */
const seen: { where: string; text: string }[] = [];
const record = (where: string, r: ApiResponse): ApiResponse => (seen.push({ where, text: r.text + JSON.stringify([...r.headers]) }), r);

describe("HTTP API v1", function () {
  this.timeout(20_000);
  let h: ApiHarness;
  const pins: string[] = [];
  let owner: string;
  let acme: string;
  let zest: string;
  const req = async (method: string, path: string, options: Parameters<ApiHarness["request"]>[2] = {}) => record(`${method} ${path}`, await h.request(method, path, options));

  before(async () => {
    h = await ApiHarness.start();
    owner = h.ownerToken;
    acme = h.providerTokens["acme"]!;
    zest = h.providerTokens["zest"]!;
  });
  after(async () => {
    await h?.stop();
  });

  describe("authentication", () => {
    it("refuses a request without a token with 401 and WWW-Authenticate: Bearer", async () => {
      const r = await req("GET", "/v1/credentials");
      expect(r.status).to.equal(401);
      expect(r.headers.get("www-authenticate")).to.equal('Bearer realm="doorstep"');
      expect(r.json).to.deep.equal({ code: "unauthorized", message: r.json.message });
    });

    it("refuses malformed headers and unknown tokens without echoing them", async () => {
      for (const header of ["Basic YWxhZGRpbjpvcGVu", "Bearer", `Bearer ${owner} extra`, `bearer  dst_${"x".repeat(43)}`, "Bearer " + "a".repeat(600)]) {
        const r = await req("GET", "/v1/credentials", { headers: { authorization: header } });
        expect(r.status, header).to.equal(401);
        expect(r.headers.get("www-authenticate")).to.equal('Bearer realm="doorstep", error="invalid_token"');
        expect(r.text).not.to.include("YWxhZGRpbjpvcGVu").and.not.to.include("xxxxxxxx");
      }
    });

    it("accepts the owner token and provider tokens", async () => {
      for (const token of [owner, acme]) expect((await req("GET", "/v1/credentials", { token })).status).to.equal(200);
    });
  });

  describe("health", () => {
    it("answers only {ok} without a token, details with the owner token, and 401 for a wrong token", async () => {
      const anonymous = await req("GET", "/v1/health");
      expect(anonymous.status).to.equal(200);
      expect(Object.keys(anonymous.json)).to.deep.equal(["ok"]);
      expect((await req("GET", "/v1/health", { token: acme })).json).to.have.all.keys("ok");
      const detailed = await req("GET", "/v1/health", { token: owner });
      expect(detailed.json.audit).to.equal("ok");
      expect(detailed.json.doors.map((d: { id: string }) => d.id)).to.deep.equal(["front", "back"]);
      expect((await req("GET", "/v1/health", { token: "dst_nope" })).status).to.equal(401);
    });
  });

  describe("credentials", () => {
    let ownerCredentialId: string;
    let acmeCredentialId: string;
    let zestCredentialId: string;

    it("creates a credential: 201 with id, the PIN once, and the credential without its PIN", async () => {
      const r = await h.request("POST", "/v1/credentials", { token: owner, body: h.credentialBody({ label: "Owner's cleaner", kind: "cleaning" }) });
      expect(r.status).to.equal(201);
      expect(r.json).to.have.all.keys("id", "pin", "credential");
      expect(r.json.pin).to.match(/^\d{6}$/);
      expect(r.json.credential.id).to.equal(r.json.id);
      expect(r.json.credential).not.to.have.property("pin");
      expect(r.json.credential).not.to.have.property("providerId");
      expect(r.json.credential.usage).to.deep.equal({ uses: 0 });
      expect(r.json.credential.live).to.equal(true);
      pins.push(r.json.pin);
      ownerCredentialId = r.json.id;
    });

    it("gives a provider's credential to that provider", async () => {
      const a = await h.request("POST", "/v1/credentials", { token: acme, body: h.credentialBody({ label: "Acme courier" }) });
      const z = await h.request("POST", "/v1/credentials", { token: zest, body: h.credentialBody({ label: "Zest courier" }) });
      expect([a.status, z.status]).to.deep.equal([201, 201]);
      expect(a.json.credential.providerId).to.equal("acme");
      expect(a.json.credential.maxUses).to.equal(1);
      expect(z.json.credential.allowWhenPetsHome).to.equal(false);
      pins.push(a.json.pin, z.json.pin);
      acmeCredentialId = a.json.id;
      zestCredentialId = z.json.id;
    });

    it("lists all for the owner and only its own for a provider, never with a PIN", async () => {
      const all = await req("GET", "/v1/credentials", { token: owner });
      expect(all.json.map((c: { id: string }) => c.id)).to.include.members([ownerCredentialId, acmeCredentialId, zestCredentialId]);
      const mine = await req("GET", "/v1/credentials", { token: acme });
      expect(mine.json.map((c: { id: string }) => c.id)).to.deep.equal([acmeCredentialId]);
      for (const pin of pins) expect(all.text).not.to.include(`"${pin}"`);
      const front = await req("GET", "/v1/credentials?doorId=back", { token: owner });
      expect(front.json).to.deep.equal([]);
    });

    it("answers 404 for another provider's credential, to read or to revoke, and changes nothing", async () => {
      const before = h.snapshot();
      for (const id of [zestCredentialId, ownerCredentialId]) {
        expect((await req("GET", `/v1/credentials/${id}`, { token: acme })).status).to.equal(404);
        const del = await req("DELETE", `/v1/credentials/${id}`, { token: acme });
        expect(del.status).to.equal(404);
        expect(del.json.code).to.equal("not-found");
      }
      expect(h.snapshot()).to.equal(before);
      expect((await req("GET", `/v1/credentials/${zestCredentialId}`, { token: owner })).status).to.equal(200);
    });

    it("revokes a provider's own credential; revoking again is not an error", async () => {
      const r = await req("DELETE", `/v1/credentials/${acmeCredentialId}`, { token: acme });
      expect(r.status).to.equal(200);
      expect(r.json.revokedAt).to.be.a("number");
      expect(r.json.live).to.equal(false);
      const again = await req("DELETE", `/v1/credentials/${acmeCredentialId}`, { token: acme });
      expect(again.json.revokedAt).to.equal(r.json.revokedAt);
      expect((await req("GET", "/v1/credentials", { token: acme })).json).to.deep.equal([]);
      expect((await req("GET", "/v1/credentials?includeRevoked=true", { token: acme })).json).to.have.length(1);
    });
  });

  describe("bad input", () => {
    it("names an unknown field, a wrong type and a missing field", async () => {
      const before = h.snapshot();
      const body = h.credentialBody({ color: "red", label: 42 });
      delete body["validUntil"];
      const r = await req("POST", "/v1/credentials", { token: owner, body });
      expect(r.status).to.equal(400);
      expect(r.json.code).to.equal("invalid-input");
      expect(r.json.issues).to.deep.include.members([
        { path: "color", message: "is not a known field" },
        { path: "label", message: "must be string" },
        { path: "validUntil", message: "is required" },
      ]);
      expect(h.snapshot()).to.equal(before);
    });

    it("passes the credential validator's field errors through (unknown door, trivial PIN, schedule)", async () => {
      const r = await req("POST", "/v1/credentials", {
        token: owner,
        body: h.credentialBody({ doors: ["garage"], pin: "1234", schedule: { type: "weekly", timeZone: "UTC", windows: [{ days: ["XX"], start: "9", end: "17:00" }] } }),
      });
      expect(r.status).to.equal(400);
      const paths = r.json.issues.map((i: { path: string }) => i.path);
      expect(paths).to.include("schedule.windows[0].days[0]");
      const domain = await req("POST", "/v1/credentials", { token: owner, body: h.credentialBody({ doors: ["garage"], pin: "1234" }) });
      expect(domain.status).to.equal(400);
      expect(domain.json.issues.map((i: { path: string }) => i.path)).to.include.members(["doors[0]", "pin"]);
      expect(domain.text).not.to.include('"1234"');
    });

    it("answers 400 for malformed JSON without quoting the body", async () => {
      const r = await req("POST", "/v1/doors/front/access", { token: acme, raw: '{"pin":"918273' });
      expect(r.status).to.equal(400);
      expect(r.json.code).to.equal("malformed-json");
      expect(r.text).not.to.include("918273");
    });

    it("answers 413 for a body over the limit and 415 for a body that is not JSON", async () => {
      const big = await req("POST", "/v1/credentials", { token: owner, raw: JSON.stringify({ label: "x".repeat(20_000) }) });
      expect(big.status).to.equal(413);
      expect(big.json.code).to.equal("body-too-large");
      const text = await req("POST", "/v1/credentials", { token: owner, raw: "label=x", headers: { "content-type": "text/plain" } });
      expect(text.status).to.equal(415);
      expect(text.json.code).to.equal("unsupported-media-type");
    });

    it("refuses ids that are not ids (traversal, dots) before any lookup, and unknown query parameters", async () => {
      for (const path of ["/v1/credentials/..%2F..%2Fetc%2Fpasswd", "/v1/visits/a.b/clip", "/v1/credentials/%00"]) {
        const r = await req("GET", path, { token: owner });
        expect(r.status, path).to.equal(400);
        expect(r.json.issues[0].path).to.equal("params.id");
      }
      const q = await req("GET", "/v1/visits?limit=0&sort=asc", { token: owner });
      expect(q.status).to.equal(400);
      expect(q.json.issues.map((i: { path: string }) => i.path)).to.include.members(["query.limit", "query.sort"]);
    });

    it("answers 404 for an unknown route and 405 with Allow for a wrong method", async () => {
      const unknown = await req("GET", "/v1/nothing", { token: owner });
      expect(unknown.status).to.equal(404);
      expect(unknown.json.code).to.equal("not-found");
      const wrong = await req("PUT", "/v1/credentials", { token: owner });
      expect(wrong.status).to.equal(405);
      expect(wrong.headers.get("allow")).to.equal("POST, GET, HEAD");
    });
  });

  describe("remote access, visits and clips", () => {
    let pin: string;
    let visitId: string;

    before(async () => {
      const r = await h.request("POST", "/v1/credentials", { token: acme, body: h.credentialBody({ label: "Acme parcel" }) });
      pin = r.json.pin;
      pins.push(pin);
    });

    it("unlocks for a live code: 200 with the visit and the relock time", async () => {
      const r = await req("POST", "/v1/doors/front/access", { token: acme, body: { pin } });
      expect(r.status).to.equal(200);
      expect(r.json.outcome).to.equal("unlocked");
      expect(r.json.relockAt).to.be.greaterThan(Date.now() + 60_000);
      visitId = r.json.visitId;
    });

    it("denies a second use of the one-time code with 403 uses-exhausted, and a wrong PIN with unknown-credential", async () => {
      const again = await req("POST", "/v1/doors/front/access", { token: acme, body: { pin } });
      expect(again.status).to.equal(403);
      expect(again.json).to.include({ outcome: "denied", reason: "uses-exhausted" });
      expect(again.json.message).to.be.a("string");
      const wrong = await req("POST", "/v1/doors/front/access", { token: acme, body: { pin: "90817263" } });
      expect(wrong.status).to.equal(403);
      expect(wrong.json.reason).to.equal("unknown-credential");
    });

    it("answers 409 leave-outside when the camera is not recording", async () => {
      const c = await h.request("POST", "/v1/credentials", { token: owner, body: h.credentialBody({ doors: ["back"] }) });
      pins.push(c.json.pin);
      h.recorders.get("back")!.recording = false;
      try {
        const r = await req("POST", "/v1/doors/back/access", { token: owner, body: { pin: c.json.pin } });
        expect(r.status).to.equal(409);
        expect(r.json).to.include({ outcome: "leave-outside", reason: "camera-unavailable" });
      } finally {
        h.recorders.get("back")!.recording = true;
      }
    });

    it("answers 404 for an unknown door", async () => {
      const r = await req("POST", "/v1/doors/garage/access", { token: acme, body: { pin: "90817263" } });
      expect(r.status).to.equal(404);
    });

    it("shows a provider its own visits only, and 404 for another provider's", async () => {
      const mine = await req("GET", "/v1/visits", { token: acme });
      expect(mine.json.map((v: { id: string }) => v.id)).to.include(visitId);
      expect((await req("GET", "/v1/visits", { token: zest })).json).to.deep.equal([]);
      expect((await req("GET", `/v1/visits/${visitId}`, { token: zest })).status).to.equal(404);
      expect((await req("POST", `/v1/visits/${visitId}/end`, { token: zest })).status).to.equal(404);
      const open = await req("GET", "/v1/visits?open=true&doorId=front&limit=5", { token: owner });
      expect(open.json.map((v: { id: string }) => v.id)).to.deep.equal([visitId]);
    });

    it("never lets a provider read a clip (403), and answers 404 while none is assembled", async () => {
      const provider = await req("GET", `/v1/visits/${visitId}/clip`, { token: acme });
      expect(provider.status).to.equal(403);
      expect(provider.json.code).to.equal("forbidden");
      expect((await req("GET", `/v1/visits/${visitId}/clip`, { token: owner })).status).to.equal(404);
    });

    it("ends the visit, then streams its clip to the owner (whole, by range, by part)", async () => {
      const ended = await req("POST", `/v1/visits/${visitId}/end`, { token: acme });
      expect(ended.status).to.equal(200);
      expect(ended.json.id).to.equal(visitId);
      const visit = await eventually(
        "the clip",
        async () => {
          const v = await req("GET", `/v1/visits/${visitId}`, { token: owner });
          return v.json.clip.length > 0 ? v.json : undefined;
        },
        { timeoutMs: 5_000, everyMs: 20 },
      );
      expect(visit.state).to.equal("closed");
      expect(visit.clip[0]).to.have.all.keys("durationMs", "firstFrameAt", "lastFrameAt"); // no file path
      const expected = TestRecorder.clipBytes(visitId);
      const whole = await fetch(`${h.url}/v1/visits/${visitId}/clip`, { headers: { authorization: `Bearer ${owner}` } });
      expect(whole.status).to.equal(200);
      expect(whole.headers.get("content-type")).to.equal("video/mp4");
      expect(Buffer.from(await whole.arrayBuffer()).equals(expected)).to.equal(true);
      const ranged = await fetch(`${h.url}/v1/visits/${visitId}/clip?part=0`, { headers: { authorization: `Bearer ${owner}`, range: "bytes=100-199" } });
      expect(ranged.status).to.equal(206);
      expect(ranged.headers.get("content-range")).to.equal(`bytes 100-199/${expected.length}`);
      expect(Buffer.from(await ranged.arrayBuffer()).equals(expected.subarray(100, 200))).to.equal(true);
      const missing = await req("GET", `/v1/visits/${visitId}/clip?part=1`, { token: owner });
      expect(missing.status).to.equal(404);
      expect(missing.json.message).to.include("1 clip part");
    });
  });

  describe("doors and audit", () => {
    it("shows the owner the full door status and a provider only id and name", async () => {
      const full = await req("GET", "/v1/doors", { token: owner });
      expect(full.json[0]).to.include.keys("id", "name", "lock", "door", "camera", "switches");
      expect(full.json[0].switches).to.deep.equal({ inHomeDeliveries: true, petsHome: false });
      const slim = await req("GET", "/v1/doors", { token: zest });
      expect(slim.json).to.deep.equal([
        { id: "front", name: "Front door" },
        { id: "back", name: "Back door" },
      ]);
    });

    it("lets only the owner switch a door, and refuses an empty or unknown patch", async () => {
      const before = h.snapshot();
      const provider = await req("PATCH", "/v1/doors/front", { token: acme, body: { petsHome: true } });
      expect(provider.status).to.equal(403);
      expect((await req("PATCH", "/v1/doors/front", { token: owner, body: {} })).status).to.equal(400);
      expect((await req("PATCH", "/v1/doors/front", { token: owner, body: { petsHome: "yes" } })).status).to.equal(400);
      expect((await req("PATCH", "/v1/doors/garage", { token: owner, body: { petsHome: true } })).status).to.equal(404);
      expect(h.snapshot()).to.equal(before);
      const r = await req("PATCH", "/v1/doors/front", { token: owner, body: { petsHome: true } });
      expect(r.status).to.equal(200);
      expect(r.json.switches).to.deep.equal({ inHomeDeliveries: true, petsHome: true });
      await req("PATCH", "/v1/doors/front", { token: owner, body: { petsHome: false } });
    });

    it("verifies the audit log for the owner only", async () => {
      const r = await req("GET", "/v1/audit/verify", { token: owner });
      expect(r.status).to.equal(200);
      expect(r.json.ok).to.equal(true);
      expect(r.json.entries).to.be.greaterThan(3);
      expect((await req("GET", "/v1/audit/verify", { token: acme })).status).to.equal(403);
    });
  });

  describe("secrets", () => {
    it("puts no PIN or token in any response but the creation one, nor in any log line", () => {
      const secrets = [...pins, owner, acme, zest];
      expect(pins.length).to.be.greaterThan(3);
      for (const { where, text } of seen) for (const s of secrets) expect(text.includes(s), `${where} leaks a secret`).to.equal(false);
      const log = h.logger.text();
      expect(log).to.include("API POST /v1/doors/:doorId/access 200");
      for (const s of secrets) expect(log.includes(s)).to.equal(false);
    });
  });
});
