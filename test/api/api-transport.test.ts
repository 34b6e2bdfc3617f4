import { execFileSync } from "node:child_process";
import { connect } from "node:net";
import { readFile } from "node:fs/promises";
import { request as httpsRequest } from "node:https";
import { expect } from "chai";
import { createApiServer } from "../../src/api/api-server.js";
import { ConfigError } from "../../src/core/errors.js";
import { useTempDir } from "../helpers/temp-dir.js";
import { ApiHarness } from "./api-harness.js";

describe("HTTP API transport", function () {
  this.timeout(30_000);

  describe("wrong-PIN lockout", () => {
    let h: ApiHarness;
    before(async () => (h = await ApiHarness.start({ lockoutAttempts: 3 })));
    after(async () => h?.stop());

    it("answers 429 with Retry-After after too many wrong PINs, even for the right PIN, and audits it", async () => {
      const created = await h.request("POST", "/v1/credentials", { token: h.ownerToken, body: h.credentialBody() });
      const token = h.providerTokens["acme"]!;
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await h.request("POST", "/v1/doors/front/access", { token, body: { pin: `5${i}7391` } })).status);
      expect(statuses).to.deep.equal([403, 403, 403]);
      const locked = await h.request("POST", "/v1/doors/front/access", { token, body: { pin: created.json.pin } });
      expect(locked.status).to.equal(429);
      expect(locked.json).to.include({ outcome: "locked-out", reason: "locked-out" });
      const retryAfter = Number(locked.headers.get("retry-after"));
      expect(retryAfter).to.be.at.least(1).and.at.most(15 * 60);
      expect(locked.json.retryAfterSeconds).to.equal(retryAfter);
      expect(h.store.audit.list({ limit: 1000 }).some((e) => e.type === "access.lockout")).to.equal(true);
      expect(h.store.visits.list({}).length).to.equal(0);
    });
  });

  describe("TLS", () => {
    const dir = useTempDir({ prefix: "doorstep-tls-", per: "suite" });
    before(() => {
      execFileSync("openssl", [
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        "-keyout", dir.join("key.pem"), "-out", dir.join("cert.pem"),
      ], { stdio: "ignore" });
    });

    it("serves HTTPS with the configured certificate", async () => {
      const h = await ApiHarness.start({ server: { tls: { cert: dir.join("cert.pem"), key: dir.join("key.pem") } } });
      try {
        expect(h.url).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
        const ca = await readFile(dir.join("cert.pem"));
        const body = await new Promise<{ status: number; text: string }>((resolve, reject) => {
          const req = httpsRequest(`${h.url}/v1/health`, { ca, agent: false }, (res) => {
            let text = "";
            res.on("data", (c) => (text += c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
          });
          req.on("error", reject);
          req.end();
        });
        expect(body.status).to.equal(200);
        expect(JSON.parse(body.text)).to.have.property("ok");
      } finally {
        await h.stop();
      }
    });

    it("refuses to start when a TLS file cannot be read, naming the setting and not the contents", async () => {
      const server = createApiServer({
        delivery: undefined as never, // never reached: start fails reading the files
        verifyToken: () => undefined,
        verifyAudit: () => ({ ok: true, entries: 0 }),
        logger: { debug() {}, info() {}, warn() {}, error() {} },
        host: "127.0.0.1",
        port: 0,
        tls: { cert: dir.join("cert.pem"), key: dir.join("missing-key.pem") },
      });
      const error = await server.start().then(
        () => undefined,
        (e: unknown) => e,
      );
      await server.stop();
      expect(error).to.be.instanceOf(ConfigError);
      expect((error as Error).message).to.include("api.tls.key").and.include("missing-key.pem");
    });
  });

  describe("unexpected failures", () => {
    it("answers a generic 500 and logs the cause once, without a stack", async () => {
      const h = await ApiHarness.start({
        server: {
          verifyAudit: () => {
            throw new TypeError("cannot read properties of undefined (reading 'seq')");
          },
        },
      });
      try {
        const r = await h.request("GET", "/v1/audit/verify", { token: h.ownerToken });
        expect(r.status).to.equal(500);
        expect(r.json).to.deep.equal({ code: "internal", message: "Something went wrong inside the bridge; the details are in its log." });
        const errors = h.logger.lines.filter((l) => l.level === "error").map((l) => l.message);
        expect(errors).to.deep.equal(["API GET /v1/audit/verify: cannot read properties of undefined (reading 'seq')"]);
        expect(h.logger.text()).not.to.include("    at ");
        expect((await h.request("GET", "/v1/health")).status).to.equal(200);
      } finally {
        await h.stop();
      }
    });
  });

  describe("listening", () => {
    it("says which address is taken when the port is in use, and stop() is safe twice", async () => {
      const h = await ApiHarness.start();
      try {
        const port = Number(new URL(h.url).port);
        const second = createApiServer({
          delivery: h.delivery,
          verifyToken: () => undefined,
          verifyAudit: () => ({ ok: true, entries: 0 }),
          logger: h.logger,
          host: "127.0.0.1",
          port,
        });
        const error = await second.start().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).to.be.instanceOf(ConfigError);
        expect((error as Error).message).to.include(`127.0.0.1:${port}`);
        await second.stop();
        await second.stop();
      } finally {
        await h.stop();
      }
    });

    it("closes a connection that sends half a request and then goes quiet", async () => {
      const h = await ApiHarness.start({ server: { timeouts: { idleMs: 300 } } });
      try {
        const url = new URL(h.url);
        const socket = connect(Number(url.port), url.hostname);
        socket.on("data", () => {});
        socket.write("GET /v1/health HTTP/1.1\r\nHost: x\r\n"); // the headers never end
        const closedAfter = await new Promise<number>((resolve, reject) => {
          const started = Date.now();
          const guard = setTimeout(() => reject(new Error("the server kept the silent connection open")), 10_000);
          socket.on("close", () => {
            clearTimeout(guard);
            resolve(Date.now() - started);
          });
          socket.on("error", () => {});
        });
        expect(closedAfter).to.be.below(10_000);
        expect((await h.request("GET", "/v1/health")).status).to.equal(200);
      } finally {
        await h.stop();
      }
    });
  });
});
