// The console's lock and unlock buttons through a real bridge (zigbee-herdsman over TCP to the Z-Stack emulator).
import { expect } from "chai";
import { readFileSync } from "node:fs";
import type { BridgeRuntime } from "../../src/bridge/bridge-runtime.js";
import { createBridge } from "../../src/bridge/create-bridge.js";
import { UI_CREDENTIAL_FILE, type UiCredential } from "../../src/bridge/ui-credential.js";
import { validateConfig } from "../../src/config/validate-config.js";
import type { Logger } from "../../src/core/logger.js";
import { SIM_NETWORK } from "../../src/sim/simulated-home.js";
import { startZigbeeSim, type ZigbeeSim } from "../../src/sim/zigbee/index.js";
import { eventually } from "../helpers/eventually.js";
import { useTempDir } from "../helpers/temp-dir.js";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
/** ZCL Door Lock LockState: 1 locked, 2 unlocked. */
const ZCL = { locked: 1, unlocked: 2 };

describe("POST /v1/doors/:doorId/lock and /unlock (owner only)", function () {
  this.timeout(90_000);
  const storage = useTempDir({ prefix: "doorstep-owner-", per: "suite" });
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
    bridge = await createBridge({ config, storageDir: storage.path, logger: quiet, uiCredential: true, matter: false });
    await bridge.start();
    ({ token: owner, url: base } = JSON.parse(readFileSync(storage.join(UI_CREDENTIAL_FILE), "utf8")) as UiCredential);
    await eventually("the lock to pair", async () => ((await call("GET", "/v1/doors")).body as { lock: { available: boolean } }[])[0]!.lock.available, {
      timeoutMs: 60_000,
      everyMs: 200,
    });
  });

  after(async () => {
    await bridge?.stop();
    await sim?.stop();
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
});
