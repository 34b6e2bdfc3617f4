// The DeliveryService: joins the access core, the store, the lock drivers and the recorders into the visit flow.
import { EventEmitter } from "node:events";
import { systemClock, type Clock } from "../access/clock.js";
import { DoorId, ProviderId, VisitId, type EpochMs } from "../access/ids.js";
import { DEFAULT_PIN_LIMITS } from "../access/pin.js";
import { ConflictError, DeviceUnreachableError, NotFoundError, ValidationError, formatError } from "../core/errors.js";
import { silentLogger, type Logger } from "../core/logger.js";
import type { DoorSettings } from "../store/door-settings-store.js";
import type { Store } from "../store/store.js";
import type { Visit } from "../store/visit-store.js";
import type { LockState } from "../zigbee/lock-driver.js";
import { type Actor, auditActor } from "./actor.js";
import { recoverOpenVisits, type RecoveryReport } from "./crash-recovery.js";
import { CredentialSync } from "./credential-sync.js";
import type { CredentialService } from "./credential-service.js";
import { DEFAULT_TIMING, switchDefaults, switchesOf, type DeliveryContext, type DeliverySettings, type DeliveryTiming } from "./delivery-context.js";
import type { DeliveryEvents, DeliveryPort, DoorStatus, HealthReport, RedeemOutcome, RedeemRequest } from "./delivery-port.js";
import { DoorRuntime, type DeliveryDoor } from "./door-runtime.js";
import { attachDoorEvents } from "./keypad-events.js";
import { KeypadLockout } from "./keypad-lockout.js";
import { LockoutCounter } from "./lockout.js";
import { KeyedTimers, TimerScheduler, type Scheduler } from "./relock-scheduler.js";
import { SyncedCredentialService } from "./synced-credential-service.js";
import { checkRemotePin, type RemotePinCheck, type RemotePinOutcome } from "./remote-pin-check.js";
import { redeem } from "./remote-redemption.js";
import { VisitOwner } from "./visit-owner.js";

export interface DeliveryServiceOptions {
  store: Store;
  doors: readonly DeliveryDoor[];
  settings: DeliverySettings;
  clock?: Clock;
  logger?: Logger;
  /** Default: setTimeout on the clock. Tests pass a manual one. */
  scheduler?: Scheduler;
  timing?: Partial<DeliveryTiming>;
  /** Keep the locks' keypad PINs in step with the store (default true). */
  syncKeypads?: boolean;
}

type Phase = "new" | "starting" | "running" | "stopping" | "stopped";

/**
 * The delivery service. start() finishes what a crash left open before it serves; stop() relocks doors with open
 * visits first and leaves no timer behind. The drivers and recorders are started and stopped by the caller.
 */
export class DeliveryService implements DeliveryPort {
  readonly events = new EventEmitter<DeliveryEvents>();
  readonly credentials: CredentialService;
  private readonly ctx: DeliveryContext;
  private readonly ownScheduler: TimerScheduler | undefined;
  private readonly detach: (() => void)[] = [];
  private readonly keypadLockouts: KeypadLockout[] = [];
  private phase: Phase = "new";
  private lastRecovery: RecoveryReport | undefined;

  constructor(private readonly options: DeliveryServiceOptions) {
    const clock = options.clock ?? systemClock;
    this.ownScheduler = options.scheduler ? undefined : new TimerScheduler(clock);
    const scheduler = options.scheduler ?? this.ownScheduler!;
    const logger = options.logger ?? silentLogger;
    const doors = new Map(options.doors.map((d) => [d.id, new DoorRuntime(d, logger)]));
    this.ctx = {
      store: options.store,
      clock,
      scheduler,
      timers: new KeyedTimers(scheduler),
      logger,
      events: this.events,
      settings: options.settings,
      timing: { ...DEFAULT_TIMING, ...options.timing },
      lockout: new LockoutCounter(clock, { attempts: options.settings.lockoutAttempts, windowMs: options.settings.lockoutWindowMinutes * 60_000 }, options.store.lockouts),
      doors,
    };
    this.credentials = new SyncedCredentialService(
      {
        store: options.store,
        clock,
        // Read when a credential is created: a lock paired later brings its real PIN lengths.
        doors: options.doors.map((d) => ({
          id: d.id,
          get pinLimits() {
            return { minLength: d.driver.capabilities.minPinLength, maxLength: d.driver.capabilities.maxPinLength };
          },
        })),
        maxCredentialDays: options.settings.maxCredentialDays,
        timeZone: options.settings.timeZone,
        requireRecording: options.settings.requireRecording,
        inHomeDeliveries: options.settings.inHomeDeliveries,
      },
      (credential) => {
        for (const doorId of credential.doors) this.ctx.doors.get(doorId)?.sync?.schedule();
        this.events.emit("credentialChanged", { credential });
      },
    );
  }

  /** Recovers open visits (relocking their doors), then starts the keypad sync. Resolves when ready to serve. */
  async start(): Promise<RecoveryReport> {
    if (this.phase !== "new") throw new ConflictError(`The delivery service is ${this.phase}; it starts once.`);
    this.phase = "starting";
    for (const door of this.ctx.doors.values()) this.detach.push(attachDoorEvents(this.ctx, door));
    this.lastRecovery = await recoverOpenVisits(this.ctx);
    // A lockout that outlived a restart still keeps the keypad off; one that ended meanwhile turns it back on.
    for (const door of this.ctx.doors.values()) this.keypadLockouts.push(new KeypadLockout(this.ctx, door));
    // Not awaited: a lock that does not answer must not hold up the start (the write is retried, and alerted when it matters).
    for (const k of this.keypadLockouts) {
      k.start().catch((error: unknown) => k.log.error(`Keypad lockout start failed: ${formatError(error)}`));
    }
    if (this.options.syncKeypads ?? true) {
      for (const door of this.ctx.doors.values()) {
        door.sync = new CredentialSync({
          doorId: door.id,
          driver: door.driver,
          store: this.ctx.store,
          clock: this.ctx.clock,
          scheduler: this.ctx.scheduler,
          logger: door.log,
        });
      }
      await Promise.all([...this.ctx.doors.values()].map((d) => d.sync!.start()));
    }
    this.phase = "running";
    return this.lastRecovery;
  }

  /** Relocks doors with open visits and closes them, then stops every timer and listener. */
  async stop(): Promise<void> {
    if (this.phase === "stopped" || this.phase === "stopping") return;
    this.phase = "stopping";
    this.ctx.shuttingDown = true;
    const doors = [...this.ctx.doors.values()];
    await Promise.all(
      doors.map(async (door) => {
        if (!door.active) return;
        try {
          await door.active.end();
        } catch (error) {
          door.log.error(`Relock at shutdown failed: ${formatError(error)}`);
        }
      }),
    );
    this.ctx.timers.clearAll(); // a relock that was given up is not retried past shutdown
    await Promise.all(doors.flatMap((d) => [...d.closing]));
    await Promise.all(doors.map((d) => d.sync?.stop()));
    await Promise.all(this.keypadLockouts.splice(0).map((k) => k.stop()));
    for (const off of this.detach.splice(0)) off();
    this.ctx.timers.clearAll();
    this.ownScheduler?.stop();
    this.phase = "stopped";
  }

  async redeem(request: RedeemRequest): Promise<RedeemOutcome> {
    const door = this.requireDoor(request.doorId);
    if (this.phase !== "running") {
      return { outcome: "leave-outside", reason: "lock-unavailable", message: "Doorstep is starting or shutting down: please leave it outside." };
    }
    return redeem(this.ctx, door, request);
  }

  checkRemotePin(check: RemotePinCheck): RemotePinOutcome {
    return checkRemotePin(this.ctx, this.requireDoor(check.doorId).id, check);
  }

  async endVisit(visitId: string, actor: Actor): Promise<Visit> {
    const visit = this.getVisit(visitId, actor);
    if (visit.state === "closed") return visit;
    const door = this.ctx.doors.get(visit.doorId);
    const owner = door?.active;
    if (!door || owner?.id !== visit.id) return visit; // already relocked, closing after its post-roll
    // Fail secure: the door is relocked even when the request cannot be recorded (a full disk); the caller then
    // still hears that the record failed.
    let unrecorded: unknown;
    try {
      this.ctx.store.audit.append({ type: "visit.end-requested", actor: auditActor(actor), doorId: door.id, visitId: visit.id });
    } catch (error) {
      unrecorded = error;
      door.log.error(`Visit ${visit.id}: ending it without recording the request: ${formatError(error)}`);
    }
    const ended = await owner.end();
    if (unrecorded !== undefined) throw unrecorded;
    return ended;
  }

  listVisits(actor: Actor, filter: { doorId?: string; open?: boolean; limit?: number; before?: EpochMs } = {}): Visit[] {
    return this.ctx.store.visits.list({
      ...(filter.doorId !== undefined && { doorId: DoorId(filter.doorId) }),
      ...(filter.open !== undefined && { open: filter.open }),
      ...(filter.limit !== undefined && { limit: filter.limit }),
      ...(filter.before !== undefined && { before: filter.before }),
      ...(actor.kind === "provider" && { providerId: actor.providerId }),
    });
  }

  /** NotFoundError also for another provider's visit: a provider cannot learn other visits exist. */
  getVisit(visitId: string, actor: Actor): Visit {
    const visit = this.ctx.store.visits.get(VisitId(visitId));
    if (!visit || (actor.kind === "provider" && visit.providerId !== ProviderId(actor.providerId))) throw new NotFoundError(`No visit ${visitId}.`);
    return visit;
  }

  clipParts(visitId: string, actor: Actor): { path: string; durationMs: number }[] {
    if (actor.kind !== "owner") throw new NotFoundError(`No clip for visit ${visitId}.`);
    return this.getVisit(visitId, actor).clip.map((p) => ({ path: p.path, durationMs: p.durationMs }));
  }

  doors(): DoorStatus[] {
    return [...this.ctx.doors.values()].map((d) => this.status(d));
  }

  door(doorId: string): DoorStatus {
    return this.status(this.requireDoor(doorId));
  }

  setSwitches(doorId: string, patch: Partial<DoorSettings>, actor: Actor): DoorStatus {
    const door = this.requireDoor(doorId);
    if (actor.kind !== "owner") throw new NotFoundError(`No door ${doorId}.`);
    const clean: Partial<DoorSettings> = {};
    for (const [key, value] of Object.entries(patch)) {
      if (key !== "inHomeDeliveries" && key !== "petsHome") throw new ValidationError(`unknown switch "${key}"`, key);
      if (typeof value !== "boolean") throw new ValidationError("must be true or false", key);
      clean[key] = value;
    }
    const switches = this.ctx.store.transaction(() => {
      const next = this.ctx.store.doorSettings.update(door.id, clean, switchDefaults(this.ctx));
      this.ctx.store.audit.append({ type: "door.switches", actor: auditActor(actor), doorId: door.id, details: { ...clean } });
      return next;
    });
    this.events.emit("switches", { doorId: door.id, switches });
    return this.status(door);
  }

  /** Owner unlock: no guest policy; still a visit (via "owner"), recorded when the camera is, ended by the relock. */
  async ownerUnlock(doorId: string, actor: Actor): Promise<LockState> {
    const door = this.requireDoor(doorId);
    if (actor.kind !== "owner") throw new NotFoundError(`No door ${doorId}.`);
    const active = door.active;
    if (active?.snapshot.phase === "open") {
      // Through the visit's owner: a bare unlock could land after the visit's relock and leave the door open with no visit.
      active.dispatch({ type: "unlock-requested" });
      await active.until((s) => s.phase !== "unlocking" || s.unconfirmed);
      if (active.snapshot.failure) throw active.unlockError ?? new DeviceUnreachableError("The lock did not carry out the unlock.");
      return door.driver.getState();
    }
    if (active?.snapshot.phase === "relocking") await active.until((s, e) => s.phase === "post-roll" || s.phase === "closed" || e?.type === "relock-given-up");
    if (door.active) throw new ConflictError("A visit is opening or being relocked at this door: try again in a moment.");
    const visit = this.ctx.store.transaction(() => {
      const v = this.ctx.store.visits.create({ doorId: door.id, via: "owner" });
      this.ctx.store.audit.append({ type: "visit.opened", actor: auditActor(actor), doorId: door.id, visitId: v.id, details: { via: "owner" } });
      return v;
    });
    // The owner's word is the policy: no gate. The visit ends at the owner's lock, the lock locking itself, or its maximum length.
    const owner = VisitOwner.open(this.ctx, door, { visitId: visit.id, via: "owner", actor: auditActor(actor) }, () => ({ type: "gate", ok: true }));
    await owner.until((s) => s.phase !== "opening" && !(s.phase === "unlocking" && !s.unconfirmed) && s.phase !== "post-roll");
    const state = owner.snapshot;
    if (state.failure) throw owner.unlockError ?? new DeviceUnreachableError("The lock did not carry out the unlock.");
    return door.driver.getState();
  }

  /** Owner lock: finishes the open visit if there is one (relocked and confirmed), else a plain audited lock. */
  async ownerLock(doorId: string, actor: Actor): Promise<LockState> {
    const door = this.requireDoor(doorId);
    if (actor.kind !== "owner") throw new NotFoundError(`No door ${doorId}.`);
    this.ctx.store.audit.append({ type: "owner.lock", actor: auditActor(actor), doorId: door.id });
    if (door.active) {
      await door.active.end();
      return door.driver.getState();
    }
    return this.command(door, "lock");
  }

  health(): HealthReport {
    const doors = [...this.ctx.doors.values()].map((d) => ({
      id: d.id,
      lock: d.lockConfirmed() ? ("ok" as const) : ("unavailable" as const),
      camera: !d.recorder ? ("not-configured" as const) : d.recording() ? ("ok" as const) : ("not-recording" as const),
    }));
    const audit = this.ctx.store.audit.verify().ok ? ("ok" as const) : ("tampered" as const);
    const ok = audit === "ok" && doors.every((d) => d.lock === "ok" && d.camera !== "not-recording");
    return { ok, doors, audit };
  }

  /** Resolves once no door's keypad sync pass is in flight (tests and tools that must observe a settled lock). */
  async keypadSyncIdle(): Promise<void> {
    await Promise.all([...this.ctx.doors.values()].map((d) => d.sync?.idle()));
  }

  /** What start() found and finished. */
  get recovery(): RecoveryReport | undefined {
    return this.lastRecovery;
  }

  private async command(door: DoorRuntime, kind: "lock" | "unlock"): Promise<LockState> {
    const result = await door.driver[kind]({ deadlineMs: kind === "lock" ? this.ctx.timing.lockDeadlineMs : this.ctx.timing.unlockDeadlineMs });
    return result.state;
  }

  private status(door: DoorRuntime): DoorStatus {
    const battery = door.driver.getBattery();
    const health = door.recorder?.health();
    return {
      id: door.id,
      name: door.door.name,
      lock: {
        state: door.driver.getState(),
        available: door.driver.isAvailable(),
        ...(battery !== undefined && { battery }),
        model: door.driver.identity.model,
        // What the lock accepts and Doorstep allows (4-8 digits) at once.
        pinLengths: {
          min: Math.max(DEFAULT_PIN_LIMITS.minLength, door.driver.capabilities.minPinLength),
          max: Math.min(DEFAULT_PIN_LIMITS.maxLength, door.driver.capabilities.maxPinLength),
        },
      },
      door: door.driver.getDoorState(),
      camera: { configured: door.recorder !== undefined, recording: door.recording(), ...(health && { health }) },
      switches: switchesOf(this.ctx, door.id),
      ...(door.active && { visitId: door.active.id }),
    };
  }

  private requireDoor(doorId: string): DoorRuntime {
    const door = this.ctx.doors.get(DoorId(doorId));
    if (!door) throw new NotFoundError(`No door "${doorId}" (known: ${[...this.ctx.doors.keys()].join(", ") || "none"}).`);
    return door;
  }
}

