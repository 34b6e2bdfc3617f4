// What every part of the delivery flow shares: the store, the clock, timers, events, settings and the doors.
import type { EventEmitter } from "node:events";
import type { Clock } from "../access/clock.js";
import type { DeliveryConfig } from "../config/config.js";
import type { DoorId, EpochMs, VisitId } from "../access/ids.js";
import { formatError } from "../core/errors.js";
import { prefixed, type Logger } from "../core/logger.js";
import type { DoorSettings } from "../store/door-settings-store.js";
import type { Store } from "../store/store.js";
import type { Visit, VisitPatch } from "../store/visit-store.js";
import type { DeliveryEvents } from "./delivery-port.js";
import type { DoorRuntime } from "./door-runtime.js";
import type { LockoutCounter } from "./lockout.js";
import type { KeyedTimers, Scheduler } from "./relock-scheduler.js";
import { LATE_UNLOCK_WINDOW_MS } from "../zigbee/lock-driver.js";

/** The global delivery settings: config `delivery`, defaults applied. */
export type DeliverySettings = DeliveryConfig;

/** How long the flow waits for the lock, and how hard it tries to relock. */
export interface DeliveryTiming {
  /** Hard deadline of an unlock command; past it the unlock is "timed out", not failed (default 8 s). */
  unlockDeadlineMs: number;
  /** Deadline of one lock command (default 8 s). */
  lockDeadlineMs: number;
  /** Lock commands tried before a relock is given up with an alert (default 3). */
  relockAttempts: number;
  /** Pause between two relock attempts (default 2 s). */
  relockRetryDelayMs: number;
  /** After a given-up relock, when to try again (default 30 s). */
  relockRetryAfterMs: number;
  /** After a timed-out unlock, how long to wait for the lock to say what it did (default: the drivers' late-unlock window). */
  settleTimeoutMs: number;
  /** An owner's unlock is relocked after this long at the latest, so it ends, frees the door and its clip stops (default 15 min). */
  ownerVisitMaxMs: number;
}

export const DEFAULT_TIMING: DeliveryTiming = {
  unlockDeadlineMs: 8_000,
  lockDeadlineMs: 8_000,
  relockAttempts: 3,
  relockRetryDelayMs: 2_000,
  relockRetryAfterMs: 30_000,
  settleTimeoutMs: LATE_UNLOCK_WINDOW_MS,
  ownerVisitMaxMs: 15 * 60_000,
};

export interface DeliveryContext {
  store: Store;
  clock: Clock;
  scheduler: Scheduler;
  timers: KeyedTimers;
  logger: Logger;
  events: EventEmitter<DeliveryEvents>;
  settings: DeliverySettings;
  timing: DeliveryTiming;
  lockout: LockoutCounter;
  doors: Map<DoorId, DoorRuntime>;
  /** Set by stop(): visits relocked from now on keep at most SHUTDOWN_POST_ROLL_MS of post-roll (hosts kill slow stops). */
  shuttingDown?: boolean;
}

/** Homebridge force-exits 5 s after SIGTERM; a relock plus this post-roll and the clip assembly fit in that. */
export const SHUTDOWN_POST_ROLL_MS = 1_000;

/** The door's switches: stored values, or the config defaults for switches the owner never touched. */
export function switchesOf(ctx: DeliveryContext, doorId: DoorId): DoorSettings {
  return ctx.store.doorSettings.get(doorId, switchDefaults(ctx));
}

export function switchDefaults(ctx: DeliveryContext): DoorSettings {
  return { inHomeDeliveries: ctx.settings.inHomeDeliveries, petsHome: false };
}

/** Something a person should look at: logged, audited, emitted, and noted on the visit when there is one. */
export function raiseAlert(ctx: DeliveryContext, doorId: DoorId, message: string, visitId?: VisitId): void {
  const at: EpochMs = ctx.clock.now();
  const log = ctx.doors.get(doorId)?.log ?? prefixed(ctx.logger, doorId);
  log.warn(message);
  try {
    ctx.store.transaction(() => {
      if (visitId) {
        const visit = ctx.store.visits.get(visitId);
        if (visit && visit.state !== "closed" && !visit.alerts.includes(message)) ctx.store.visits.transition(visitId, { addAlerts: [message] });
      }
      ctx.store.audit.append({ type: "door.alert", actor: "system", doorId, ...(visitId && { visitId }), details: { message } });
    });
  } catch (error) {
    log.error(`Could not record the alert: ${formatError(error)}`);
  }
  ctx.events.emit("alert", { doorId, ...(visitId && { visitId }), message, at });
}

/** One visit transition and its audit entry, committed together. */
export function commitTransition(
  ctx: DeliveryContext,
  visit: Visit,
  patch: VisitPatch,
  audit: { type: string; actor?: string; details?: Record<string, string | number | boolean | null | string[]> },
): Visit {
  return ctx.store.transaction(() => {
    const next = ctx.store.visits.transition(visit.id, patch);
    ctx.store.audit.append({
      type: audit.type,
      actor: audit.actor ?? "system",
      doorId: next.doorId,
      visitId: next.id,
      ...(next.credentialId && { credentialId: next.credentialId }),
      details: audit.details ?? {},
    });
    return next;
  });
}

/** Resolves after `ms` on the injected scheduler (immediately for 0). */
export function sleep(ctx: DeliveryContext, ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => ctx.scheduler.at(ctx.clock.now() + ms, resolve));
}
