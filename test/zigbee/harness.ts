// Boundary-test harness: the project's coordinator emulator (src/sim/zigbee) on an ephemeral loopback port,
// our ZigbeeCoordinator (real zigbee-herdsman, zstack adapter, tcp://) paired with its locks, one driver per lock.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryLogger } from "../../src/core/logger.js";
import { startZigbeeSim, type LockProfileKey, type SimulatedLock } from "../../src/sim/zigbee/index.js";
import { HerdsmanLockDriver, type HerdsmanLockDriverOptions } from "../../src/zigbee/herdsman-lock-driver.js";
import { ZigbeeCoordinator, type Interviewed } from "../../src/zigbee/zigbee-coordinator.js";

type Sim = Awaited<ReturnType<typeof startZigbeeSim>>;
type SimLock = SimulatedLock;
const PAN_ID = 0x1a62;
const CHANNEL = 15;
const NETWORK_KEY = [1, 3, 5, 7, 9, 11, 13, 15, 0, 2, 4, 6, 8, 10, 12, 13];

export interface Harness {
  sim: Sim;
  coordinator: ZigbeeCoordinator;
  logger: MemoryLogger;
  storageDir: string;
  driver(id: string): HerdsmanLockDriver;
  simLock(id: string): SimLock;
  stop(): Promise<void>;
}

export async function startHarness(
  locks: { id: string; profile: string }[],
  options: { driver?: HerdsmanLockDriverOptions } = {},
): Promise<Harness> {
  const logger = new MemoryLogger();
  const storageDir = mkdtempSync(join(tmpdir(), "doorstep-zigbee-"));
  const sim = await startZigbeeSim({
    locks: locks.map((l) => ({ id: l.id, profile: l.profile as LockProfileKey })),
    network: { panID: PAN_ID, channel: CHANNEL, networkKey: NETWORK_KEY },
  });
  const coordinator = new ZigbeeCoordinator({
    config: { adapter: "zstack", port: sim.url, channel: CHANNEL, panId: PAN_ID, networkKey: Buffer.from(NETWORK_KEY).toString("hex") },
    storageDir,
    logger,
  });
  const drivers = new Map<string, HerdsmanLockDriver>();
  const stop = async () => {
    for (const d of drivers.values()) await d.stop();
    await coordinator.stop();
    await sim.stop();
    rmSync(storageDir, { recursive: true, force: true });
  };
  try {
    await coordinator.start();
    const want = new Map([...sim.locks].map(([id, l]) => [l.ieee.toLowerCase(), id]));
    const interviewed = new Map<string, Interviewed>();
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`interviews incomplete: ${[...interviewed.keys()].join(", ")}`)), 30_000);
      const check = () => {
        if (interviewed.size === want.size) {
          clearTimeout(timer);
          resolve();
        }
      };
      coordinator.events.on("interview", (e) => {
        if (want.has(e.ieee.toLowerCase())) interviewed.set(e.ieee.toLowerCase(), e);
        check();
      });
      check();
    });
    if (want.size > 0) await coordinator.permitJoin(60);
    await done;
    if (want.size > 0) await coordinator.permitJoin(0);
    for (const [ieee, e] of interviewed) if (e.status !== "successful") throw new Error(`interview of ${ieee} failed: ${e.reason}`);
    for (const [ieee, id] of want) {
      const d = new HerdsmanLockDriver(coordinator, ieee, { logger, ...options.driver });
      await d.start();
      drivers.set(id, d);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    sim, coordinator, logger, storageDir, stop,
    driver: (id) => drivers.get(id) ?? fail(`no driver ${id}`),
    simLock: (id) => sim.lock(id),
  };
}

function fail(message: string): never {
  throw new Error(message);
}

/** Polls until `predicate` holds (a functional deadline, not a timing assertion). */
export async function until(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
