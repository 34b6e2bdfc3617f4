// API fuzz: thousands of generated malformed or hostile requests, schema-aware (each starts from a valid request and
// breaks one thing), sent over real HTTP to the real server. None may answer 5xx, each gets the 4xx its fault calls for,
// the store is byte-for-byte unchanged afterwards (credentials, usage, visits, switches, audit head, tokens), and the
// server still serves. Requests that could legitimately change something (a valid creation, a schema-valid PIN) are not
// generated: every request here must be refused.
import { Agent, request as httpRequest } from "node:http";
import { expect } from "chai";
import fc from "fast-check";
import { eventually } from "../helpers/eventually.js";
import { ApiHarness } from "./api-harness.js";

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

const CREDENTIAL_FIELDS = ["label", "kind", "doors", "pin", "validFrom", "validUntil", "schedule", "maxUses", "expiresAfterFirstUseMinutes", "mode", "allowWhenPetsHome", "requireRecording"];
const STRING_FIELDS = ["label", "kind", "pin", "mode"];
const INSTANT_FIELDS = ["validFrom", "validUntil"];
const INTEGER_FIELDS = ["maxUses", "expiresAfterFirstUseMinutes"];
const BOOLEAN_FIELDS = ["allowWhenPetsHome", "requireRecording"];
const REQUIRED = ["label", "kind", "doors", "validUntil"];
const BODY_LIMIT = 16 * 1024;

const printable = fc.string({ unit: "grapheme-ascii", maxLength: 80 }).filter((s) => /^[\x20-\x7e]*$/.test(s));
const anyText = fc.oneof(fc.string({ unit: "grapheme", maxLength: 60 }), fc.string({ unit: "binary", maxLength: 60 }), printable);
const nonInteger = fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d));
const notString = fc.oneof(fc.integer(), nonInteger, fc.boolean(), fc.constant(null), fc.array(anyText, { maxLength: 3 }), fc.dictionary(printable, anyText, { maxKeys: 3 }));
const notBoolean = fc.oneof(fc.integer(), anyText, fc.constant(null), fc.array(fc.boolean(), { maxLength: 2 }), fc.constant({}));
const notInteger = fc.oneof(nonInteger, anyText, fc.boolean(), fc.constant(null), fc.constant([1]), fc.constant({ n: 1 }));
/** Neither an ISO string (a string is refused by the validator unless it is a real instant with an offset) nor whole epoch ms. */
const notInstant = fc.oneof(
  nonInteger,
  fc.boolean(),
  fc.constant(null),
  fc.constant([Date.now()]),
  fc.constant({}),
  fc.integer({ min: -99_999_999, max: 99_999_999 }),
  anyText.filter((s) => Number.isNaN(Date.parse(s))),
);
/** Nested arrays/objects `depth` deep. */
const deep = fc.tuple(fc.integer({ min: 20, max: 4000 }), fc.boolean()).map(([depth, arrays]) => {
  let value: unknown = "x";
  for (let i = 0; i < depth; i++) value = arrays ? [value] : { a: value };
  return value;
});
const hostileId = fc.oneof(
  fc.constantFrom("..", "../..", "..%2F..%2Fetc%2Fpasswd", "%2e%2e", "a.b", "%00", "%ff%fe", "%zz", "cred_%0a", "x%2Fy", "~root", "*", "%20"),
  anyText.map(encodeURIComponent).filter((s) => s.length > 0),
  fc.string({ unit: "grapheme-ascii", minLength: 65, maxLength: 300 }).map(encodeURIComponent),
  fc.uuid().map((u) => `cred_${u}`),
  fc.uuid(),
);

describe("HTTP API fuzz", function () {
  this.timeout(120_000);
  let h: ApiHarness;
  let agent: Agent;
  let baseline: string;
  let requests = 0;
  const statuses = new Map<number, number>();
  const ids = { owner: "", acme: "", zest: "", acmeVisit: "" };
  let tokens: { owner: string; acme: string; zest: string };
  let revokedToken = "";

  function send(method: string, path: string, options: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const url = new URL(h.url);
      const req = httpRequest({ host: url.hostname, port: url.port, method, path, agent, headers: options.headers ?? {} }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          requests++;
          const status = res.statusCode ?? 0;
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          resolve({ status, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") });
        });
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(options.body);
    });
  }

  function json(method: string, path: string, token: string | undefined, body: unknown): Promise<RawResponse> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (token !== undefined) headers["authorization"] = `Bearer ${token}`;
    return send(method, path, { headers, body: typeof body === "string" ? body : JSON.stringify(body) });
  }

  /** No 5xx, and the status is one of `allowed`. */
  function check(r: RawResponse, allowed: number[], what: string): void {
    if (r.status >= 500 || !allowed.includes(r.status)) {
      throw new Error(`${what}: status ${r.status} (expected ${allowed.join("/")}): ${r.text.slice(0, 300)}`);
    }
  }

  /** A path with a broken percent-escape is refused (400) before routing, auth or anything else. */
  const malformed = (path: string): boolean => {
    try {
      decodeURIComponent(path);
      return false;
    } catch {
      return true;
    }
  };

  const anyToken = () => fc.constantFrom(tokens.owner, tokens.acme, tokens.zest);

  before(async () => {
    h = await ApiHarness.start();
    agent = new Agent({ keepAlive: true, maxSockets: 4 });
    tokens = { owner: h.ownerToken, acme: h.providerTokens["acme"]!, zest: h.providerTokens["zest"]! };
    // Some state to protect: a credential of each party, and a visit of acme's.
    const o = await h.request("POST", "/v1/credentials", { token: tokens.owner, body: h.credentialBody({ kind: "cleaning", maxUses: 5 }) });
    const a = await h.request("POST", "/v1/credentials", { token: tokens.acme, body: h.credentialBody() });
    const z = await h.request("POST", "/v1/credentials", { token: tokens.zest, body: h.credentialBody({ doors: ["back"] }) });
    const v = await h.request("POST", "/v1/doors/front/access", { token: tokens.acme, body: { pin: a.json.pin } });
    expect([o.status, a.status, z.status, v.status]).to.deep.equal([201, 201, 201, 200]);
    Object.assign(ids, { owner: o.json.id, acme: a.json.id, zest: z.json.id, acmeVisit: v.json.visitId });
    await h.request("POST", `/v1/visits/${ids.acmeVisit}/end`, { token: tokens.owner });
    // Let the visit close (post-roll 0), so nothing moves on its own while the fuzz runs.
    await eventually("the visit to close", () => h.store.visits.list({ open: true }).length === 0, { timeoutMs: 5_000 });
    const revoked = h.store.tokens.create({ kind: "owner" });
    h.store.tokens.revoke(revoked.id);
    revokedToken = revoked.token;
    baseline = h.snapshot();
  });

  after(async () => {
    agent?.destroy();
    await h?.stop();
  });

  it("refuses broken credential bodies with 400 (or 413), whatever is broken", async () => {
    const mutation = fc.oneof(
      fc.tuple(fc.constantFrom(...STRING_FIELDS), notString).map(([f, v]) => (b: Record<string, unknown>) => void (b[f] = v)),
      fc.tuple(fc.constantFrom(...INSTANT_FIELDS), notInstant).map(([f, v]) => (b: Record<string, unknown>) => void (b[f] = v)),
      fc.tuple(fc.constantFrom(...INTEGER_FIELDS), fc.oneof(notInteger, fc.integer({ max: 0 }))).map(([f, v]) => (b: Record<string, unknown>) => void (b[f] = v)),
      fc.tuple(fc.constantFrom(...BOOLEAN_FIELDS), notBoolean).map(([f, v]) => (b: Record<string, unknown>) => void (b[f] = v)),
      fc.oneof(notString.filter((v) => !Array.isArray(v)), fc.constant([]), fc.array(anyText.filter((s) => s !== "front" && s !== "back"), { minLength: 1, maxLength: 3 })).map((v) => (b: Record<string, unknown>) => void (b["doors"] = v)),
      fc.tuple(printable.filter((k) => !CREDENTIAL_FIELDS.includes(k) && k !== "__proto__"), fc.jsonValue()).map(([k, v]) => (b: Record<string, unknown>) => void (b[k] = v)),
      fc.constantFrom(...REQUIRED).map((f) => (b: Record<string, unknown>) => void delete b[f]),
      fc.string({ unit: "grapheme", minLength: 201, maxLength: 3000 }).map((s) => (b: Record<string, unknown>) => void (b["label"] = s)),
      fc.constantFrom("", "   ", "bell\u0007", "line\nbreak", "x".repeat(81)).map((s) => (b: Record<string, unknown>) => void (b["label"] = s)),
      fc.constantFrom("1111", "1234", "0000", "12", "123456789012", "12a4", "１２３４", "", "+1234", " 4829 ").map((s) => (b: Record<string, unknown>) => void (b["pin"] = s)),
      fc.constantFrom(
        { validUntil: Date.now() - 1000 },
        { validFrom: Date.now() + 86_400_000, validUntil: Date.now() + 3_600_000 },
        { validUntil: Date.now() + 400 * 86_400_000 },
        { validUntil: "2026-13-01T00:00:00Z" },
        { validUntil: "2099-02-30T00:00:00Z" },
        { validFrom: "yesterday" },
      ).map((patch) => (b: Record<string, unknown>) => void Object.assign(b, patch)),
      fc.oneof(
        notString,
        fc.constant({ type: "monthly", timeZone: "UTC" }),
        fc.constant({ type: "weekly", timeZone: "Mars/Olympus", windows: [{ days: ["MO"], start: "09:00", end: "17:00" }] }),
        fc.constant({ type: "weekly", timeZone: "UTC", windows: [{ days: ["MO", "MO"], start: "25:00", end: "17:00" }] }),
        fc.constant({ type: "rrule", timeZone: "UTC", dtstart: "2026-11-26T09:00", rrule: "FREQ=SECONDLY", durationMinutes: 0 }),
        fc.constant({ type: "rrule", timeZone: "UTC", dtstart: "2026-11-26T09:00", rrule: "FREQ=WEEKLY", durationMinutes: 30, extra: 1 }),
        deep,
      ).map((v) => (b: Record<string, unknown>) => void (b["schedule"] = v)),
      deep.map((v) => (b: Record<string, unknown>) => void (b[`nest${typeof v}`] = v)),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), anyToken(), async (mutations, token) => {
        const body = h.credentialBody();
        for (const m of mutations) m(body);
        const text = JSON.stringify(body);
        const r = await json("POST", "/v1/credentials", token, text);
        check(r, Buffer.byteLength(text) > BODY_LIMIT ? [413] : [400], `POST /v1/credentials ${text.slice(0, 200)}`);
      }),
      { numRuns: 1500 },
    );
  });

  it("refuses malformed JSON, duplicate keys with a bad last value, wrong content types and oversized bodies", async () => {
    const valid = () => JSON.stringify(h.credentialBody());
    const raw = fc.oneof(
      fc.integer({ min: 1, max: 200 }).map((cut) => {
        const full = valid();
        return { body: full.slice(0, Math.min(cut, full.length - 1)), type: "application/json" };
      }),
      anyText.filter((s) => { try { JSON.parse(s); return false; } catch { return true; } }).map((body) => ({ body, type: "application/json" })),
      fc.constantFrom("[]", "null", "0", '"x"', "true", '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}').map((body) => ({ body, type: "application/json" })),
      fc.constantFrom(
        '"label":1}', "{'label':'x'}", '{"label":"a",}', "{\"label\":\"\\ud800\"", "\ufeff{}", '{"label":"x"}{"label":"y"}',
      ).map((body) => ({ body, type: "application/json" })),
      notInteger.map((bad) => ({ body: valid().replace(/^\{/, `{"maxUses":2,"maxUses":${JSON.stringify(bad)},`), type: "application/json" })),
      fc.constantFrom("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "application/octet-stream", "application/jsonx", "json", "image/png")
        .map((type) => ({ body: valid(), type })),
      fc.integer({ min: BODY_LIMIT + 1, max: BODY_LIMIT * 4 }).map((n) => ({ body: `{"label":"${"a".repeat(n)}"}`, type: "application/json" })),
    );
    await fc.assert(
      fc.asyncProperty(raw, anyToken(), fc.constantFrom("/v1/credentials", "/v1/doors/front/access", "/v1/doors/back"), async ({ body, type }, token, path) => {
        const method = path === "/v1/doors/back" ? "PATCH" : "POST";
        const r = await send(method, path, { headers: { authorization: `Bearer ${token}`, "content-type": type }, body });
        // PATCH is owner-only: a provider is refused before the body is read.
        const allowed = method === "PATCH" && token !== tokens.owner ? [403] : [400, 413, 415];
        check(r, allowed, `${method} ${path} [${type}] ${body.slice(0, 120)}`);
        if (r.status === 400 || r.status === 413 || r.status === 415) expect(JSON.parse(r.text)).to.have.property("code");
      }),
      { numRuns: 800 },
    );
  });

  it("refuses redemptions with a malformed PIN, path or body, and bad tokens, without counting them", async () => {
    const badPin = fc.oneof(
      notString,
      fc.constantFrom("", "123", "1234567890123", "12 34", "١٢٣٤", "1234\n", "0x1234", "-1234", "1e10"),
      fc.string({ unit: "grapheme", maxLength: 40 }).filter((s) => !/^[0-9]{4,12}$/.test(s)),
    );
    const body = fc.oneof(
      badPin.map((pin) => ({ pin })),
      fc.constant({}),
      fc.tuple(printable.filter((k) => k !== "pin" && k !== "__proto__"), fc.jsonValue()).map(([k, v]) => ({ pin: "482913", [k]: v })),
      fc.jsonValue().filter((v) => typeof v !== "object" || v === null || Array.isArray(v)),
    );
    const door = fc.oneof(fc.constantFrom("front", "back", "garage"), hostileId);
    await fc.assert(
      fc.asyncProperty(body, door, anyToken(), async (b, d, token) => {
        const r = await json("POST", `/v1/doors/${d}/access`, token, b);
        check(r, malformed(d) ? [400] : [400, 404, 414], `POST /v1/doors/${d}/access ${JSON.stringify(b).slice(0, 120)}`);
      }),
      { numRuns: 900 },
    );
  });

  it("answers 401 to every protected route for absent, malformed, mutated or revoked tokens", async () => {
    const header = fc.oneof(
      fc.constant(undefined),
      printable,
      printable.map((s) => `Bearer ${s}`),
      anyToken().chain((t) => fc.integer({ min: 0, max: t.length - 1 }).map((i) => `Bearer ${t.slice(0, i)}${t[i] === "A" ? "B" : "A"}${t.slice(i + 1)}`)),
      anyToken().map((t) => `Basic ${t}`),
      anyToken().map((t) => `Bearer ${t}${t}`),
      fc.constant(`Bearer ${revokedToken}`),
      fc.integer({ min: 513, max: 6000 }).map((n) => `Bearer ${"a".repeat(n)}`),
    );
    const routes: [string, string][] = [
      ["GET", "/v1/credentials"], ["POST", "/v1/credentials"], ["GET", `/v1/credentials/${ids.owner}`], ["DELETE", `/v1/credentials/${ids.acme}`],
      ["POST", "/v1/doors/front/access"], ["POST", `/v1/visits/${ids.acmeVisit}/end`], ["GET", "/v1/visits"], ["GET", `/v1/visits/${ids.acmeVisit}`],
      ["GET", `/v1/visits/${ids.acmeVisit}/clip`], ["GET", "/v1/doors"], ["PATCH", "/v1/doors/front"], ["GET", "/v1/audit/verify"], ["GET", "/v1/health"],
    ];
    await fc.assert(
      fc.asyncProperty(header, fc.constantFrom(...routes), async (auth, [method, path]) => {
        const headers: Record<string, string> = {};
        if (auth !== undefined) headers["authorization"] = auth;
        const hasBody = method === "POST" || method === "PATCH";
        if (hasBody) headers["content-type"] = "application/json";
        const r = await send(method, path, { headers, ...(hasBody ? { body: JSON.stringify(path.endsWith("access") ? { pin: "482913" } : h.credentialBody()) } : {}) });
        if (path === "/v1/health" && auth === undefined) check(r, [200], "anonymous health");
        else {
          check(r, [401], `${method} ${path} with ${String(auth).slice(0, 60)}`);
          expect(r.headers["www-authenticate"]).to.match(/^Bearer realm="doorstep"/);
          for (const t of Object.values(tokens)) expect(r.text.includes(t)).to.equal(false);
        }
      }),
      { numRuns: 800 },
    );
  });

  it("keeps providers to their own records: other ids are 404, clips and owner routes 403, hostile ids 400/404", async () => {
    const probe = fc.oneof(
      // another party's credential, read or revoke
      fc.constantFrom<[string, string, string, number[]]>(
        ["GET", `/v1/credentials/${ids.zest}`, "acme", [404]], ["DELETE", `/v1/credentials/${ids.zest}`, "acme", [404]],
        ["GET", `/v1/credentials/${ids.owner}`, "acme", [404]], ["DELETE", `/v1/credentials/${ids.owner}`, "zest", [404]],
        ["GET", `/v1/credentials/${ids.acme}`, "zest", [404]], ["DELETE", `/v1/credentials/${ids.acme}`, "zest", [404]],
        ["GET", `/v1/visits/${ids.acmeVisit}`, "zest", [404]], ["POST", `/v1/visits/${ids.acmeVisit}/end`, "zest", [404]],
        ["GET", `/v1/visits/${ids.acmeVisit}/clip`, "acme", [403]], ["GET", `/v1/visits/${ids.acmeVisit}/clip`, "zest", [403]],
        ["GET", "/v1/audit/verify", "acme", [403]], ["PATCH", "/v1/doors/front", "zest", [403]],
      ),
      // hostile or unknown ids, any token
      fc.tuple(
        fc.constantFrom("GET /v1/credentials/", "DELETE /v1/credentials/", "GET /v1/visits/", "POST /v1/visits/:/end", "GET /v1/visits/:/clip", "PATCH /v1/doors/"),
        hostileId,
        fc.constantFrom("owner", "acme", "zest"),
      ).map(([route, id, who]): [string, string, string, number[]] => {
        const [method, template] = route.split(" ") as [string, string];
        const path = template.includes(":") ? template.replace(":", id) : `${template}${id}`;
        const ownerOnly = route.includes("clip") || route.startsWith("PATCH");
        // An id with a raw "/" ("../..") makes another path: no route at all.
        if (id.includes("/")) return [method, path, who, [404, 405]];
        return [method, path, who, ownerOnly && who !== "owner" ? [403] : [400, 404, 405]];
      }),
    );
    await fc.assert(
      fc.asyncProperty(probe, async ([method, path, who, allowed]) => {
        const token = tokens[who as keyof typeof tokens];
        const headers: Record<string, string> = { authorization: `Bearer ${token}` };
        let body: string | undefined;
        if (method === "PATCH") {
          headers["content-type"] = "application/json";
          body = JSON.stringify(who === "owner" ? { petsHome: "maybe" } : { petsHome: true });
        }
        const r = await send(method, path, { headers, ...(body !== undefined ? { body } : {}) });
        const expected = malformed(path) ? [400] : method === "PATCH" && who === "owner" && allowed.includes(400) ? [400, 404, 405] : allowed;
        check(r, expected, `${who} ${method} ${path}`);
      }),
      { numRuns: 700 },
    );
  });

  it("refuses wrong methods, odd paths and bad queries without a 5xx", async () => {
    const methods = fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE", "PROPFIND");
    const path = fc.oneof(
      fc.constantFrom("/v1/credentials", "/v1/visits", "/v1/doors", "/v1/health", "/v1/audit/verify", "/v1/doors/front", "/v1/doors/front/access"),
      fc.constantFrom("/", "//", "/v1", "/v1/", "/v1//credentials", "/v1/./credentials", "/v1/../v1/credentials", "/v2/credentials", "/V1/CREDENTIALS", "/v1/credentials/", "/%2e%2e/etc/passwd", "/v1/%ZZ", "/v1/credentials%00"),
      hostileId.map((id) => `/v1/${id}`),
      fc.string({ unit: "grapheme-ascii", minLength: 1000, maxLength: 3000 }).map((s) => `/v1/credentials/${encodeURIComponent(s)}`),
    );
    const query = fc.oneof(
      fc.constant(""),
      fc.dictionary(printable, printable, { maxKeys: 4 }).map((d) => `?${new URLSearchParams(d).toString()}`),
      fc.constantFrom("?limit=0", "?limit=1001", "?limit=abc", "?limit=1&limit=2", "?open=maybe", "?before=-5", "?before=1e99", "?doorId=../x", "?part=-1", "?includeRevoked=yes", "?%zz=1", "?a[b]=c", "?__proto__=x"),
    );
    // Mutating combinations are sent without a body, so any that reach a handler are refused by validation.
    await fc.assert(
      fc.asyncProperty(methods, path, query, anyToken(), async (method, p, q, token) => {
        const r = await send(method, `${p}${q}`, { headers: { authorization: `Bearer ${token}` } });
        const mutatingWithoutBody = (method === "POST" || method === "PATCH") && !p.endsWith("/end");
        if (method !== "GET" && method !== "HEAD" && !mutatingWithoutBody && r.status < 300) {
          throw new Error(`${method} ${p}${q}: ${r.status} — a request without a body was accepted`);
        }
        check(r, [200, 400, 401, 403, 404, 405, 414], `${method} ${p}${q}`);
      }),
      { numRuns: 900 },
    );
  });

  it("sent at least 5,000 requests, answered none with a 5xx, logged no error, and left the store unchanged", async () => {
    expect(requests).to.be.at.least(5_000);
    for (const status of statuses.keys()) expect(status).to.be.below(500);
    expect(h.logger.lines.filter((l) => l.level === "error")).to.deep.equal([]);
    expect(h.snapshot()).to.equal(baseline);
  });

  it("still serves valid requests afterwards", async () => {
    expect((await h.request("GET", `/v1/credentials/${ids.acme}`, { token: tokens.acme })).status).to.equal(200);
    const created = await h.request("POST", "/v1/credentials", { token: tokens.owner, body: h.credentialBody({ doors: ["back"] }) });
    expect(created.status).to.equal(201);
    // No wrong PIN was counted against this address: the door still opens for a good code.
    const opened = await h.request("POST", "/v1/doors/back/access", { token: tokens.owner, body: { pin: created.json.pin } });
    expect(opened.json.outcome).to.equal("unlocked");
    const audit = await h.request("GET", "/v1/audit/verify", { token: tokens.owner });
    expect(audit.json.ok).to.equal(true);
  });
});
