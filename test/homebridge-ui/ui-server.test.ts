// homebridge-ui/server.js as the Homebridge UI runs it (a child process spoken to over IPC, with the UI's environment),
// against a real bridge started with the Homebridge plugin's UI credential: the proxy forwards with the owner token
// and never hands it out, refuses paths outside /v1/, follows the credential's rotation, and says clearly when the
// plugin is not running.
import { expect } from "chai";
import { fork, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, statSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import type { BridgeRuntime } from "../../src/bridge/bridge-runtime.js";
import { createBridge } from "../../src/bridge/create-bridge.js";
import { UI_CREDENTIAL_FILE, type UiCredential } from "../../src/bridge/ui-credential.js";
import { validateConfig } from "../../src/config/validate-config.js";
import type { Logger } from "../../src/core/logger.js";
import { terminate } from "../helpers/ready-line.js";
import { useTempDir } from "../helpers/temp-dir.js";
import { PACKAGE_ROOT } from "./hb-ui-harness.js";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

interface UiServer {
  request<T = unknown>(path: string, body?: unknown): Promise<{ success: boolean; data: T }>;
  stop(): Promise<unknown>;
}

/** Forks server.js with the environment the Homebridge UI gives it and waits for its "ready". */
async function startUiServer(hbStorage: string): Promise<UiServer> {
  const child: ChildProcess = fork(join(PACKAGE_ROOT, "homebridge-ui", "server.js"), [], {
    env: { ...process.env, HOMEBRIDGE_STORAGE_PATH: hbStorage, HOMEBRIDGE_CONFIG_PATH: join(hbStorage, "config.json") },
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)));
  let next = 0;
  const pending = new Map<string, (r: { success: boolean; data: unknown }) => void>();
  child.on("message", (m: { action: string; payload: { requestId: string; success: boolean; data: unknown } }) => {
    if (m.action === "response") pending.get(m.payload.requestId)?.(m.payload);
  });
  await new Promise<void>((resolve, reject) => {
    child.on("message", (m: { action: string }) => m.action === "ready" && resolve());
    exited.then((code) => reject(new Error(`server.js exited (${code}) before ready`)), reject);
  });
  return {
    request: <T>(path: string, body?: unknown) =>
      new Promise<{ success: boolean; data: T }>((resolve) => {
        const requestId = `r${next++}`;
        pending.set(requestId, resolve as (r: { success: boolean; data: unknown }) => void);
        child.send({ action: "request", path, body, requestId });
      }),
    stop: () => terminate(child, exited, 5000),
  };
}

type Proxied = { status: number; body: Record<string, unknown> | null };

describe("homebridge-ui/server.js (the Homebridge UI's server for the settings screen)", function () {
  this.timeout(60_000);
  const hb = useTempDir({ prefix: "doorstep-uiserver-", per: "suite" });
  const storageDir = () => hb.join("doorstep");
  const credentialFile = () => join(storageDir(), UI_CREDENTIAL_FILE);
  let bridge: BridgeRuntime | undefined;
  let server: UiServer | undefined;
  const startBridge = async () => {
    bridge = await createBridge({ config: validateConfig({ api: { port: 0 } }), storageDir: storageDir(), logger: quiet, uiCredential: true, matter: false });
    await bridge.start();
  };

  before(async () => {
    mkdirSync(storageDir(), { recursive: true });
    writeFileSync(hb.join("config.json"), JSON.stringify({ bridge: {}, platforms: [{ platform: "Doorstep", name: "Doorstep" }] }));
    await startBridge();
    server = await startUiServer(hb.path);
  });

  after(async () => {
    await server?.stop();
    await bridge?.stop();
  });

  it("the plugin writes its UI credential, readable by its owner only", () => {
    expect(statSync(credentialFile()).mode & 0o777).to.equal(0o600);
    const credential = JSON.parse(readFileSync(credentialFile(), "utf8")) as UiCredential;
    expect(credential.url).to.equal(bridge!.apiUrl);
    expect(credential.token).to.match(/^dst_/);
  });

  it("forwards { method, path, body } with the owner token and answers { status, body }, never the token", async () => {
    const token = (JSON.parse(readFileSync(credentialFile(), "utf8")) as UiCredential).token;
    const audit = await server!.request<Proxied>("/api", { method: "GET", path: "/v1/audit/verify" });
    expect(audit.success).to.equal(true);
    expect(audit.data.status).to.equal(200); // owner only: a provider or no token gets 403/401
    expect(audit.data.body).to.include({ ok: true });
    const health = await server!.request<Proxied>("/api", { method: "GET", path: "/v1/health" });
    expect(health.data.status).to.equal(200);
    const patch = await server!.request<Proxied>("/api", { method: "PATCH", path: "/v1/doors/nowhere", body: { petsHome: true } });
    expect(patch.data.status).to.equal(404);
    for (const answer of [audit, health, patch]) expect(JSON.stringify(answer)).to.not.include(token);
  });

  it("refuses what is not an API path or method, without calling the plugin", async () => {
    for (const path of ["/v1/../console", "/v1/%2e%2e/x", "http://example.com/v1/doors", "//evil/v1/doors", "/metrics", 42]) {
      const answer = await server!.request<Proxied>("/api", { method: "GET", path });
      expect(answer.data.status, String(path)).to.equal(400);
    }
    const answer = await server!.request<Proxied>("/api", { method: "TRACE", path: "/v1/doors" });
    expect(answer.data.status).to.equal(400);
  });

  it("follows the credential across a plugin restart (the old token is revoked) and says clearly when the plugin is not running", async () => {
    const before = JSON.parse(readFileSync(credentialFile(), "utf8")) as UiCredential;
    await bridge!.stop();
    expect(existsSync(credentialFile()), "the credential is removed at stop").to.equal(false);
    const down = await server!.request<Proxied>("/api", { method: "GET", path: "/v1/doors" });
    expect(down.data.status).to.equal(503);
    expect(down.data.body).to.include({ code: "not-running" });
    expect(String(down.data.body!.message)).to.match(/Doorstep is not running/);
    const status = await server!.request<{ running: boolean }>("/status");
    expect(status.data.running).to.equal(false);

    await startBridge();
    const after = JSON.parse(readFileSync(credentialFile(), "utf8")) as UiCredential;
    expect(after.token).to.not.equal(before.token);
    const up = await server!.request<Proxied>("/api", { method: "GET", path: "/v1/audit/verify" });
    expect(up.data.status).to.equal(200);
    // The previous run's token no longer opens anything.
    const stale = await fetch(`${after.url}/v1/audit/verify`, { headers: { authorization: `Bearer ${before.token}` } });
    expect(stale.status).to.equal(401);
  });

  it("answers a clip request for an unknown visit with the API's reason", async () => {
    const answer = await server!.request<{ message: string }>("/clip", { visitId: "00000000-0000-4000-8000-000000000000" });
    expect(answer.success).to.equal(false);
    expect(answer.data.message).to.match(/visit/i);
    const bad = await server!.request<{ message: string }>("/clip", { visitId: "../../etc" });
    expect(bad.success).to.equal(false);
    expect(bad.data.message).to.match(/visitId/);
  });
});
