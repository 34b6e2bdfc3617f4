// Where the reconciler keeps its view of each lock's PIN slots. Synchronous, so node:sqlite can back it directly.
import type { Interval } from "../access/credential.js";
import type { CredentialId, EpochMs } from "../access/ids.js";

/** synced: the lock holds what we want; pending: a command is due or being retried; failed: the lock refused it. */
export type SlotSync = "synced" | "pending" | "failed";

/**
 * One PIN slot as the bridge believes it to be. A slot with no record is free and (as far as we know) empty.
 * The PIN itself is never stored here: the credential store holds it, encrypted.
 */
export interface SlotRecord {
  slot: number;
  /** The credential this slot should hold, or null: the slot should be empty. */
  credentialId: CredentialId | null;
  /** The window the credential is being written for (pushed as a year-day schedule when the lock keeps them). */
  window?: Interval;
  /** What the lock holds as far as it confirmed: a credential, nothing, or "unknown" (drift, or an unconfirmed write). */
  onLock: CredentialId | null | "unknown";
  /** The year-day schedule the lock confirmed for this slot. */
  onLockWindow?: Interval;
  sync: SlotSync;
  /** Why the slot is not synced (a ZCL status name, "unreachable", "no-free-slot"…); never a PIN. */
  reason?: string;
  /** Consecutive failed attempts. */
  attempts: number;
  /** Not before this instant is the slot retried. */
  retryAt?: EpochMs;
  updatedAt: EpochMs;
}

export interface SlotRepository {
  list(lockKey: string): SlotRecord[];
  get(lockKey: string, slot: number): SlotRecord | undefined;
  put(lockKey: string, record: SlotRecord): void;
  delete(lockKey: string, slot: number): void;
}

/** In-memory repository: for tests and for the demo. */
export class MemorySlotRepository implements SlotRepository {
  private readonly locks = new Map<string, Map<number, SlotRecord>>();

  list(lockKey: string): SlotRecord[] {
    return [...(this.locks.get(lockKey)?.values() ?? [])].map(clone).sort((a, b) => a.slot - b.slot);
  }
  get(lockKey: string, slot: number): SlotRecord | undefined {
    const r = this.locks.get(lockKey)?.get(slot);
    return r && clone(r);
  }
  put(lockKey: string, record: SlotRecord): void {
    let m = this.locks.get(lockKey);
    if (!m) this.locks.set(lockKey, (m = new Map()));
    m.set(record.slot, clone(record));
  }
  delete(lockKey: string, slot: number): void {
    this.locks.get(lockKey)?.delete(slot);
  }
}

function clone(r: SlotRecord): SlotRecord {
  return {
    ...r,
    ...(r.window && { window: { ...r.window } }),
    ...(r.onLockWindow && { onLockWindow: { ...r.onLockWindow } }),
  };
}
