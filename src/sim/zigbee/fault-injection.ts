// Faults the coordinator emulator can inject, callable from tests, global or per device, deterministic with a
// seed. Each rule applies to the next `count` matching frames (or until cleared) with a probability.

/** What goes wrong with an AF data request to a device. */
export type AfFaultKind =
  /** AF_DATA_CONFIRM status 0xE9 MAC_NO_ACK; the frame never reaches the device. */
  | "mac-no-ack"
  /** AF_DATA_CONFIRM status 0xF0 MAC_TRANSACTION_EXPIRED (a sleepy device did not poll in time); not delivered. */
  | "mac-transaction-expired"
  /** Delivered and acted on, confirm SUCCESS, but the device's response is lost on the way back. */
  | "response-lost"
  /** Delivered, but no AF_DATA_CONFIRM ever comes (herdsman times out). */
  | "drop-confirm";

export interface FrameMatch {
  /** Lock id or IEEE address; omitted: any device. */
  readonly device?: string;
  readonly clusterId?: number;
  /** ZCL command id (cluster-specific commands) or name as logged by the lock (e.g. "unlockDoor"). */
  readonly command?: number | string;
}

export interface AfFaultRule {
  readonly kind: AfFaultKind;
  readonly match?: FrameMatch;
  /** How many matching frames to affect; undefined: every one until cleared. */
  remaining?: number;
  /** Chance that a matching frame is affected (0-1); default 1. */
  readonly probability: number;
}

/** Faults on the MT layer (the SRSP to an SREQ). */
export interface SrspFaultRule {
  readonly kind: "drop-srsp" | "delay-srsp";
  /** Qualified MT command name, e.g. "AF.dataRequest"; omitted: any SREQ. */
  readonly command?: string;
  readonly delayMs: number;
  remaining?: number;
}

/** One fault the emulator applied, for assertions. */
export interface AppliedFault {
  readonly kind: AfFaultKind | SrspFaultRule["kind"] | "close-socket";
  readonly device?: string;
  readonly detail: string;
}

/** mulberry32: a small, fast, seedable PRNG (public domain), enough for reproducible fault patterns. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A frame as the fault layer sees it. */
export interface AfFrameInfo {
  readonly deviceId?: string;
  readonly ieee: string;
  readonly clusterId: number;
  readonly commandId: number;
  readonly commandName: string;
  readonly specific: boolean;
}

export class FaultInjector {
  private afRules: AfFaultRule[] = [];
  private srspRules: SrspFaultRule[] = [];
  private readonly sleepy = new Map<string, number>();
  private random: () => number;
  /** Every fault applied so far, oldest first. */
  readonly applied: AppliedFault[] = [];
  /** Set by the coordinator: closes the host's TCP connection. */
  closeSocketHandler?: () => void;

  constructor(seed = 1) {
    this.random = seededRandom(seed);
  }

  /** Restarts the random sequence, so a run can be replayed. */
  reseed(seed: number): void {
    this.random = seededRandom(seed);
  }

  /** The next `count` matching frames get AF_DATA_CONFIRM 0xE9 MAC_NO_ACK and are not delivered. */
  macNoAck(count = 1, match?: FrameMatch): this {
    return this.addAf({ kind: "mac-no-ack", remaining: count, probability: 1, ...(match ? { match } : {}) });
  }
  /** The next `count` matching frames get AF_DATA_CONFIRM 0xF0 MAC_TRANSACTION_EXPIRED and are not delivered. */
  transactionExpired(count = 1, match?: FrameMatch): this {
    return this.addAf({ kind: "mac-transaction-expired", remaining: count, probability: 1, ...(match ? { match } : {}) });
  }
  /** The next `count` matching frames are acted on but their response never reaches the host. */
  responseLost(count = 1, match?: FrameMatch): this {
    return this.addAf({ kind: "response-lost", remaining: count, probability: 1, ...(match ? { match } : {}) });
  }
  /** A random fraction `p` of matching frames fail with `kind` (default MAC no-ACK), until cleared. */
  dropFraction(p: number, options: { kind?: AfFaultKind; match?: FrameMatch } = {}): this {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`fraction must be within 0-1, got ${p}`);
    return this.addAf({ kind: options.kind ?? "mac-no-ack", probability: p, ...(options.match ? { match: options.match } : {}) });
  }
  /** Adds any AF rule. */
  addAf(rule: AfFaultRule): this {
    this.afRules.push({ ...rule });
    return this;
  }
  /** The SRSP to the next `count` SREQs (optionally of one command, e.g. "AF.dataRequest") is never sent. */
  dropSrsp(count = 1, command?: string): this {
    this.srspRules.push({ kind: "drop-srsp", delayMs: 0, remaining: count, ...(command ? { command } : {}) });
    return this;
  }
  /** The SRSP to the next `count` SREQs is sent `delayMs` late. */
  delaySrsp(delayMs: number, count = 1, command?: string): this {
    this.srspRules.push({ kind: "delay-srsp", delayMs, remaining: count, ...(command ? { command } : {}) });
    return this;
  }
  /** Frames to and from this device (lock id or IEEE) wait `delayMs` first, as a sleepy device's poll would. 0 clears. */
  sleepyDevice(device: string, delayMs: number): this {
    if (delayMs > 0) this.sleepy.set(device, delayMs);
    else this.sleepy.delete(device);
    return this;
  }
  /** Closes the host's socket now (herdsman emits 'adapterDisconnected'). */
  closeSocket(): void {
    this.applied.push({ kind: "close-socket", detail: "host socket closed" });
    this.closeSocketHandler?.();
  }
  /** Removes every rule and delay. */
  clear(): void {
    this.afRules = [];
    this.srspRules = [];
    this.sleepy.clear();
  }
  /** `clear()`, forgets what was applied and restarts the random sequence from `seed`: as a fresh emulator's faults. */
  reset(seed = 1): void {
    this.clear();
    this.applied.length = 0;
    this.reseed(seed);
  }

  // ---- used by the coordinator

  /** The fault for this AF frame, if any (consumes one use of the rule). */
  afFaultFor(frame: AfFrameInfo): AfFaultKind | undefined {
    for (const rule of this.afRules) {
      if (rule.remaining !== undefined && rule.remaining <= 0) continue;
      if (!matches(rule.match, frame)) continue;
      if (rule.probability < 1 && this.random() >= rule.probability) continue;
      if (rule.remaining !== undefined) rule.remaining--;
      this.applied.push({ kind: rule.kind, device: frame.deviceId ?? frame.ieee, detail: `cluster 0x${frame.clusterId.toString(16)} ${frame.commandName}` });
      this.afRules = this.afRules.filter((r) => r.remaining === undefined || r.remaining > 0);
      return rule.kind;
    }
    return undefined;
  }

  /** How to treat the SRSP of this SREQ. */
  srspFaultFor(qualifiedName: string): { drop: boolean; delayMs: number } {
    for (const rule of this.srspRules) {
      if (rule.remaining !== undefined && rule.remaining <= 0) continue;
      if (rule.command && rule.command !== qualifiedName) continue;
      if (rule.remaining !== undefined) rule.remaining--;
      this.applied.push({ kind: rule.kind, detail: qualifiedName });
      this.srspRules = this.srspRules.filter((r) => r.remaining === undefined || r.remaining > 0);
      return { drop: rule.kind === "drop-srsp", delayMs: rule.kind === "delay-srsp" ? rule.delayMs : 0 };
    }
    return { drop: false, delayMs: 0 };
  }

  /** Extra delay for frames to/from a device. */
  sleepyDelay(deviceId: string | undefined, ieee: string): number {
    return (deviceId !== undefined ? this.sleepy.get(deviceId) : undefined) ?? this.sleepy.get(ieee) ?? 0;
  }
}

function matches(m: FrameMatch | undefined, f: AfFrameInfo): boolean {
  if (!m) return true;
  if (m.device !== undefined && m.device !== f.deviceId && m.device.toLowerCase() !== f.ieee.toLowerCase()) return false;
  if (m.clusterId !== undefined && m.clusterId !== f.clusterId) return false;
  if (m.command !== undefined) {
    if (typeof m.command === "number" ? !f.specific || m.command !== f.commandId : m.command !== f.commandName) return false;
  }
  return true;
}
