// Lock PIN slot assignments per door: what each slot should hold and whether the lock has been brought in line.
import type { Clock } from "../access/clock.js";
import type { CredentialId, DoorId, EpochMs } from "../access/ids.js";
import { ConflictError, NotFoundError, ValidationError } from "../core/errors.js";
import { isUniqueViolation, type Database, type Row } from "./database.js";
import { int, optInt, optText, text } from "./sql-values.js";

/** What the slot should hold on the lock: the credential's PIN, or nothing. */
export type SlotDesired = "present" | "absent";
/** synced: the lock confirmed `desired`; pending: not yet written; failed: the last attempt failed (see lastError). */
export type SlotSyncState = "synced" | "pending" | "failed";

export interface LockSlot {
  doorId: DoorId;
  slot: number;
  /** null: the slot is assigned to nobody (typically desired "absent" while it is being cleared). */
  credentialId: CredentialId | null;
  desired: SlotDesired;
  state: SlotSyncState;
  /** A sentence for the homeowner; never a PIN. */
  lastError?: string;
  attempts: number;
  nextAttemptAt?: EpochMs;
  updatedAt: EpochMs;
}

export interface SlotAssignment {
  doorId: DoorId;
  slot: number;
  credentialId: CredentialId | null;
  desired: SlotDesired;
}

export interface SlotFailure {
  /** A sentence for the homeowner; never a PIN. */
  error: string;
  nextAttemptAt?: EpochMs;
  /** Default: now. */
  at?: EpochMs;
}

export class SlotStore {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  get(doorId: DoorId, slot: number): LockSlot | undefined {
    const row = this.db.get("SELECT * FROM lock_slots WHERE door_id = ? AND slot = ?", doorId, slot);
    return row ? toSlot(row) : undefined;
  }

  /** The slots of one door, by slot number. */
  list(doorId: DoorId): LockSlot[] {
    return this.db.all("SELECT * FROM lock_slots WHERE door_id = ? ORDER BY slot", doorId).map(toSlot);
  }

  /** Every slot that is not synced, soonest retry first: the reconciler's work list. */
  unsynced(): LockSlot[] {
    return this.db
      .all("SELECT * FROM lock_slots WHERE state <> 'synced' ORDER BY coalesce(next_attempt_at, 0), door_id, slot")
      .map(toSlot);
  }

  /** The slot a credential holds on a door, if any. */
  findByCredential(doorId: DoorId, credentialId: CredentialId): LockSlot | undefined {
    const row = this.db.get("SELECT * FROM lock_slots WHERE door_id = ? AND credential_id = ?", doorId, credentialId);
    return row ? toSlot(row) : undefined;
  }

  /**
   * Sets what a slot should hold. A change of credential or desired state makes it "pending" (attempts reset); writing
   * the same assignment again leaves its sync state alone. ConflictError if the credential already has another slot on
   * this door.
   */
  upsert(assignment: SlotAssignment): LockSlot {
    const { doorId, slot, credentialId, desired } = assignment;
    if (!Number.isInteger(slot) || slot < 0) throw new ValidationError("must be a non-negative integer", "slot");
    if (desired !== "present" && desired !== "absent") {
      throw new ValidationError(`unknown value "${String(desired)}"`, "desired");
    }
    if (desired === "present" && credentialId === null) {
      throw new ValidationError("a present slot needs a credential", "credentialId");
    }
    return this.db.transaction(() => {
      const current = this.get(doorId, slot);
      if (current && current.credentialId === credentialId && current.desired === desired) return current;
      const now = this.clock.now();
      try {
        this.db.run(
          `INSERT INTO lock_slots (door_id, slot, credential_id, desired, state, attempts, updated_at)
           VALUES (?, ?, ?, ?, 'pending', 0, ?)
           ON CONFLICT (door_id, slot) DO UPDATE SET
             credential_id = excluded.credential_id, desired = excluded.desired, state = 'pending', last_error = NULL,
             attempts = 0, next_attempt_at = NULL, updated_at = excluded.updated_at`,
          doorId,
          slot,
          credentialId,
          desired,
          now,
        );
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new ConflictError(`Credential "${credentialId}" already has a slot on door "${doorId}".`);
        }
        if ((error as { errcode?: unknown }).errcode === 787 /* SQLITE_CONSTRAINT_FOREIGNKEY */) {
          throw new NotFoundError(`No credential "${credentialId}".`);
        }
        throw error;
      }
      return this.get(doorId, slot)!;
    });
  }

  /** The lock confirmed the slot holds what is desired. */
  markSynced(doorId: DoorId, slot: number, at: EpochMs = this.clock.now()): LockSlot {
    return this.update(doorId, slot, () =>
      this.db.run(
        `UPDATE lock_slots SET state = 'synced', last_error = NULL, attempts = 0, next_attempt_at = NULL, updated_at = ?
         WHERE door_id = ? AND slot = ?`,
        at,
        doorId,
        slot,
      ),
    );
  }

  /**
   * The lock no longer holds what the slot should (a code removed or changed at the keypad, a write to repeat): it is
   * due again, attempts reset. Unlike upsert of the same assignment, this always leaves the row "pending".
   */
  markPending(doorId: DoorId, slot: number, at: EpochMs = this.clock.now()): LockSlot {
    return this.update(doorId, slot, () =>
      this.db.run(
        `UPDATE lock_slots SET state = 'pending', last_error = NULL, attempts = 0, next_attempt_at = NULL, updated_at = ?
         WHERE door_id = ? AND slot = ?`,
        at,
        doorId,
        slot,
      ),
    );
  }

  /** An attempt failed: counts it and records when to try again. `error` must not contain the PIN. */
  markFailed(doorId: DoorId, slot: number, failure: SlotFailure): LockSlot {
    return this.update(doorId, slot, () =>
      this.db.run(
        `UPDATE lock_slots SET state = 'failed', last_error = ?, attempts = attempts + 1, next_attempt_at = ?,
           updated_at = ? WHERE door_id = ? AND slot = ?`,
        failure.error,
        failure.nextAttemptAt ?? null,
        failure.at ?? this.clock.now(),
        doorId,
        slot,
      ),
    );
  }

  /** Forgets a slot (after it was cleared on the lock). Returns whether there was one. */
  remove(doorId: DoorId, slot: number): boolean {
    return this.db.run("DELETE FROM lock_slots WHERE door_id = ? AND slot = ?", doorId, slot).changes > 0;
  }

  /** The lowest slot in [first, last] with no assignment, or undefined if all are taken. */
  firstFreeSlot(doorId: DoorId, range: { first: number; last: number }): number | undefined {
    const used = new Set(this.list(doorId).map((s) => s.slot));
    for (let slot = range.first; slot <= range.last; slot++) if (!used.has(slot)) return slot;
    return undefined;
  }

  private update(doorId: DoorId, slot: number, write: () => { changes: number }): LockSlot {
    return this.db.transaction(() => {
      if (write().changes === 0) throw new NotFoundError(`Door "${doorId}" has no slot ${slot} assigned.`);
      return this.get(doorId, slot)!;
    });
  }
}

function toSlot(row: Row): LockSlot {
  const slot: LockSlot = {
    doorId: text(row, "door_id") as DoorId,
    slot: int(row, "slot"),
    credentialId: (optText(row, "credential_id") ?? null) as CredentialId | null,
    desired: text(row, "desired") as SlotDesired,
    state: text(row, "state") as SlotSyncState,
    attempts: int(row, "attempts"),
    updatedAt: int(row, "updated_at"),
  };
  const lastError = optText(row, "last_error");
  if (lastError !== undefined) slot.lastError = lastError;
  const nextAttemptAt = optInt(row, "next_attempt_at");
  if (nextAttemptAt !== undefined) slot.nextAttemptAt = nextAttemptAt;
  return slot;
}
