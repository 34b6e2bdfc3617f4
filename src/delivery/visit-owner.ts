// The one owner of a door's active visit: holds its machine state (visit-machine.ts), performs the effects each move
// asks for (store, lock, recorder, timers, events) and feeds their results back as events. Nothing else moves a visit.
import type { CredentialId, VisitId } from "../access/ids.js";
import type { ClipPart as RecorderClipPart, VisitClip } from "../camera/recorder.js";
import { DeviceRejectedError, InternalError, formatError } from "../core/errors.js";
import type { ClipPart, Visit, VisitPatch, VisitVia } from "../store/visit-store.js";
import { commitTransition, raiseAlert, sleep, type DeliveryContext, SHUTDOWN_POST_ROLL_MS } from "./delivery-context.js";
import type { DoorRuntime } from "./door-runtime.js";
import { opening, openedAtKeypad, step, storedState, type VisitEffect, type VisitEvent, type VisitMachineState } from "./visit-machine.js";

/** Timer keys: one relock and one settle wait per door (one active visit per door holds them). */
const relockKey = (door: DoorRuntime) => `relock:${door.id}`;
const settleKey = (door: DoorRuntime) => `settle:${door.id}`;

export interface VisitStart {
  visitId: VisitId;
  via: VisitVia;
  /** Who started it, for the audit trail. */
  actor: string;
  credentialId?: CredentialId;
  /** Keypad only: the policy refuses this opening; the visit is relocked at once with this alert. */
  refusal?: string;
}

type Waiter = { until: (s: VisitMachineState, e: VisitEvent | undefined) => boolean; resolve: () => void };

export class VisitOwner {
  private state: VisitMachineState;
  private readonly waiters: Waiter[] = [];
  private readonly queue: VisitEvent[] = [];
  private dispatching = false;
  private recordingBegun = false;
  private clip: { parts: ClipPart[]; alert?: string } = { parts: [] };
  private lastRelockError = "the lock did not confirm";
  /** Why the unlock failed, for a caller that answers with an error (the owner's unlock). */
  unlockError: Error | undefined;
  /** Resolves once the visit is closed. */
  readonly closed: Promise<void>;

  private constructor(
    private readonly ctx: DeliveryContext,
    private readonly door: DoorRuntime,
    private readonly start: VisitStart,
    state: VisitMachineState,
  ) {
    this.state = state;
    this.closed = this.until((s) => s.phase === "closed");
    door.active = this;
  }

  /** A remote or owner visit, already persisted: begins recording, checks the gate and sends the unlock. */
  static open(ctx: DeliveryContext, door: DoorRuntime, start: VisitStart, gate: (recordingBegun: boolean) => VisitEvent): VisitOwner {
    const owner = new VisitOwner(ctx, door, start, opening());
    owner.beginRecording();
    owner.dispatch(gate(owner.recordingBegun));
    return owner;
  }

  /** A keypad visit, already persisted: the lock opened by itself; recording begins with the pre-roll on disk. */
  static keypad(ctx: DeliveryContext, door: DoorRuntime, start: VisitStart): VisitOwner {
    const first = openedAtKeypad();
    const owner = new VisitOwner(ctx, door, start, first.state);
    owner.beginRecording();
    owner.run(first.effects);
    if (start.refusal) owner.dispatch({ type: "relock-due" });
    return owner;
  }

  get id(): VisitId {
    return this.start.visitId;
  }

  get snapshot(): Readonly<VisitMachineState> {
    return this.state;
  }

  /** Feeds one event in; events raised while one is being handled queue behind it. */
  dispatch(event: VisitEvent): void {
    this.queue.push(event);
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        const moved = step(this.state, next);
        this.state = moved.state;
        this.run(moved.effects);
        this.notify(next);
      }
    } finally {
      this.dispatching = false;
    }
  }

  /** Resolves once the machine reaches a state (or handles an event) the predicate accepts. */
  until(pred: Waiter["until"]): Promise<void> {
    if (pred(this.state, undefined)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ until: pred, resolve }));
  }

  /** Ends the visit (API, owner lock, shutdown); resolves when the relock is confirmed or given up. */
  async end(): Promise<Visit> {
    this.dispatch({ type: "end-requested" });
    await this.until((s, e) => s.phase === "post-roll" || s.phase === "closed" || e?.type === "relock-given-up");
    return this.visit();
  }

  visit(): Visit {
    return requireVisit(this.ctx, this.id);
  }

  private notify(event: VisitEvent): void {
    for (const w of [...this.waiters]) {
      if (!w.until(this.state, event)) continue;
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve();
    }
  }

  private run(effects: readonly VisitEffect[]): void {
    for (const effect of effects) {
      try {
        this.perform(effect);
      } catch (error) {
        // A store write failing must not strand the visit between phases: logged, and the machine goes on.
        this.door.log.error(`Visit ${this.id}: ${effect.type} failed: ${formatError(error)}`);
      }
    }
  }

  private perform(effect: VisitEffect): void {
    const { ctx, door } = this;
    switch (effect.type) {
      case "send-unlock":
        return void this.unlock();
      case "record-open":
        return this.recordOpen(effect.late);
      case "record-unconfirmed": {
        const message = `The lock did not confirm the unlock within ${Math.round(ctx.timing.unlockDeadlineMs / 1000)} s; waiting for it to report.`;
        this.commit({ addAlerts: [message] }, { type: "visit.unlock-unconfirmed", actor: this.start.actor });
        ctx.events.emit("alert", { doorId: door.id, visitId: this.id, message, at: ctx.clock.now() });
        ctx.timers.set(settleKey(door), ctx.clock.now() + ctx.timing.settleTimeoutMs, () => this.dispatch({ type: "settle-expired" }));
        return;
      }
      case "send-relock":
        ctx.timers.clear(relockKey(door));
        ctx.timers.clear(settleKey(door));
        try {
          this.commit({}); // "relocking", committed before the lock command
        } catch (error) {
          // Fail secure: a row that cannot be written (a full disk) never keeps a door open. Relocking is safe without
          // the record: start-up recovery relocks every door that an open visit names anyway.
          door.log.error(`Visit ${this.id}: relocking without recording it first: ${formatError(error)}`);
        }
        return void this.relock();
      case "record-relock-failed": {
        const message = `The door could not be relocked (${this.lastRelockError}); it may still be unlocked. Retrying in ${Math.round(ctx.timing.relockRetryAfterMs / 1000)} s.`;
        this.commit({});
        raiseAlert(ctx, door.id, message, this.id);
        ctx.timers.set(relockKey(door), ctx.clock.now() + ctx.timing.relockRetryAfterMs, () => this.dispatch({ type: "relock-due" }));
        return;
      }
      case "record-relocked":
        ctx.timers.clear(relockKey(door));
        ctx.timers.clear(settleKey(door));
        this.commit({ relockedAt: ctx.clock.now(), relockAt: null }, { type: "visit.relocked", details: { reason: this.state.closeAs ?? "relocked" } });
        this.release();
        door.track(this.closed);
        return;
      case "end-recording":
        return void this.endRecording(effect.postRoll);
      case "close":
        return this.close(effect);
    }
  }

  private beginRecording(): void {
    const recorder = this.door.recorder;
    if (!recorder) return;
    try {
      recorder.beginVisit(this.id, { preRollMs: this.door.door.preRollSeconds * 1000 });
      this.recordingBegun = true;
    } catch (error) {
      this.door.log.warn(`The recorder could not begin the ${this.start.via} visit: ${formatError(error)}`);
    }
  }

  private async unlock(): Promise<void> {
    try {
      const result = await this.door.driver.unlock({ deadlineMs: this.ctx.timing.unlockDeadlineMs });
      this.dispatch({ type: result.outcome === "timed-out" ? "unlock-timed-out" : "unlock-confirmed" });
    } catch (error) {
      const refused = error instanceof DeviceRejectedError;
      this.unlockError = error instanceof Error ? error : new InternalError(String(error));
      this.door.log.warn(`The lock ${refused ? "refused" : "did not answer"} the unlock: ${formatError(error)}`);
      this.dispatch({ type: "unlock-failed", refused });
    }
  }

  private async relock(): Promise<void> {
    const result = await relockDoor(this.ctx, this.door).catch((e: unknown) => ({ locked: false, error: formatError(e) }));
    if (!result.locked) this.lastRelockError = result.error ?? "the lock did not confirm";
    this.dispatch({ type: result.locked ? "relock-confirmed" : "relock-given-up" });
  }

  private async endRecording(postRoll: boolean): Promise<void> {
    const full = this.door.door.postRollSeconds * 1000;
    const ms = !postRoll ? 0 : this.ctx.shuttingDown ? Math.min(full, SHUTDOWN_POST_ROLL_MS) : full;
    this.clip = this.recordingBegun ? await collectClip(this.ctx, this.door, this.id, ms) : { parts: [] };
    this.dispatch({ type: "recording-ended" });
  }

  private recordOpen(late: boolean): void {
    const { ctx, door, start } = this;
    const now = ctx.clock.now();
    const limit = start.via === "owner" ? ctx.timing.ownerVisitMaxMs : door.door.relockAfterSeconds * 1000;
    const relockAt = late || start.refusal ? undefined : now + limit;
    const patch: VisitPatch = { unlockedAt: now, ...(relockAt !== undefined && { relockAt }), ...(start.refusal && { addAlerts: [start.refusal] }) };
    const open = late
      ? this.commit(patch, { type: "visit.late-unlock" })
      : this.commit(patch, { type: "visit.unlocked", actor: start.actor, details: relockAt === undefined ? {} : { relockAt } });
    if (late) raiseAlert(ctx, door.id, "The door opened after the unlock had timed out; it is being relocked.", this.id);
    if (start.refusal) raiseAlert(ctx, door.id, start.refusal, this.id);
    ctx.events.emit("visitStarted", { visit: late || start.refusal ? this.visit() : open });
    if (relockAt !== undefined) ctx.timers.set(relockKey(door), relockAt, () => this.dispatch({ type: "relock-due" }));
  }

  private close(effect: Extract<VisitEffect, { type: "close" }>): void {
    const { ctx, door, start } = this;
    const refunded = effect.refund && start.credentialId !== undefined ? ctx.store.credentials.refundUse(start.credentialId).refunded : false;
    const alerts = [...(this.clip.alert ? [this.clip.alert] : [])];
    if (effect.failure === "unlock-unconfirmed") alerts.push("The unlock never happened; the door is confirmed locked.");
    else if (effect.failure) alerts.push(`Not opened: ${effect.failure}.`);
    const closed = this.commit(
      { closeReason: effect.reason, addClipParts: this.clip.parts, ...(alerts.length > 0 && { addAlerts: alerts }) },
      effect.failure
        ? { type: "visit.failed", actor: start.actor, details: { reason: effect.failure, refunded } }
        : { type: "visit.closed", details: { closeReason: effect.reason, clipParts: this.clip.parts.length } },
    );
    if (this.clip.alert) raiseAlert(ctx, door.id, this.clip.alert);
    if (refunded) door.sync?.schedule(); // the use came back: the code belongs on the keypad again
    this.release();
    ctx.events.emit("visitEnded", { visit: closed });
  }

  private release(): void {
    if (this.door.active === this) this.door.active = undefined;
  }

  /** Writes the machine's phase to the visit row (with `patch`), and its audit entry when there is one. */
  private commit(patch: VisitPatch, audit?: { type: string; actor?: string; details?: Record<string, string | number | boolean | null | string[]> }): Visit {
    const full: VisitPatch = { ...patch, state: storedState(this.state.phase) };
    if (!audit) return this.ctx.store.visits.transition(this.id, full);
    return commitTransition(this.ctx, this.visit(), full, audit);
  }
}

/**
 * Sends lock commands until the lock confirms "locked", or gives up after `attempts`.
 * Never claims locked without the lock's own word (a confirmed response, or a report read back from the driver).
 */
export async function relockDoor(ctx: DeliveryContext, door: DoorRuntime, attempts = ctx.timing.relockAttempts): Promise<{ locked: boolean; error?: string }> {
  let lastError = "the lock did not confirm";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (door.driver.getState() === "locked" && attempt > 1) return { locked: true };
    try {
      const result = await door.driver.lock({ deadlineMs: ctx.timing.lockDeadlineMs });
      if (result.outcome === "confirmed" && result.state === "locked") return { locked: true };
      lastError = result.outcome === "timed-out" ? "the lock did not answer in time" : `the lock reported ${result.state}`;
    } catch (error) {
      lastError = formatError(error);
    }
    if (door.driver.getState() === "locked") return { locked: true };
    if (attempt < attempts) await sleep(ctx, ctx.timing.relockRetryDelayMs);
  }
  return { locked: false, error: lastError };
}

/** Ends the visit's recording (if the recorder has it) and returns its parts; a failure is an alert, never a throw. */
export async function collectClip(
  ctx: DeliveryContext,
  door: DoorRuntime,
  visitId: VisitId,
  postRollMs: number,
  recover = false,
): Promise<{ parts: ClipPart[]; alert?: string }> {
  const recorder = door.recorder;
  if (!recorder) return { parts: [] };
  let clip: VisitClip;
  try {
    clip = recover ? await recorder.recoverVisit(visitId) : await recorder.endVisit(visitId, { postRollMs });
  } catch (error) {
    return { parts: [], alert: `The visit's clip could not be assembled: ${formatError(error)}` };
  }
  return { parts: clip.parts.map(toVisitPart) };
}

function toVisitPart(part: RecorderClipPart): ClipPart {
  return { path: part.path, durationMs: part.durationMs, firstFrameAt: part.firstFrameAt, lastFrameAt: part.lastFrameAt };
}

export function requireVisit(ctx: DeliveryContext, id: VisitId): Visit {
  const visit = ctx.store.visits.get(id);
  if (!visit) throw new InternalError(`Visit ${id} vanished from the store`);
  return visit;
}
