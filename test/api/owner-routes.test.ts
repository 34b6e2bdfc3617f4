// The console's owner routes through a real bridge (zigbee-herdsman over TCP to the Z-Stack emulator): lock and
// unlock a door, and provider tokens — created once with their secret, listed without it, revoked.
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BridgeRuntime } from "../../src/bridge/bridge-runtime.js";
import { createBridge } from "../../src/bridge/create-bridge.js";
import { UI_CREDENTIAL_FILE, type UiCredential } from "../../src/bridge/ui-credential.js";
import { validateConfig } from "../../src/config/validate-config.js";
import type { Logger } from "../../src/core/logger.js";
import { SIM_NETWORK } from "../../src/sim/simulated-home.js";
import { startZigbeeSim, type ZigbeeSim } from "../../src/sim/zigbee/index.js";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
/** ZCL Door Lock LockState: 1 locked, 2 unlocked. */
const ZCL = { locked: 1, unlocked: 2 };

describe("owner routes: lock/unlock and provider tokens", function () {
  this.timeout(90_000);
  const storageDir = mkdtempSync(join(tmpdir(), "doorstep-owner-"));
  let sim: ZigbeeSim | undefined;
  let bridge: BridgeRuntime | undefined;
  let owner = "";
  let base = "";
  const call = async (method: string, path: string, body?: unknown, token: string | null = owner) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> & unknown[] };
  };

  before(async () => {
    sim = await startZigbeeSim({ locks: [{ id: "front", profile: "yale-assure" }], network: SIM_NETWORK, autoJoin: true });
    const config = validateConfig({
      zigbee: { port: sim.url, channel: SIM_NETWORK.channel, panId: SIM_NETWORK.panID, networkKey: Buffer.from(SIM_NETWORK.networkKey).toString("hex") },
      doors: [{ id: "front", name: "Front door", lock: { ieee: sim.lock("front").ieee } }],
      delivery: { requireRecording: false },
      api: { port: 0 },
    });
    bridge = await createBridge({ config, storageDir, logger: quiet, uiCredential: true, matter: false });
    await bridge.start();
    ({ token: owner, url: base } = JSON.parse(readFileSync(join(storageDir, UI_CREDENTIAL_FILE), "utf8")) as UiCredential);
    const end = Date.now() + 60_000;
    while (!((await call("GET", "/v1/doors")).body as { lock: { available: boolean } }[])[0]!.lock.available) {
      if (Date.now() > end) throw new Error("the lock did not pair within 60 s");
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  after(async () => {
    await bridge?.stop();
    await sim?.stop();
    rmSync(storageDir, { recursive: true, force: true });
  });

  it("unlocks and locks the door; the lock itself changes", async () => {
    const unlocked = await call("POST", "/v1/doors/front/unlock");
    expect(unlocked.status).to.equal(200);
    expect(sim!.lock("front").state().lockState).to.equal(ZCL.unlocked);
    expect((unlocked.body as unknown as { lock: { state: string } }).lock.state).to.equal("unlocked");
    const locked = await call("POST", "/v1/doors/front/lock");
    expect(locked.status).to.equal(200);
    expect(sim!.lock("front").state().lockState).to.equal(ZCL.locked);
    expect((await call("POST", "/v1/doors/nowhere/unlock")).status).to.equal(404);
    expect((await call("POST", "/v1/doors/front/unlock", undefined, null)).status).to.equal(401);
  });

  it("creates a provider token shown once, lists it without the secret, and revokes it", async () => {
    const created = await call("POST", "/v1/tokens", { providerId: "Acme Parcels" });
    expect(created.status).to.equal(201);
    const { id, token } = created.body as unknown as { id: string; token: string };
    expect(token).to.match(/^dst_/);
    // A provider: it sees door ids only, and owner routes refuse it.
    const asProvider = await call("GET", "/v1/doors", undefined, token);
    expect(asProvider.status).to.equal(200);
    expect(Object.keys((asProvider.body as object[])[0]!)).to.deep.equal(["id", "name"]);
    expect((await call("POST", "/v1/doors/front/unlock", undefined, token)).status).to.equal(403);
    expect((await call("GET", "/v1/tokens", undefined, token)).status).to.equal(403);

    const list = await call("GET", "/v1/tokens");
    expect(JSON.stringify(list.body)).to.not.include(token);
    expect(list.body).to.deep.include({ id, kind: "provider", providerId: "Acme Parcels", createdAt: (list.body as { id: string; createdAt: number }[]).find((t) => t.id === id)!.createdAt });

    const revoked = await call("DELETE", `/v1/tokens/${id}`);
    expect(revoked.status).to.equal(200);
    expect(revoked.body.revokedAt).to.be.a("number");
    expect((await call("GET", "/v1/doors", undefined, token)).status).to.equal(401);
    const audit = await call("GET", "/v1/audit/verify");
    expect(audit.body.ok).to.equal(true);
  });

  it("refuses bad input, unknown ids and revoking an owner token, changing nothing", async () => {
    const before = (await call("GET", "/v1/tokens")).body;
    for (const body of [{}, { providerId: "" }, { providerId: " padded " }, { providerId: "x", extra: 1 }]) {
      expect((await call("POST", "/v1/tokens", body)).status, JSON.stringify(body)).to.equal(400);
    }
    expect((await call("DELETE", "/v1/tokens/tok_doesnotexist")).status).to.equal(404);
    const ownerToken = (before as { id: string; kind: string; revokedAt?: number }[]).find((t) => t.kind === "owner" && t.revokedAt === undefined)!;
    expect((await call("DELETE", `/v1/tokens/${ownerToken.id}`)).status).to.equal(409);
    expect((await call("GET", "/v1/tokens")).body).to.deep.equal(before);
  });
});
