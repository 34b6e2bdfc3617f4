// Pairing a lock from the console: POST /v1/zigbee/permit-join opens joining on the real coordinator (zigbee-herdsman
// over TCP to our Z-Stack emulator); the simulated lock joins only then, is interviewed, and shows in GET and as
// `pairing` events. Owner only; bad input is refused with nothing changed.
import { expect } from "chai";
import { readFileSync } from "node:fs";
import type { PairingEvent, PairingState } from "../../src/api/setup-port.js";
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

describe("POST /v1/zigbee/permit-join (pair a lock from the console)", function () {
  this.timeout(90_000);
  const storage = useTempDir({ prefix: "doorstep-pairing-", per: "suite" });
  let sim: ZigbeeSim | undefined;
  let bridge: BridgeRuntime | undefined;
  let api: (method: string, path: string, body?: unknown, token?: string | null) => Promise<{ status: number; body: unknown }>;
  const events: PairingEvent[] = [];

  before(async () => {
    // The lock joins by itself as soon as joining is open, as a lock in pairing mode does.
    sim = await startZigbeeSim({ locks: [{ id: "front", profile: "yale-assure" }], network: SIM_NETWORK, autoJoin: true });
    const config = validateConfig({
      zigbee: { port: sim.url, channel: SIM_NETWORK.channel, panId: SIM_NETWORK.panID, networkKey: Buffer.from(SIM_NETWORK.networkKey).toString("hex") },
      doors: [{ id: "front", name: "Front door", lock: { ieee: sim.lock("front").ieee } }],
      api: { port: 0 },
    });
    // No joining window at start: only the console opens it here.
    bridge = await createBridge({ config, storageDir: storage.path, logger: quiet, uiCredential: true, matter: false, pairingWindowSeconds: 0 });
    await bridge.start();
    bridge.setup.onPairing((e) => events.push(e));
    const credential = JSON.parse(readFileSync(storage.join(UI_CREDENTIAL_FILE), "utf8")) as UiCredential;
    api = async (method, path, body, token = credential.token) => {
      const response = await fetch(`${credential.url}${path}`, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: response.status, body: await response.json() };
    };
  });

  after(async () => {
    await bridge?.stop();
    await sim?.stop();
  });

  it("starts closed, with nothing arrived", async () => {
    const state = await api("GET", "/v1/zigbee/permit-join");
    expect(state.status).to.equal(200);
    expect(state.body).to.deep.equal({ open: false, arrivals: [] });
    const doors = (await api("GET", "/v1/doors")).body as { id: string; lock: { available: boolean } }[];
    expect(doors.find((d) => d.id === "front")!.lock.available, "not paired yet").to.equal(false);
  });

  it("refuses bad input and callers without the owner token, changing nothing", async () => {
    for (const body of [{ seconds: 255 }, { seconds: -1 }, { seconds: "60" }, {}, { seconds: 10, extra: 1 }]) {
      expect((await api("POST", "/v1/zigbee/permit-join", body)).status, JSON.stringify(body)).to.equal(400);
    }
    expect((await api("POST", "/v1/zigbee/permit-join", { seconds: 60 }, null)).status).to.equal(401);
    expect(((await api("GET", "/v1/zigbee/permit-join")).body as PairingState).open).to.equal(false);
  });

  it("opens joining; the lock arrives, is interviewed and attached to its door; 0 closes joining", async () => {
    // The console's live stream, opened before joining is: it must carry the same pairing events.
    const credential = JSON.parse(readFileSync(storage.join(UI_CREDENTIAL_FILE), "utf8")) as UiCredential;
    const stream = new AbortController();
    let streamed = "";
    const response = await fetch(`${credential.url}/v1/events`, { headers: { authorization: `Bearer ${credential.token}` }, signal: stream.signal });
    const reading = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of response.body! as AsyncIterable<Uint8Array>) streamed += decoder.decode(chunk, { stream: true });
    })().catch(() => undefined);
    const opened = await api("POST", "/v1/zigbee/permit-join", { seconds: 120 });
    expect(opened.status).to.equal(200);
    const state = opened.body as PairingState;
    expect(state.open).to.equal(true);
    expect(state.until).to.be.a("number").greaterThan(Date.now() + 100_000);
    expect(state.seconds).to.be.within(100, 120);

    const ieee = sim!.lock("front").ieee.toLowerCase();
    const arrived = await eventually(
      "the lock to be interviewed",
      async () => {
        const now = (await api("GET", "/v1/zigbee/permit-join")).body as PairingState;
        return now.arrivals.some((a) => a.ieee === ieee && a.status === "interviewed") && now;
      },
      { timeoutMs: 60_000, everyMs: 200 },
    );
    expect(arrived.arrivals[0]).to.include({ ieee, status: "interviewed", doorId: "front", supported: true });
    expect(arrived.arrivals[0]!.model).to.be.a("string").and.not.equal("");
    // Live updates for the console: the same, as pairing events, joined first.
    const statuses = events.flatMap((e) => (e.data.arrival?.ieee === ieee ? [e.data.arrival.status] : []));
    expect(statuses).to.include("interviewed");
    expect(events.some((e) => e.type === "pairing" && e.data.open)).to.equal(true);
    const paired = events.find((e) => e.data.arrival?.status === "interviewed")!;
    expect(paired.data.ieee).to.equal(ieee);
    expect(paired.data.message).to.include(ieee).and.include("is paired");
    // The door's lock now answers (it was unpaired at start); the bridge attaches it just after the interview ends.
    await eventually("the front door's lock to answer", async () => {
      const doors = (await api("GET", "/v1/doors")).body as { id: string; lock: { available: boolean } }[];
      return doors.find((d) => d.id === "front")!.lock.available;
    });

    const closed = await api("POST", "/v1/zigbee/permit-join", { seconds: 0 });
    expect(closed.body).to.include({ open: false });
    stream.abort();
    await reading;
    const pairingEvents = streamed.split("\n\n").filter((block) => block.startsWith("event: pairing\n"));
    expect(pairingEvents.some((block) => block.includes(`"ieee":"${ieee}"`) && block.includes("is paired")), streamed).to.equal(true);
  });
});
