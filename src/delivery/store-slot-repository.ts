// The reconciler's SlotRepository on top of the store's lock_slots table.
// The table keeps what must survive a restart (which credential a slot holds, and whether the lock confirmed it);
// the finer detail the reconciler tracks (windows, "unknown" on-lock contents) lives in memory and is re-derived
// conservatively after a restart: an unconfirmed slot is treated as "unknown" and simply written again.
import type { CredentialId, DoorId } from "../access/ids.js";
import type { SlotStore } from "../store/slot-store.js";
import type { SlotRecord, SlotRepository } from "../zigbee/slot-repository.js";

export class StoreSlotRepository implements SlotRepository {
  /** lockKey → slot → the record last put by this process. */
  private readonly detail = new Map<string, Map<number, SlotRecord>>();

  constructor(private readonly slots: SlotStore) {}

  list(lockKey: string): SlotRecord[] {
    return this.slots.list(lockKey as DoorId).map((row) => this.merge(lockKey, row.slot)!);
  }

  get(lockKey: string, slot: number): SlotRecord | undefined {
    return this.merge(lockKey, slot);
  }

  put(lockKey: string, record: SlotRecord): void {
    const door = lockKey as DoorId;
    this.slots.upsert({ doorId: door, slot: record.slot, credentialId: record.credentialId, desired: record.credentialId ? "present" : "absent" });
    if (record.sync === "synced") this.slots.markSynced(door, record.slot, record.updatedAt);
    // Same assignment, due again (keypad drift, a window change): upsert leaves a synced row synced, so say it.
    else if (record.sync === "pending" && record.attempts === 0) this.slots.markPending(door, record.slot, record.updatedAt);
    else if (record.sync === "failed" || record.attempts > 0) {
      this.slots.markFailed(door, record.slot, {
        error: record.reason ?? "failed",
        ...(record.retryAt !== undefined && { nextAttemptAt: record.retryAt }),
        at: record.updatedAt,
      });
    }
    let m = this.detail.get(lockKey);
    if (!m) this.detail.set(lockKey, (m = new Map()));
    m.set(record.slot, { ...record });
  }

  delete(lockKey: string, slot: number): void {
    this.slots.remove(lockKey as DoorId, slot);
    this.detail.get(lockKey)?.delete(slot);
  }

  private merge(lockKey: string, slot: number): SlotRecord | undefined {
    const row = this.slots.get(lockKey as DoorId, slot);
    if (!row) {
      this.detail.get(lockKey)?.delete(slot);
      return undefined;
    }
    const known = this.detail.get(lockKey)?.get(slot);
    if (known && known.credentialId === row.credentialId) return { ...known, attempts: known.attempts };
    const synced = row.state === "synced";
    const onLock: CredentialId | null | "unknown" = synced ? (row.desired === "present" ? row.credentialId : null) : "unknown";
    const record: SlotRecord = {
      slot: row.slot,
      credentialId: row.desired === "present" ? row.credentialId : null,
      onLock,
      sync: row.state === "failed" ? "failed" : synced ? "synced" : "pending",
      attempts: row.attempts,
      updatedAt: row.updatedAt,
    };
    if (row.lastError !== undefined) record.reason = row.lastError;
    if (row.nextAttemptAt !== undefined) record.retryAt = row.nextAttemptAt;
    return record;
  }
}
