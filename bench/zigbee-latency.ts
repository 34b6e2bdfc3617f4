// Bridge-added latency: from LockDriver.unlock() to the AF data request carrying unlockDoor arriving at the
// emulator, next to the same frame sent by calling herdsman's Endpoint.command directly (the floor).
import { runZ2m } from "./zigbee-z2m.js";
import { isMain, fmt, percentile, startRig } from "./zigbee-setup.js";
import { createRequire } from "node:module";

const HERDSMAN_VERSION = (createRequire(import.meta.url)("zigbee-herdsman/package.json") as { version: string }).version;

const N = Number(process.env.ZIGBEE_BENCH_N ?? 200);
const WARM = 20;

export async function benchZigbeeLatency(): Promise<string> {
  const rig = await startRig("yale-assure");
  let rows: string[];
  try {
    let afAt: number | undefined;
    // mtRequest fires as the emulator parses the MT frame off the socket, before its own confirm/deliver delays.
    rig.sim.coordinator.on("mtRequest", (name) => {
      if (name === "AF.dataRequest" && afAt === undefined) afAt = performance.now();
    });
    const settle = () => new Promise((r) => setTimeout(r, 30));
    const driverToAf: number[] = [];
    const driverToConfirm: number[] = [];
    for (let i = 0; i < WARM + N; i++) {
      await rig.driver.lock();
      await settle();
      afAt = undefined;
      const t0 = performance.now();
      await rig.driver.unlock();
      const t1 = performance.now();
      if (afAt === undefined) throw new Error("no AF.dataRequest seen for unlock");
      if (i >= WARM) {
        driverToAf.push(afAt - t0);
        driverToConfirm.push(t1 - t0);
      }
      await settle();
    }
    // The floor: the same unlockDoor through herdsman's Endpoint.command, bypassing our driver.
    const device = rig.coordinator.device(rig.lock.ieee);
    const ep = device?.endpoints.find((e) => e.supportsInputCluster("closuresDoorLock"));
    if (!ep) throw new Error("lock endpoint not found");
    const rawToAf: number[] = [];
    const rawToResolve: number[] = [];
    for (let i = 0; i < WARM + N; i++) {
      await ep.command("closuresDoorLock", "lockDoor", { pincodevalue: Buffer.alloc(0) }, {});
      await settle();
      afAt = undefined;
      const t0 = performance.now();
      await ep.command("closuresDoorLock", "unlockDoor", { pincodevalue: Buffer.alloc(0) }, {});
      const t1 = performance.now();
      if (afAt === undefined) throw new Error("no AF.dataRequest seen for raw unlock");
      if (i >= WARM) {
        rawToAf.push(afAt - t0);
        rawToResolve.push(t1 - t0);
      }
      await settle();
    }
    rows = [
      row("Doorstep LockDriver.unlock() → AF.dataRequest at the emulator", driverToAf),
      row(`herdsman ${HERDSMAN_VERSION} Endpoint.command(unlockDoor) → AF.dataRequest (floor)`, rawToAf),
      row("Doorstep LockDriver.unlock() → confirmed (unlockDoorRsp status checked)", driverToConfirm),
      row(`herdsman ${HERDSMAN_VERSION} Endpoint.command(unlockDoor) → resolved`, rawToResolve),
    ];
  } finally {
    await rig.stop();
  }
  // The peer, on a fresh emulator with the same timing, in the same run.
  const z2m = await runZ2m(N, WARM);
  if (z2m.publishToAf && z2m.publishToUnlockedState) {
    rows.push(row(`Zigbee2MQTT ${z2m.z2mVersion}: MQTT publish {"state":"UNLOCK"} → AF.dataRequest`, z2m.publishToAf));
    rows.push(row(`Zigbee2MQTT ${z2m.z2mVersion}: publish → lock_state "unlocked" back over MQTT (after the lock's report)`, z2m.publishToUnlockedState));
  }
  return [
    "## Zigbee: unlock latency added by the bridge",
    "",
    `Milliseconds, ${N} unlocks after ${WARM} warm-up, each from a locked state, on the project's ZNP emulator over loopback`,
    "TCP (in the bench's process); the AF.dataRequest instant is when the emulator parses the MT frame. The emulator confirms",
    "and delivers after 2 ms each and the simulated lock reports its new state 20 ms (\"motor time\") after answering.",
    `Node ${process.version}, nearest-rank percentiles, a shared 2-core machine.`,
    "",
    "| path | N | p50 | p95 | p99 | max |",
    "|---|---|---|---|---|---|",
    ...rows,
    "",
    z2m.measured
      ? `${z2m.note}; Zigbee2MQTT runs as a child process with the broker and its MQTT client in the bench's process.`
      : z2m.note,
    "",
  ].join("\n");
}

function row(label: string, s: number[]): string {
  return `| ${label} | ${s.length} | ${fmt(percentile(s, 50))} | ${fmt(percentile(s, 95))} | ${fmt(percentile(s, 99))} | ${fmt(Math.max(...s))} |`;
}

if (isMain(import.meta.url)) console.log(await benchZigbeeLatency());
