// `doorstep sim --zigbee2mqtt` (emulator + real Mosquitto + real Zigbee2MQTT, locks paired) and `doorstep serve` with
// the config it writes: a door whose lock is reached only through Zigbee2MQTT, driven through the HTTP API.
import { expect } from "chai";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { findZigbee2mqtt } from "../../src/sim/zigbee2mqtt/zigbee2mqtt-process.js";
import { eventually } from "../helpers/eventually.js";
import { processesMatching, startDoorstep, type RunningDoorstep } from "../helpers/ready-line.js";
import { makeTempDir, removeTempDir } from "../helpers/temp-dir.js";
import { call, isoIn, simLock, startServe, type DoorView, type ServeReady, type SimReady } from "../e2e/e2e-harness.js";

type Z2mSimReady = SimReady & { mqtt: string; zigbee2mqtt: { version: string; baseTopic: string } };

describe("doorstep sim --zigbee2mqtt, and doorstep serve with a door on it", function () {
  this.timeout(180_000);
  let dir: string;
  let sim: RunningDoorstep<Z2mSimReady> | undefined;
  let bridge: RunningDoorstep<ServeReady> | undefined;

  before(async () => {
    dir = makeTempDir("doorstep-sim-z2m-"); // the prefix also finds the sim's Mosquitto in `after`
    sim = await startDoorstep<Z2mSimReady>(["sim", "--zigbee2mqtt", "--no-cameras", "--write-config", join(dir, "sim.json")], "DOORSTEP SIM READY", { timeoutMs: 150_000 });
  });

  after(async () => {
    await bridge?.stop();
    const code = await sim?.stop();
    // This checkout's Zigbee2MQTT (other worktrees may run theirs) and the sim's Mosquitto (its config is in the sim's temp dir).
    const leftovers = [...(await processesMatching(findZigbee2mqtt().entry)), ...(await processesMatching("doorstep-sim-z2m-"))];
    removeTempDir(dir);
    expect(code).to.equal(0);
    expect(leftovers, "Zigbee2MQTT or Mosquitto left running").to.deep.equal([]);
  });

  it("prints the broker and Zigbee2MQTT, and writes a config whose lock is on Zigbee2MQTT (no own coordinator)", async () => {
    expect(sim!.ready.mqtt).to.match(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    expect(sim!.ready.zigbee2mqtt).to.deep.equal({ version: "2.14.1", baseTopic: "zigbee2mqtt" });
    expect(sim!.stderr()).to.contain('A door on it in doorstep.json: "lock": {"driver":"zigbee2mqtt"');
    const config = JSON.parse(await readFile(join(dir, "sim.json"), "utf8")) as { zigbee?: unknown; doors: { lock: Record<string, unknown> }[] };
    expect(config.zigbee).to.equal(undefined);
    expect(config.doors[0]!.lock).to.deep.equal({ driver: "zigbee2mqtt", mqtt: { url: sim!.ready.mqtt }, baseTopic: "zigbee2mqtt", device: sim!.ready.doors[0]!.ieee });
  });

  it("doorstep serve reaches the lock through Zigbee2MQTT: available, and a remote code unlocks the simulated lock", async () => {
    const config = JSON.parse(await readFile(join(dir, "sim.json"), "utf8")) as Record<string, unknown>;
    const path = join(dir, "doorstep.json");
    await writeFile(path, JSON.stringify({
      ...config,
      delivery: { timeZone: "UTC", requireRecording: false },
      api: { host: "127.0.0.1", port: 0 },
      homekit: { port: 0, bind: ["127.0.0.1"] },
      storagePath: join(dir, "storage"),
    }), { mode: 0o600 });
    bridge = await startServe(path);
    const api = bridge.ready.api;
    const owner = bridge.ready.ownerToken!;
    const door = await eventually("the door on Zigbee2MQTT to be available and locked", async () => {
      const r = await call<DoorView[]>(api, "GET", "/v1/doors", owner);
      const d = r.body.find((x) => x.id === "front");
      return d?.lock?.available && d.lock.state === "locked" ? d : undefined;
    }, { timeoutMs: 60_000, everyMs: 100 });
    expect(door.lock).to.include({ model: "YRD226HA2619" });
    const made = await call<{ pin: string }>(api, "POST", "/v1/credentials", owner, { label: "Courier", kind: "delivery", doors: ["front"], mode: "remote", requireRecording: false, validUntil: isoIn(3_600_000) });
    expect(made.status).to.equal(201);
    const r = await call<Record<string, unknown>>(api, "POST", "/v1/doors/front/access", owner, { pin: made.body.pin });
    expect(r.body, JSON.stringify(r.body)).to.include({ outcome: "unlocked" });
    expect((await simLock(sim!.ready.control, "front")).lockState).to.equal(2);
    const stderr = bridge.stderr();
    expect(stderr).to.not.contain(made.body.pin);
  });
});
