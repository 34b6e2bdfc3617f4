// Issue 10 item 9, the API part: what the attack found besides the big ones. Forbidden requests are logged with the
// provider's name; labels that display as something else are refused; a 431 and a "__proto__" body get the API's
// error shape.
import { expect } from "chai";
import { connect } from "node:net";
import { ApiHarness } from "./api-harness.js";

/** Sends raw bytes and returns everything the server wrote before closing. */
function rawHttp(url: string, text: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname, () => socket.end(text));
    let out = "";
    socket.setEncoding("utf8");
    socket.on("data", (d: string) => (out += d));
    socket.on("close", () => resolve(out));
    socket.on("error", reject);
  });
}

describe("HTTP API v1: hardening (issue 10 item 9)", function () {
  this.timeout(20_000);
  let h: ApiHarness;
  before(async () => {
    h = await ApiHarness.start();
  });
  after(async () => {
    await h?.stop();
  });

  it("logs a provider's forbidden request with the provider's name, not anonymous", async () => {
    const r = await h.request("PATCH", "/v1/doors/front", { token: h.providerTokens["acme"]!, body: { petsHome: true } });
    expect(r.status).to.equal(403);
    const line = h.logger.lines.map((l) => l.message).find((m) => m.startsWith("API PATCH /v1/doors/:doorId 403"));
    expect(line).to.be.a("string");
    expect(line).to.match(/ provider:acme$/);
  });

  const unsafeLabels: [string, string][] = [
    ["a right-to-left override", "Parcel \u202Eredruoc"],
    ["a first-strong isolate", "Parcel \u2068x\u2069"],
    ["a lone high surrogate", "Parcel \uD800 courier"],
    ["a lone low surrogate", "Parcel \uDC00"],
  ];
  for (const [what, label] of unsafeLabels) {
    it(`refuses a label with ${what}: 400 naming the field, nothing stored`, async () => {
      const before = h.snapshot();
      // JSON.stringify writes lone surrogates as \\u escapes, as an attacker's client would.
      const r = await h.request("POST", "/v1/credentials", { token: h.ownerToken, raw: JSON.stringify(h.credentialBody({ label })) });
      expect(r.status).to.equal(400);
      expect(r.json.code).to.equal("invalid-input");
      expect(r.json.issues.map((i: { path: string }) => i.path)).to.deep.equal(["label"]);
      expect(h.snapshot()).to.equal(before);
    });
  }

  it("still accepts labels in any script, emoji included", async () => {
    const r = await h.request("POST", "/v1/credentials", { token: h.ownerToken, body: h.credentialBody({ label: "Kurier 📦 שליח Доставка" }) });
    expect(r.status).to.equal(201);
  });

  it("answers headers that are too large with 431 in the API's error shape", async () => {
    const response = await rawHttp(h.url, `GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`);
    const [head, body] = response.split("\r\n\r\n");
    expect(head).to.match(/^HTTP\/1\.1 431 /);
    expect(head).to.match(/content-type: application\/json/i);
    expect(JSON.parse(body!)).to.deep.equal({ code: "headers-too-large", message: "The request headers are larger than this API accepts." });
  });

  it("answers a __proto__ or constructor.prototype body with 400 invalid-input naming the key, changing nothing", async () => {
    const before = h.snapshot();
    const cases: [string, string, string][] = [
      ["POST", "/v1/credentials", JSON.stringify(h.credentialBody()).replace(/^\{/, '{"__proto__":{"requireRecording":false},')],
      ["PATCH", "/v1/doors/front", '{"petsHome":false,"constructor":{"prototype":{"x":1}}}'],
      ["POST", "/v1/credentials", JSON.stringify(h.credentialBody({ schedule: { type: "weekly" } })).replace('"type":"weekly"', '"type":"weekly","__proto__":{}')],
    ];
    const paths = ["__proto__", "constructor.prototype", "schedule.__proto__"];
    for (const [i, [method, path, raw]] of cases.entries()) {
      const r = await h.request(method, path, { token: h.ownerToken, raw });
      expect(r.status, raw).to.equal(400);
      expect(r.json).to.deep.include({ code: "invalid-input" });
      expect(r.json.issues).to.deep.equal([{ path: paths[i], message: "is not an accepted key (it would change object prototypes)" }]);
    }
    expect(h.snapshot()).to.equal(before);
    const broken = await h.request("POST", "/v1/credentials", { token: h.ownerToken, raw: '{"label": ' });
    expect(broken.json).to.deep.equal({ code: "malformed-json", message: "The body is not valid JSON." });
  });
});
