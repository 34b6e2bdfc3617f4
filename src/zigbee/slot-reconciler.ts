// Keeps one lock's PIN slots in step with the keypad credentials that should work right now.
// It sends only the difference between its persisted view and the desired state (never a scan of every slot),
// and it is the bridge, not the lock, that enforces every time box: in-lock schedules are a second line of defence.
import { EventEmitter } from "node:events";
import type { Clock } from "../access/clock.js";
import type { Interval } from "../access/credential.js";
import type { CredentialId, EpochMs } from "../access/ids.js";
import { DeviceRejectedError, DeviceUnreachableError, ValidationError, formatError } from "../core/errors.js";
import { silentLogger, type Logger } from "../core/logger.js";
import { CircuitBreaker, type CircuitBreakerOptions } from "./circuit-breaker.js";
import type { LockDriver, ProgrammingEvent } from "./lock-driver.js";
import type { SlotRecord, SlotRepository } from "./slot-repository.js";
import { STATUS_DUPLICATE_CODE } from "./zcl-door-lock.js";

/** A keypad credential the caller wants on this lock, with the windows (from `activeWindows`) it may be used in. */
export interface DesiredCredential {
  credentialId: CredentialId;
  pin: string;
  windows: readonly Interval[];
}

/** Where a credential stands on this lock, for the API and the homeowner. */
export type CredentialSyncStatus =
  | { state: "on-lock"; slot: number }
  | { state: "pending"; slot?: number; reason?: string }
  | { state: "failed"; slot?: number; reason: string }
  | { state: "off-lock" };

export interface ReconcileReport {
  /** Commands sent to the lock in this pass (setPin, clearPin, schedules, read-backs). */
  commands: number;
  synced: number;
  pending: number;
  failed: number;
}

export interface SlotReconcilerOptions {
  /** Key under which this lock's slots are persisted (the door id). */
  lockKey: string;
  driver: LockDriver;
  repository: SlotRepository;
  clock: Clock;
  logger?: Logger;
  /** Slots the bridge may use; default every slot the lock has, minus its reserved ones. */
  managedSlots?: readonly number[];
  /** Push year-day schedules when the lock keeps them (default true). */
  pushSchedules?: boolean;
  /** Retry delay after the n-th consecutive failure: base·2^(n-1), at most max (ms). */
  retry?: { baseMs: number; maxMs: number };
  breaker?: CircuitBreakerOptions;
}

export interface SlotReconcilerEvents {
  /** The lock's PIN table moved under us (keypad programming); a pass is due now. */
  drift: [{ slot?: number; kind: ProgrammingEvent["kind"] }];
  /** A slot's sync state changed. */
  slot: [SlotRecord];
}

const DEFAULT_RETRY = { baseMs: 5_000, maxMs: 300_000 };

export class SlotReconciler {
  readonly events = new EventEmitter<SlotReconcilerEvents>();
  private readonly log: Logger;
  private readonly breaker: CircuitBreaker;
  private desired = new Map<CredentialId, DesiredCredential>();
  /** Credentials that should be on the lock but found no free slot. */
  private unplaced = new Map<CredentialId, string>();
  private running: Promise<ReconcileReport> | undefined;
  private rerun = false;
  private readonly onProgramming = (e: ProgrammingEvent) => this.noteProgramming(e);

  constructor(private readonly options: SlotReconcilerOptions) {
    this.log = options.logger ?? silentLogger;
    this.breaker = new CircuitBreaker(options.clock, options.breaker);
  }

  start(): void {
    this.options.driver.events.on("programming", this.onProgramming);
  }

  async stop(): Promise<void> {
    this.options.driver.events.off("programming", this.onProgramming);
    await this.running?.catch(() => undefined);
  }

  /**
   * Replaces the desired set. Validates every PIN against the lock first: on any error nothing changes.
   * Revoked or used-up credentials are simply left out (or given no open window).
   */
  setDesired(credentials: readonly DesiredCredential[]): void {
    const caps = this.options.driver.capabilities;
    const next = new Map<CredentialId, DesiredCredential>();
    const pins = new Map<string, CredentialId>();
    for (const c of credentials) {
      const where = `credential ${c.credentialId}`;
      if (next.has(c.credentialId)) throw new ValidationError("listed twice", where);
      if (!/^[0-9]+$/.test(c.pin)) throw new ValidationError("PIN must be digits only", where);
      if (c.pin.length < caps.minPinLength || c.pin.length > caps.maxPinLength) {
        throw new ValidationError(`PIN must have ${caps.minPinLength}–${caps.maxPinLength} digits for this lock`, where);
      }
      for (const w of c.windows) {
        if (!(Number.isFinite(w.start) && Number.isFinite(w.end) && w.start < w.end)) {
          throw new ValidationError("window must have start < end", where);
        }
      }
      const other = pins.get(c.pin);
      if (other) throw new ValidationError(`shares its PIN with credential ${other} on the same lock`, where);
      pins.set(c.pin, c.credentialId);
      next.set(c.credentialId, { credentialId: c.credentialId, pin: c.pin, windows: c.windows.map((w) => ({ ...w })) });
    }
    this.desired = next;
  }

  /** Runs passes until nothing more is due now. Concurrent calls share the running pass (and one more after it). */
  reconcile(): Promise<ReconcileReport> {
    if (this.running) {
      this.rerun = true;
      return this.running;
    }
    const run = async (): Promise<ReconcileReport> => {
      try {
        let report = await this.pass();
        while (this.rerun) {
          this.rerun = false;
          const more = await this.pass();
          report = { ...more, commands: report.commands + more.commands };
        }
        return report;
      } finally {
        this.running = undefined;
      }
    };
    this.running = run();
    return this.running;
  }

  /** The next instant something is due: a window edge, a retry, the breaker closing. Undefined: nothing ever. */
  nextWakeAt(): EpochMs | undefined {
    const now = this.options.clock.now();
    let next: EpochMs | undefined;
    const consider = (t: EpochMs | undefined) => {
      if (t !== undefined && (next === undefined || t < next)) next = t;
    };
    for (const c of this.desired.values()) {
      for (const w of c.windows) {
        if (w.start > now) consider(w.start);
        else if (w.end > now) consider(w.end);
      }
    }
    const reopens = this.breaker.reopensAt();
    for (const r of this.options.repository.list(this.options.lockKey)) {
      if (r.sync === "synced") continue;
      consider(Math.max(r.retryAt ?? now, reopens ?? now));
    }
    if (this.unplaced.size > 0 && next === undefined) consider(now + (this.options.retry ?? DEFAULT_RETRY).maxMs);
    return next;
  }

  status(credentialId: CredentialId): CredentialSyncStatus {
    const r = this.options.repository.list(this.options.lockKey).find((x) => x.credentialId === credentialId);
    if (!r) {
      const why = this.unplaced.get(credentialId);
      return why ? { state: "failed", reason: why } : { state: "off-lock" };
    }
    if (r.sync === "synced") return { state: "on-lock", slot: r.slot };
    if (r.sync === "failed") return { state: "failed", slot: r.slot, reason: r.reason ?? "failed" };
    return { state: "pending", slot: r.slot, ...(r.reason !== undefined && { reason: r.reason }) };
  }

  get breakerState(): CircuitBreaker["state"] {
    return this.breaker.state;
  }

  // ── One pass ──

  private async pass(): Promise<ReconcileReport> {
    const { repository: repo, lockKey, clock } = this.options;
    const now = clock.now();
    const wanted = this.wantedAt(now);
    const records = new Map(repo.list(lockKey).map((r) => [r.slot, r]));

    // Retarget slots whose credential is no longer wanted now, and follow window changes.
    for (const r of records.values()) {
      if (r.credentialId === null) continue;
      const w = wanted.get(r.credentialId);
      if (!w) this.save({ ...r, credentialId: null, window: undefined, sync: "pending", reason: undefined, attempts: 0, retryAt: undefined });
      else if (!sameInterval(r.window, w.window)) this.save({ ...r, window: w.window, ...this.dueAgain(r) });
    }

    // Allocate slots for wanted credentials that have none.
    const wasUnplaced = new Set(this.unplaced.keys());
    this.unplaced.clear();
    const assigned = new Set(repo.list(lockKey).flatMap((r) => (r.credentialId ? [r.credentialId] : [])));
    for (const [id, w] of wanted) {
      if (assigned.has(id)) continue;
      const slot = this.freeSlot();
      if (slot === undefined) {
        this.unplaced.set(id, "no-free-slot");
        if (!wasUnplaced.has(id)) this.log.warn(`No free PIN slot for credential ${id}; it will be written when a slot frees up.`);
        continue;
      }
      const prev = repo.get(lockKey, slot);
      this.save({
        slot, credentialId: id, window: w.window, onLock: prev?.onLock ?? null, onLockWindow: prev?.onLockWindow,
        sync: "pending", attempts: 0, updatedAt: now,
      });
    }

    // Send what is due: clears first (closing access matters more than opening it), then writes.
    let commands = 0;
    const due = repo.list(lockKey)
      .filter((r) => r.sync !== "synced" && (r.retryAt === undefined || r.retryAt <= now))
      .sort((a, b) => Number(a.credentialId !== null) - Number(b.credentialId !== null) || a.slot - b.slot);
    for (const r of due) {
      if (!this.breaker.allows()) break;
      commands += await this.apply(r, wanted.get(r.credentialId as CredentialId));
    }

    const all = repo.list(lockKey);
    return {
      commands,
      synced: all.filter((r) => r.sync === "synced").length,
      pending: all.filter((r) => r.sync === "pending").length + this.unplaced.size,
      failed: all.filter((r) => r.sync === "failed").length,
    };
  }

  /** Brings one slot to its target. Returns the number of commands sent. */
  private async apply(r: SlotRecord, want: { pin: string; window: Interval } | undefined): Promise<number> {
    const driver = this.options.driver;
    let sent = 0;
    let rec = r;
    try {
      if (rec.credentialId === null || !want) {
        if (rec.onLock !== null) {
          sent++;
          rec = { ...rec, onLock: "unknown" }; // until the lock confirms, the code may or may not be there
          await driver.clearPin(rec.slot);
        }
        this.options.repository.delete(this.options.lockKey, rec.slot);
        this.breaker.recordSuccess();
        this.events.emit("slot", { ...rec, onLock: null, sync: "synced", attempts: 0, updatedAt: this.options.clock.now() });
        return sent;
      }
      const schedules = this.usesSchedules();
      if (rec.onLock !== rec.credentialId) {
        // What the slot held before this write: a masked read can only prove our code where nobody else's can be.
        const before = rec.onLock;
        const userType = schedules ? "year-day" : "unrestricted";
        sent++;
        rec = { ...rec, onLock: "unknown", onLockWindow: undefined };
        try {
          await driver.setPin(rec.slot, want.pin, userType);
        } catch (error) {
          if (!this.isDuplicate(error)) throw error;
          // The code exists already. If it is in this very slot (an earlier write landed but its answer was lost), that is success.
          sent++;
          const reading = await driver.readSlot(rec.slot, want.pin);
          const masked = reading.status === "enabled" && reading.pinMatches === undefined;
          const here = reading.status === "enabled" && (reading.pinMatches === true || (masked && (before === null || before === "unknown")));
          if (!here && reading.status !== "enabled") throw new DeviceRejectedError("the lock holds this code in another slot", STATUS_DUPLICATE_CODE);
          if (!here) {
            // The slot holds a code that is not provably ours (a reused slot may keep the previous guest's): clear it,
            // then write again. A second duplicate means the code lives in another slot.
            sent += 2;
            await driver.clearPin(rec.slot);
            rec = { ...rec, onLock: null };
            try {
              await driver.setPin(rec.slot, want.pin, userType);
            } catch (again) {
              if (this.isDuplicate(again)) throw new DeviceRejectedError("the lock holds this code in another slot", STATUS_DUPLICATE_CODE);
              throw again;
            }
          }
        }
        rec = { ...rec, onLock: rec.credentialId };
      }
      if (schedules && !sameInterval(rec.onLockWindow, want.window)) {
        sent++;
        await driver.setYearDaySchedule(rec.slot, want.window, 0);
        rec = { ...rec, onLockWindow: want.window };
      }
      this.breaker.recordSuccess();
      this.save({ ...rec, sync: "synced", reason: undefined, attempts: 0, retryAt: undefined });
    } catch (error) {
      this.fail(rec, error);
    }
    return sent;
  }

  private fail(r: SlotRecord, error: unknown): void {
    const attempts = r.attempts + 1;
    const retry = this.options.retry ?? DEFAULT_RETRY;
    const delay = Math.min(retry.maxMs, retry.baseMs * 2 ** (attempts - 1));
    const retryAt = this.options.clock.now() + delay;
    const what = r.credentialId === null ? "clear" : "write";
    if (error instanceof DeviceRejectedError) {
      // The lock is there and said no: not a transport failure, so the breaker does not count it.
      const reason = `rejected: ${error.message}`;
      this.log.warn(`Slot ${r.slot}: the lock refused the ${what} (${error.message}); retrying in ${Math.round(delay / 1000)} s.`);
      this.save({ ...r, sync: "failed", reason, attempts, retryAt });
      return;
    }
    if (!(error instanceof DeviceUnreachableError)) {
      this.log.error(`Slot ${r.slot}: ${what} failed: ${formatError(error)}`);
    } else {
      this.log.info(`Slot ${r.slot}: the lock did not answer the ${what}; retrying in ${Math.round(delay / 1000)} s.`);
    }
    this.breaker.recordFailure();
    this.save({ ...r, sync: "pending", reason: "unreachable", attempts, retryAt });
  }

  private isDuplicate(error: unknown): boolean {
    const status = this.options.driver.capabilities.duplicateCodeStatus;
    // Locks without a duplicate-code status (null) get no special treatment: a refusal stays a refusal.
    return error instanceof DeviceRejectedError && status !== null && error.status === (status ?? STATUS_DUPLICATE_CODE);
  }

  private usesSchedules(): boolean {
    return (this.options.pushSchedules ?? true) && this.options.driver.capabilities.yearDaySchedules > 0;
  }

  /** A slot whose target changed is due at once unless it is waiting out a retry. */
  private dueAgain(r: SlotRecord): Partial<SlotRecord> {
    return this.usesSchedules() ? { sync: r.sync === "synced" ? "pending" : r.sync } : {};
  }

  /** Lowest managed slot with no record; failing that, one only waiting to be cleared (a write over it clears it too). */
  private freeSlot(): number | undefined {
    const records = new Map(this.options.repository.list(this.options.lockKey).map((r) => [r.slot, r]));
    const managed = this.managedSlots();
    const empty = managed.find((s) => !records.has(s));
    if (empty !== undefined) return empty;
    return managed.find((s) => records.get(s)?.credentialId === null);
  }

  private managedSlots(): number[] {
    const caps = this.options.driver.capabilities;
    const reserved = new Set(caps.reservedSlots ?? []);
    const all = this.options.managedSlots ?? Array.from({ length: caps.pinSlots }, (_, i) => i);
    return all.filter((s) => s >= 0 && s < caps.pinSlots && !reserved.has(s));
  }

  /** The credentials that must be on the lock at `now`, each with the window it is in. */
  private wantedAt(now: EpochMs): Map<CredentialId, { pin: string; window: Interval }> {
    const out = new Map<CredentialId, { pin: string; window: Interval }>();
    for (const c of this.desired.values()) {
      const open = c.windows.filter((w) => w.start <= now && now < w.end);
      if (open.length === 0) continue;
      // Overlapping windows: the PIN stays until the last of them closes.
      const window = { start: Math.min(...open.map((w) => w.start)), end: Math.max(...open.map((w) => w.end)) };
      out.set(c.credentialId, { pin: c.pin, window });
    }
    return out;
  }

  private save(r: SlotRecord): void {
    const rec = { ...r, updatedAt: this.options.clock.now() };
    if (rec.window === undefined) delete rec.window;
    if (rec.onLockWindow === undefined) delete rec.onLockWindow;
    if (rec.reason === undefined) delete rec.reason;
    if (rec.retryAt === undefined) delete rec.retryAt;
    this.options.repository.put(this.options.lockKey, rec);
    this.events.emit("slot", rec);
  }

  // ── Drift ──

  /** A PIN added, changed or removed at the lock itself. RF-sourced events are the echo of our own writes. */
  private noteProgramming(e: ProgrammingEvent): void {
    if (e.source === "rf") return;
    if (e.kind !== "pin-added" && e.kind !== "pin-changed" && e.kind !== "pin-removed") return;
    const { repository: repo, lockKey } = this.options;
    const managed = new Set(this.managedSlots());
    const slots = e.slot === undefined ? [...managed] : managed.has(e.slot) ? [e.slot] : [];
    for (const slot of slots) {
      const r = repo.get(lockKey, slot);
      const now = this.options.clock.now();
      if (e.kind === "pin-removed") {
        if (!r) continue;
        if (r.credentialId === null) repo.delete(lockKey, slot);
        else this.save({ ...r, onLock: null, onLockWindow: undefined, sync: "pending", attempts: 0, retryAt: undefined });
      } else if (r) {
        this.save({ ...r, onLock: "unknown", sync: "pending", attempts: 0, retryAt: undefined });
      } else {
        // A code we did not put there, in a slot we manage: clear it.
        this.save({ slot, credentialId: null, onLock: "unknown", sync: "pending", attempts: 0, updatedAt: now });
      }
    }
    if (slots.length > 0) {
      this.log.warn(`The lock's PIN table changed at the lock (${e.kind}${e.slot === undefined ? "" : `, slot ${e.slot}`}); repairing.`);
      this.events.emit("drift", { ...(e.slot !== undefined && { slot: e.slot }), kind: e.kind });
    }
  }
}

function sameInterval(a: Interval | undefined, b: Interval | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.start === b.start && a.end === b.end);
}
