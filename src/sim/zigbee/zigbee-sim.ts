// The public entry: a ZNP coordinator on loopback TCP with simulated door locks, for tests, `doorstep sim`
// and `doorstep serve --demo`.
import { createHash } from "node:crypto";
import { FaultInjector } from "./fault-injection.js";
import type { PersistedDoorLock } from "./door-lock-cluster.js";
import { type LockProfileKey, lockProfile } from "./lock-profiles.js";
import { type SimScheduler, realScheduler } from "./scheduler.js";
import { SimulatedLock } from "./simulated-lock.js";
import { type CoordinatorTiming, ZnpCoordinator } from "./znp-coordinator.js";
import { type NetworkParams, NvMemory, readNvFile, writeNvFile } from "./znp-nv.js";

export interface ZigbeeSimLockSpec {
  /** Your name for the lock (e.g. a door id); unique. */
  readonly id: string;
  readonly profile: LockProfileKey;
  /** IEEE address "0x" + 16 hex digits; default: derived from the id and the profile's OUI. */
  readonly ieee?: string;
  /** Network address; default: derived from the id. */
  readonly nwk?: number;
}

/** Network parameters as zigbee-herdsman's `network` option spells them. */
export interface ZigbeeSimNetwork {
  readonly panID: number;
  readonly channel: number;
  readonly networkKey: readonly number[];
  readonly extendedPanID?: readonly number[];
}

export interface ZigbeeSimOptions {
  /** Default 0: an ephemeral port. */
  readonly port?: number;
  /** Default "127.0.0.1". */
  readonly host?: string;
  readonly locks?: readonly ZigbeeSimLockSpec[];
  /**
   * JSON file holding the coordinator's NV, the devices on its network and each lock's PIN table. Read at start
   * (if present) and rewritten on every change, so a restarted sim resumes the same network.
   */
  readonly nvFile?: string;
  /** Called when writing the NV file after a change fails (e.g. ENOSPC); the simulator keeps running. */
  readonly onPersistError?: (error: unknown) => void;
  /**
   * Locks join by themselves as soon as the host permits joining (default true). With an NV file, locks that had
   * joined before are already on the network at start (no new join), as real devices would be.
   */
  readonly autoJoin?: boolean;
  /**
   * Pre-form this network in a blank NV, so a host configured with the same parameters starts "resumed" at
   * once (no 3 s commissioning). Ignored when the NV file already holds a network.
   */
  readonly network?: ZigbeeSimNetwork;
  /** Seed for random faults (default 1). */
  readonly seed?: number;
  readonly coordinatorIeee?: string;
  /** Time for the locks (auto-relock, lockout, lock clock); default: wall clock. */
  readonly scheduler?: SimScheduler;
  readonly timing?: Partial<CoordinatorTiming>;
  /** Motor time between a lock's response and its events, ms (default 20). */
  readonly eventDelayMs?: number;
}

export interface ZigbeeSim {
  /** `tcp://127.0.0.1:PORT`, for herdsman's `transport.path` (adapter "zstack"). */
  readonly url: string;
  readonly port: number;
  readonly coordinator: ZnpCoordinator;
  readonly locks: ReadonlyMap<string, SimulatedLock>;
  readonly faults: FaultInjector;
  /** The lock by id; throws a clear error for an unknown id. */
  lock(id: string): SimulatedLock;
  /** Joins (or rejoins) a lock now; permit join must be open unless `force` (a lock rejoining its network). */
  join(id: string, options?: { force?: boolean }): void;
  /** The lock leaves the network on its own (ZDO leave indication, no rejoin). */
  leave(id: string): void;
  /** Writes the NV file now (it is also written on every change). */
  save(): void;
  stop(): Promise<void>;
}

/** Starts the coordinator and its locks. Stop it with `stop()`; nothing keeps running after that. */
export async function startZigbeeSim(options: ZigbeeSimOptions = {}): Promise<ZigbeeSim> {
  const specs = options.locks ?? [];
  const ids = new Set<string>();
  for (const s of specs) {
    if (!s.id) throw new Error("startZigbeeSim: every lock needs an id");
    if (ids.has(s.id)) throw new Error(`startZigbeeSim: lock id "${s.id}" appears twice`);
    ids.add(s.id);
    lockProfile(s.profile); // throws a clear error for an unknown profile
  }
  const saved = options.nvFile ? readNvFile(options.nvFile) : undefined;
  const faults = new FaultInjector(options.seed ?? 1);
  const scheduler = options.scheduler ?? realScheduler;
  const locks = new Map<string, SimulatedLock>();
  let persistTimer: NodeJS.Timeout | undefined;
  let coordinator: ZnpCoordinator;

  const save = () => {
    if (!options.nvFile) return;
    const deviceState: Record<string, unknown> = {};
    for (const [id, l] of locks) deviceState[id] = l.doorLock.persisted();
    writeNvFile(options.nvFile, coordinator.nv.toJSON(coordinator.ieee, coordinator.joinedDevices(), deviceState));
  };
  const schedulePersist = () => {
    if (!options.nvFile || persistTimer) return;
    persistTimer = setTimeout(() => {
      persistTimer = undefined;
      // A full disk (ENOSPC) or a read-only one must not take the simulated hardware down with the door open: the
      // NV file is written again on the next change; what is in memory stays right.
      try {
        save();
      } catch (error) {
        options.onPersistError?.(error);
      }
    }, 20);
  };

  coordinator = new ZnpCoordinator({
    ...(options.host ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    coordinatorIeee: saved?.coordinatorIeee ?? options.coordinatorIeee ?? "0x00124b0024c0ffee",
    nv: saved?.nv ?? NvMemory.factory(),
    faults,
    ...(options.timing ? { timing: options.timing } : {}),
    onPersist: schedulePersist,
  });
  if (!coordinator.network() && options.network) coordinator.provisionNetwork(toNetworkParams(options.network, coordinator.ieee));

  const usedNwk = new Set<number>();
  for (const s of specs) {
    const profile = lockProfile(s.profile);
    const previous = saved?.devices.find((d) => d.id === s.id);
    const ieee = (s.ieee ?? previous?.ieee ?? deriveIeee(profile.ieeePrefix, s.id)).toLowerCase();
    let nwk = s.nwk ?? previous?.nwk ?? deriveNwk(s.id);
    while (usedNwk.has(nwk)) nwk = nwk >= 0xfff0 ? 0x0100 : nwk + 1;
    usedNwk.add(nwk);
    const lock = new SimulatedLock({ id: s.id, profile, ieee, nwk, scheduler, ...(options.eventDelayMs !== undefined ? { eventDelayMs: options.eventDelayMs } : {}) });
    const state = saved?.deviceState[s.id] as PersistedDoorLock | undefined;
    if (state) lock.doorLock.restore(state);
    lock.on("doorLockEvent", schedulePersist);
    lock.on("commandReceived", schedulePersist); // status/type/schedule changes emit no event
    locks.set(s.id, lock);
    coordinator.addDevice(lock, { id: s.id, autoJoin: options.autoJoin ?? true, joined: previous !== undefined && previous.ieee.toLowerCase() === ieee });
  }

  await coordinator.start();
  save();

  const lock = (id: string) => {
    const l = locks.get(id);
    if (!l) throw new Error(`no simulated lock "${id}" (known: ${[...locks.keys()].join(", ") || "none"})`);
    return l;
  };
  return {
    url: coordinator.url,
    port: coordinator.port,
    coordinator,
    locks,
    faults,
    lock,
    join: (id, joinOptions) => coordinator.join(lock(id), joinOptions),
    leave: (id) => coordinator.leave(lock(id)),
    save,
    async stop() {
      if (persistTimer) clearTimeout(persistTimer);
      persistTimer = undefined;
      await coordinator.stop();
      save();
      for (const l of locks.values()) l.dispose();
    },
  };
}

function toNetworkParams(n: ZigbeeSimNetwork, coordinatorIeee: string): NetworkParams {
  if (!(n.channel >= 11 && n.channel <= 26)) throw new Error(`network.channel must be 11-26, got ${n.channel}`);
  if (!(n.panID > 0 && n.panID < 0xffff)) throw new Error(`network.panID must be 1-65534, got ${n.panID}`);
  if (n.networkKey.length !== 16) throw new Error(`network.networkKey must have 16 bytes, got ${n.networkKey.length}`);
  const ext = n.extendedPanID && !n.extendedPanID.every((b) => b === 0xdd) ? Buffer.from(n.extendedPanID) : Buffer.from(coordinatorIeee.slice(2), "hex");
  if (ext.length !== 8) throw new Error("network.extendedPanID must have 8 bytes");
  return { panId: n.panID, channel: n.channel, networkKey: Buffer.from(n.networkKey), extendedPanId: ext };
}

function deriveIeee(prefix: string, id: string): string {
  const h = createHash("sha256").update(`doorstep-sim-lock:${id}`).digest("hex");
  return `0x${prefix}${h.slice(0, 16 - prefix.length)}`;
}

function deriveNwk(id: string): number {
  const h = createHash("sha256").update(`doorstep-sim-nwk:${id}`).digest();
  return 0x0100 + (h.readUInt16LE(0) % 0xfe00);
}
