// A door on an existing Zigbee2MQTT beside a door on Doorstep's own coordinator, in one run, on the same emulator
// profile: redemption → unlockDoor frame through Doorstep's Zigbee2MQTT driver, Zigbee2MQTT's bare MQTT command
// (the floor of that path), and Doorstep's herdsman driver; then the PIN frames one keypad guest costs on each driver
// (code written, typed, visit relocked, code revoked). Zigbee2MQTT and Mosquitto are real processes (src/sim/zigbee2mqtt).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { systemClock } from "../src/access/clock.js";
import { DoorId, type VisitId } from "../src/access/ids.js";
import { silentLogger } from "../src/core/logger.js";
import { ownerVia } from "../src/delivery/actor.js";
import { DeliveryService } from "../src/delivery/delivery-service.js";
import { startZigbeeSim, type SimulatedLock, type ZigbeeSim } from "../src/sim/zigbee/index.js";
import { startMosquitto } from "../src/sim/zigbee2mqtt/mosquitto.js";
import { startZigbee2mqtt } from "../src/sim/zigbee2mqtt/zigbee2mqtt-process.js";
import { openStore } from "../src/store/store.js";
import type { LockDriver } from "../src/zigbee/lock-driver.js";
import { Z2mConnection } from "../src/zigbee/z2m-connection.js";
import { Z2mLockDriver } from "../src/zigbee/z2m-lock-driver.js";
import { fmt, isMain, percentile, startRig } from "./zigbee-setup.js";

const N = Number(process.env.Z2M_BENCH_N ?? 50);
const WARM = 5;
const PROFILE = "kwikset-910";
const PIN_COMMANDS = ["setPinCode", "clearPinCode", "getPinCode"] as const;
const owner = ownerVia("api");
const settle = () => new Promise((r) => setTimeout(r, 30));

interface Measured {
  redeemToAf: number[];
  pinFrames: Record<(typeof PIN_COMMANDS)[number], number>;
}

/** Redemptions, then one keypad guest's lifecycle, through `driver` on `sim`. */
async function measure(sim: ZigbeeSim, lock: SimulatedLock, driver: LockDriver): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), "doorstep-bench-z2m-flow-"));
  const store = openStore({ storageDir: dir, clock: systemClock });
  const service = new DeliveryService({
    store,
    settings: { requireRecording: false, inHomeDeliveries: true, timeZone: "UTC", maxCredentialDays: 366, lockoutAttempts: 5, lockoutWindowMinutes: 15 },
    doors: [{ id: DoorId("door"), name: "Bench door", relockAfterSeconds: 600, preRollSeconds: 0, postRollSeconds: 0, driver }],
    logger: silentLogger,
  });
  let afAt: number | undefined;
  const onMt = (name: string) => {
    if (name === "AF.dataRequest" && afAt === undefined) afAt = performance.now();
  };
  sim.coordinator.on("mtRequest", onMt);
  try {
    await driver.lock();
    await service.start();
    const redeemToAf: number[] = [];
    for (let i = 0; i < WARM + N; i++) {
      const { pin } = service.credentials.create({ label: `Courier ${i}`, kind: "delivery", doors: ["door"], mode: "remote", requireRecording: false, validUntil: Date.now() + 3_600_000 }, owner);
      await settle();
      const before = lock.commandsNamed("unlockDoor").length;
      afAt = undefined;
      const t0 = performance.now();
      const outcome = await service.redeem({ doorId: "door", pin, actor: owner, source: "127.0.0.1" });
      if (outcome.outcome !== "unlocked") throw new Error(`redeem ${i}: ${outcome.outcome}`);
      if (afAt === undefined || lock.commandsNamed("unlockDoor").length !== before + 1) throw new Error("no unlockDoor frame for the redemption");
      if (i >= WARM) redeemToAf.push(afAt - t0);
      await service.endVisit(outcome.visitId as VisitId, owner);
      await settle();
    }
    // One keypad guest: the code is written, typed at the keypad, the visit relocked, the code revoked and cleared.
    const count = () => Object.fromEntries(PIN_COMMANDS.map((c) => [c, lock.commandsNamed(c).length])) as Measured["pinFrames"];
    const start = count();
    const made = service.credentials.create({ label: "Cleaner", kind: "cleaning", doors: ["door"], mode: "keypad", requireRecording: false, validUntil: Date.now() + 3_600_000 }, owner);
    await until(() => lock.state().users.some((u) => u.pin === made.pin && u.status !== 0));
    lock.typeKeypadPin(made.pin);
    await until(() => store.visits.list({ open: true }).length === 1);
    await service.endVisit(store.visits.list({ open: true })[0]!.id, owner);
    service.credentials.revoke(made.credential.id, owner);
    await until(() => !lock.state().users.some((u) => u.pin === made.pin && u.status !== 0));
    await settle();
    const end = count();
    const pinFrames = Object.fromEntries(PIN_COMMANDS.map((c) => [c, end[c] - start[c]])) as Measured["pinFrames"];
    return { redeemToAf, pinFrames };
  } finally {
    sim.coordinator.off("mtRequest", onMt);
    await service.stop();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Zigbee2MQTT's own command path, no Doorstep: publish `{"state":"UNLOCK"}` → unlockDoor frame. */
async function bareZ2m(sim: ZigbeeSim, lock: SimulatedLock, mqttUrl: string, base: string): Promise<number[]> {
  const client = await mqtt.connectAsync(mqttUrl);
  const topic = `${base}/${lock.ieee}`;
  let state: string | undefined;
  client.on("message", (_t, p) => {
    try {
      state = (JSON.parse(p.toString()) as { lock_state?: string }).lock_state ?? state;
    } catch {
      // not JSON
    }
  });
  await client.subscribeAsync(topic);
  let afAt: number | undefined;
  const onMt = (name: string) => {
    if (name === "AF.dataRequest" && afAt === undefined) afAt = performance.now();
  };
  sim.coordinator.on("mtRequest", onMt);
  const out: number[] = [];
  try {
    for (let i = 0; i < WARM + N; i++) {
      await client.publishAsync(`${topic}/set`, JSON.stringify({ state: "LOCK" }));
      await until(() => state === "locked");
      await settle();
      const before = lock.commandsNamed("unlockDoor").length;
      afAt = undefined;
      const t0 = performance.now();
      await client.publishAsync(`${topic}/set`, JSON.stringify({ state: "UNLOCK" }));
      await until(() => afAt !== undefined && lock.commandsNamed("unlockDoor").length === before + 1 && state === "unlocked");
      if (i >= WARM) out.push(afAt! - t0);
      await settle();
    }
    await client.publishAsync(`${topic}/set`, JSON.stringify({ state: "LOCK" }));
    await until(() => state === "locked");
  } finally {
    sim.coordinator.off("mtRequest", onMt);
    await client.endAsync(true);
  }
  return out;
}

export async function benchZigbee2mqttDriver(): Promise<string> {
  // Doorstep's own coordinator.
  const rig = await startRig(PROFILE);
  let herdsman: Measured;
  try {
    herdsman = await measure(rig.sim, rig.lock, rig.driver);
  } finally {
    await rig.stop();
  }
  // The same profile behind Zigbee2MQTT.
  const dir = mkdtempSync(join(tmpdir(), "doorstep-bench-z2m-"));
  const sim = await startZigbeeSim({ locks: [{ id: "door", profile: PROFILE }] });
  const broker = await startMosquitto({ dir: join(dir, "broker") });
  let z2mVersion = "?";
  let viaDriver: Measured;
  let bare: number[];
  const z2m = await startZigbee2mqtt({ dataDir: join(dir, "z2m"), mqttUrl: broker.url, zigbeeUrl: sim.url, network: { panId: 0x1a62, channel: 11, networkKey: [1, 3, 5, 7, 9, 11, 13, 15, 0, 2, 4, 6, 8, 10, 12, 13] } });
  const connection = new Z2mConnection({ url: broker.url });
  try {
    z2mVersion = z2m.version;
    const lock = sim.lock("door");
    await z2m.pair([lock.ieee]);
    await connection.start();
    const driver = new Z2mLockDriver({ connection, baseTopic: z2m.baseTopic, device: { kind: "ieee", ieee: lock.ieee }, logger: silentLogger });
    await driver.start();
    await until(() => driver.isAvailable() && driver.getState() !== "unknown", 30_000);
    viaDriver = await measure(sim, lock, driver);
    await driver.stop();
    bare = await bareZ2m(sim, lock, broker.url, z2m.baseTopic);
  } finally {
    await connection.stop();
    await z2m.close();
    await broker.stop();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const row = (label: string, s: number[]) => `| ${label} | ${s.length} | ${fmt(percentile(s, 50))} | ${fmt(percentile(s, 95))} | ${fmt(percentile(s, 99))} | ${fmt(Math.max(...s))} |`;
  const frames = (m: Measured) => `${m.pinFrames.setPinCode} | ${m.pinFrames.clearPinCode} | ${m.pinFrames.getPinCode} | ${m.pinFrames.setPinCode + m.pinFrames.clearPinCode + m.pinFrames.getPinCode}`;
  return [
    "## Zigbee2MQTT: a door on an existing Zigbee2MQTT beside a door on Doorstep's own coordinator",
    "",
    `Milliseconds, ${N} redemptions (after ${WARM} warm-up) per path, one at a time, each of a fresh one-time remote code, relocked`,
    `(confirmed) between them; the Z-Stack emulator with the ${PROFILE} profile, in the bench's process. Zigbee2MQTT ${z2mVersion}`,
    "runs as a child process on its own emulator, with a real Mosquitto (Debian) on loopback; the unlockDoor instant is when the",
    "emulator parses the AF.dataRequest. DeliveryService with the real store, no camera (recording gate off).",
    `Node ${process.version}, nearest-rank percentiles, a shared 2-core machine.`,
    "",
    "| path | N | p50 | p95 | p99 | max |",
    "|---|---|---|---|---|---|",
    row("redeem() → unlockDoor frame, Doorstep's herdsman driver (own coordinator)", herdsman.redeemToAf),
    row("redeem() → unlockDoor frame, Doorstep's Zigbee2MQTT driver (broker → Zigbee2MQTT → its herdsman)", viaDriver.redeemToAf),
    row(`MQTT publish {"state":"UNLOCK"} → unlockDoor frame, Zigbee2MQTT ${z2mVersion} alone (the floor of that path)`, bare),
    "",
    "PIN frames one keypad guest costs (its code written, typed at the keypad, the visit relocked, the code revoked), counted",
    "at the emulated lock. The Zigbee2MQTT driver confirms each write by reading that one slot back (Zigbee2MQTT answers no",
    "command), so it sends a getPinCode per write or clear; the herdsman driver reads the write's own response status.",
    "",
    "| driver | setPinCode | clearPinCode | getPinCode | PIN frames |",
    "|---|---|---|---|---|",
    `| herdsman (own coordinator) | ${frames(herdsman)} |`,
    `| Zigbee2MQTT | ${frames(viaDriver)} |`,
    "",
  ].join("\n");
}

async function until(pred: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`bench: condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

if (isMain(import.meta.url)) console.log(await benchZigbee2mqttDriver());
