// Boundary-test harness: the project's coordinator emulator (src/sim/zigbee) on an ephemeral loopback port,
// our ZigbeeCoordinator (real zigbee-herdsman, zstack adapter, tcp://) paired with its locks, one driver per lock.
//
// Two ways in:
// - `useSharedLocks(...)`: the paired network of this run (one emulator, one coordinator, three locks interviewed once),
//   shared by every file that only needs paired locks. Each test gets the locks reset (no PINs, locked, default
//   attributes, no faults, empty frame logs) and drivers of its own; the network is stopped once at the end of the run
//   by the root hook (test/helpers/root-hooks.ts).
// - `startHarness(...)`: a network of its own, for tests that need a fresh one (forming, the coordinator's own start).
import { MemoryLogger } from "../../src/core/logger.js";
import { startZigbeeSim, type LockProfileKey, type SimulatedLock, type ZigbeeSim } from "../../src/sim/zigbee/index.js";
import { HerdsmanLockDriver, type HerdsmanLockDriverOptions } from "../../src/zigbee/herdsman-lock-driver.js";
import { ZigbeeCoordinator, lockEndpoint, type Interviewed } from "../../src/zigbee/zigbee-coordinator.js";
import { eventually } from "../helpers/eventually.js";
import { claimSharedFixtures, removeAtExit, stopAtEndOfRun } from "../helpers/root-hooks.js";
import { makeTempDir, removeTempDir } from "../helpers/temp-dir.js";

const PAN_ID = 0x1a62;
const CHANNEL = 15;
const NETWORK_KEY = [1, 3, 5, 7, 9, 11, 13, 15, 0, 2, 4, 6, 8, 10, 12, 13];

export interface Harness {
  sim: ZigbeeSim;
  coordinator: ZigbeeCoordinator;
  /** The drivers' log. */
  logger: MemoryLogger;
  /** The coordinator's log, herdsman's lines included (the same as `logger` for a network of its own). */
  networkLogger: MemoryLogger;
  storageDir: string;
  driver(id: string): HerdsmanLockDriver;
  simLock(id: string): SimulatedLock;
  stop(): Promise<void>;
}

/** An emulator and a coordinator with every lock joined and interviewed; no drivers. */
interface Network {
  sim: ZigbeeSim;
  coordinator: ZigbeeCoordinator;
  logger: MemoryLogger;
  storageDir: string;
  stop(): Promise<void>;
}

async function startNetwork(locks: { id: string; profile: LockProfileKey }[]): Promise<Network> {
  const logger = new MemoryLogger();
  const storageDir = makeTempDir("doorstep-zigbee-");
  const sim = await startZigbeeSim({ locks, network: { panID: PAN_ID, channel: CHANNEL, networkKey: NETWORK_KEY } });
  const coordinator = new ZigbeeCoordinator({
    config: { adapter: "zstack", port: sim.url, channel: CHANNEL, panId: PAN_ID, networkKey: Buffer.from(NETWORK_KEY).toString("hex") },
    storageDir,
    logger,
  });
  const stop = async () => {
    try {
      await coordinator.stop();
    } finally {
      await sim.stop();
      removeTempDir(storageDir);
    }
  };
  try {
    await coordinator.start();
    const interviewed = interviews(coordinator, [...sim.locks.values()]);
    if (sim.locks.size > 0) await coordinator.permitJoin(60);
    await interviewed;
    if (sim.locks.size > 0) await coordinator.permitJoin(0);
  } catch (error) {
    await stop();
    throw error;
  }
  return { sim, coordinator, logger, storageDir, stop };
}

/** Resolves once every lock in `locks` has been interviewed successfully (rejects on a failed one, or after 30 s). */
function interviews(coordinator: ZigbeeCoordinator, locks: SimulatedLock[]): Promise<void> {
  const want = new Set(locks.map((l) => l.ieee.toLowerCase()));
  const done = new Map<string, Interviewed>();
  return new Promise<void>((resolve, reject) => {
    if (want.size === 0) return resolve();
    const finish = (error?: Error) => {
      clearTimeout(timer);
      coordinator.events.off("interview", onInterview);
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => finish(new Error(`interviews incomplete: ${[...done.keys()].join(", ") || "none"} of ${[...want].join(", ")}`)), 30_000);
    const onInterview = (e: Interviewed) => {
      const ieee = e.ieee.toLowerCase();
      if (!want.has(ieee)) return;
      if (e.status !== "successful") return finish(new Error(`interview of ${ieee} failed: ${e.reason}`));
      done.set(ieee, e);
      if (done.size === want.size) finish();
    };
    coordinator.events.on("interview", onInterview);
  });
}

/**
 * A network of its own: for tests that form, start or tear down the network itself. Prefer `useSharedLocks`. The shared
 * network is stopped first (and started again by the next file that uses it): herdsman keeps its database and device
 * cache in process-wide statics, so two Controllers cannot run in one process at once.
 */
export async function startHarness(locks: { id: string; profile: string }[], options: { driver?: HerdsmanLockDriverOptions } = {}): Promise<Harness> {
  await stopSharedNetwork();
  const net = await startNetwork(locks.map((l) => ({ id: l.id, profile: l.profile as LockProfileKey })));
  const drivers = new Map<string, HerdsmanLockDriver>();
  const stop = async () => {
    for (const d of drivers.values()) await d.stop();
    await net.stop();
  };
  try {
    for (const [id, lock] of net.sim.locks) drivers.set(id, await startDriver(net, lock, { logger: net.logger, ...options.driver }));
  } catch (error) {
    await stop();
    throw error;
  }
  return { ...net, networkLogger: net.logger, stop, driver: (id) => drivers.get(id) ?? fail(`no driver ${id}`), simLock: (id) => net.sim.lock(id) };
}

async function startDriver(net: Network, lock: SimulatedLock, options: HerdsmanLockDriverOptions): Promise<HerdsmanLockDriver> {
  const d = new HerdsmanLockDriver(net.coordinator, lock.ieee.toLowerCase(), options);
  await d.start();
  return d;
}

// ── The shared network ──

/** The locks of the shared network: one of each emulated profile. */
export const SHARED_LOCKS = { front: "yale-assure", back: "kwikset-910", side: "schlage-be468" } as const satisfies Record<string, LockProfileKey>;
export type SharedLockId = keyof typeof SHARED_LOCKS;

let shared: { network: Promise<Network>; stop: () => Promise<void> } | undefined;

function sharedNetwork(): Promise<Network> {
  if (!shared) {
    const network = startNetwork(Object.entries(SHARED_LOCKS).map(([id, profile]) => ({ id, profile })));
    // A parallel worker may exit with the network still up: its herdsman storage goes with the process.
    const keptDir = network.then((n) => removeAtExit(n.storageDir));
    const entry = {
      network,
      stop: async () => {
        if (shared === entry) shared = undefined;
        unregister();
        (await keptDir)();
        await (await network).stop();
      },
    };
    const unregister = stopAtEndOfRun(entry.stop);
    shared = entry;
    network.catch(() => {
      // the next file tries again and reports its own failure
      if (shared === entry) shared = undefined;
      unregister();
    });
  }
  return shared.network;
}

/**
 * Stops the shared network now if it runs (the next `useSharedLocks` starts it again). For tests that start a
 * zigbee-herdsman Controller of their own: herdsman's database and device cache are process-wide, one Controller at a time.
 */
export async function stopSharedNetwork(): Promise<void> {
  const current = shared;
  if (!current) return;
  await current.stop().catch(() => undefined); // a network that failed to start has nothing to stop
}

/**
 * Puts the shared locks back as a fresh pairing left them, and waits until that is so: faults cleared, a lock that
 * left the network rejoined, the lock's state reset, then one read of each lock through herdsman.
 * The read is the barrier: frames a lock sent before it (events of an earlier test) arrive on the same stream first,
 * so no driver started afterwards sees them. The frame logs are emptied last.
 */
async function resetSharedLocks(net: Network): Promise<void> {
  net.sim.faults.reset();
  for (const lock of [...net.sim.locks.values()].filter((l) => !l.joined)) {
    // herdsman deleted it on leave and undeletes it on rejoin, with what its interview found (no new interview).
    net.sim.join(lock.id, { force: true });
    await eventually(`${lock.id} back on the network`, () => net.coordinator.lockInfo(lock.ieee.toLowerCase()) !== undefined, { timeoutMs: 30_000 });
  }
  for (const lock of net.sim.locks.values()) {
    lock.reset();
    const endpoint = lockEndpoint(net.coordinator.device(lock.ieee.toLowerCase()) ?? fail(`herdsman does not know ${lock.id}`));
    if (!endpoint) throw new Error(`${lock.id} has no Door Lock endpoint`);
    const r = (await endpoint.read("closuresDoorLock", ["lockState"])) as { lockState?: number };
    if (r.lockState !== 1) throw new Error(`${lock.id} reads lockState ${r.lockState} after its reset`);
    lock.clearLogs();
  }
}

/**
 * Registers mocha hooks in the calling `describe`: before each test the shared locks are reset and a driver is started
 * for each lock named in `drivers` (with those options and a fresh logger); after it the drivers are stopped.
 */
export function useSharedLocks(drivers: Partial<Record<SharedLockId, HerdsmanLockDriverOptions>>): Harness {
  claimSharedFixtures();
  let net: Network | undefined;
  let current: { logger: MemoryLogger; drivers: Map<string, HerdsmanLockDriver> } | undefined;
  beforeEach(async function () {
    this.timeout(60_000);
    net = await sharedNetwork();
    await resetSharedLocks(net);
    const logger = new MemoryLogger();
    const started = new Map<string, HerdsmanLockDriver>();
    current = { logger, drivers: started };
    for (const [id, options] of Object.entries(drivers)) started.set(id, await startDriver(net, net.sim.lock(id), { logger, ...options }));
  });
  afterEach(async () => {
    for (const d of current?.drivers.values() ?? []) await d.stop();
    current = undefined;
  });
  const live = () => ({ net: net ?? fail("the shared Zigbee network exists only while a test runs"), run: current ?? fail("no test is running") });
  return {
    get sim() { return live().net.sim; },
    get coordinator() { return live().net.coordinator; },
    get storageDir() { return live().net.storageDir; },
    /** This test's drivers' log. */
    get logger() { return live().run.logger; },
    get networkLogger() { return live().net.logger; },
    driver: (id) => live().run.drivers.get(id) ?? fail(`no driver ${id} in this describe's useSharedLocks`),
    simLock: (id) => live().net.sim.lock(id),
    stop: () => Promise.reject(new Error("the shared Zigbee network is stopped by the root hook, not by a test")),
  };
}

function fail(message: string): never {
  throw new Error(message);
}
