// Shared by the Zigbee benches: the project's emulator with one lock, our coordinator and driver over loopback TCP.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../src/core/logger.js";
import { startZigbeeSim, type LockProfileKey, type SimulatedLock, type ZigbeeSim } from "../src/sim/zigbee/index.js";
import { HerdsmanLockDriver } from "../src/zigbee/herdsman-lock-driver.js";
import { ZigbeeCoordinator } from "../src/zigbee/zigbee-coordinator.js";

const NETWORK_KEY = [1, 3, 5, 7, 9, 11, 13, 15, 0, 2, 4, 6, 8, 10, 12, 13];

export interface BenchRig {
  sim: ZigbeeSim;
  coordinator: ZigbeeCoordinator;
  driver: HerdsmanLockDriver;
  lock: SimulatedLock;
  stop(): Promise<void>;
}

export async function startRig(profile: LockProfileKey): Promise<BenchRig> {
  const dir = mkdtempSync(join(tmpdir(), "doorstep-bench-zigbee-"));
  const sim = await startZigbeeSim({ locks: [{ id: "door", profile }], network: { panID: 0x1a62, channel: 15, networkKey: NETWORK_KEY } });
  const coordinator = new ZigbeeCoordinator({
    config: { adapter: "zstack", port: sim.url, channel: 15, panId: 0x1a62, networkKey: Buffer.from(NETWORK_KEY).toString("hex") },
    storageDir: dir,
    logger: silentLogger,
  });
  await coordinator.start();
  const lock = sim.lock("door");
  const paired = new Promise<void>((resolve, reject) => {
    coordinator.events.on("interview", (e) => (e.status === "successful" ? resolve() : reject(new Error(`interview failed: ${e.reason}`))));
  });
  await coordinator.permitJoin(60);
  await paired;
  await coordinator.permitJoin(0);
  const driver = new HerdsmanLockDriver(coordinator, lock.ieee, { logger: silentLogger });
  await driver.start();
  return {
    sim, coordinator, driver, lock,
    async stop() {
      await driver.stop();
      await coordinator.stop();
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Nearest-rank percentile of a sample (ms). */
export function percentile(sample: readonly number[], p: number): number {
  const s = [...sample].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}

export const fmt = (ms: number) => ms.toFixed(3);

/** True when this module's file is the script node was started with. */
export function isMain(metaUrl: string): boolean {
  return process.argv[1] !== undefined && metaUrl === new URL(`file://${process.argv[1]}`).href;
}
