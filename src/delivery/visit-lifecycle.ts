// The second half of every visit: relock (confirmed by the lock), post-roll, clip, close, audit.
import type { VisitId } from "../access/ids.js";
import type { ClipPart as RecorderClipPart, VisitClip } from "../camera/recorder.js";
import { InternalError, NotFoundError, formatError } from "../core/errors.js";
import type { ClipPart, CloseReason, Visit } from "../store/visit-store.js";
import { commitTransition, raiseAlert, sleep, type DeliveryContext, SHUTDOWN_POST_ROLL_MS } from "./delivery-context.js";
import type { DoorRuntime } from "./door-runtime.js";

/** Timer keys: one relock and one settle wait per door. */
export const relockKey = (door: DoorRuntime) => `relock:${door.id}`;
export const settleKey = (door: DoorRuntime) => `settle:${door.id}`;

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

/** Schedules the visit's relock at its relockAt. */
export function scheduleRelock(ctx: DeliveryContext, door: DoorRuntime, visit: Visit): void {
  if (visit.relockAt === undefined) return;
  ctx.timers.set(relockKey(door), visit.relockAt, () => void finishVisit(ctx, door, "relocked").catch((e) => ctx.logger.error(`${door.id}: relock failed: ${formatError(e)}`)));
}

/**
 * Relocks the door of the active visit and, once the lock confirms, closes the visit after the post-roll (in the
 * background). Resolves with the visit as stored when the relock was confirmed or given up.
 * A given-up relock puts the visit back to "open", raises an alert and tries again later.
 */
export function finishVisit(ctx: DeliveryContext, door: DoorRuntime, reason: "relocked" | "ended"): Promise<Visit> {
  const active = door.active;
  if (!active) return Promise.reject(new NotFoundError(`no open visit at ${door.id}`));
  if (active.relocking) return active.relocking;
  ctx.timers.clear(relockKey(door));
  ctx.timers.clear(settleKey(door));
  active.phase = "relocking";
  const run = async (): Promise<Visit> => {
    let visit = requireVisit(ctx, active.id);
    visit = ctx.store.visits.transition(visit.id, { state: "relocking" }); // committed before the lock command
    const result = await relockDoor(ctx, door);
    if (!result.locked) {
      const message = `The door could not be relocked (${result.error}); it may still be unlocked. Retrying in ${Math.round(ctx.timing.relockRetryAfterMs / 1000)} s.`;
      visit = ctx.store.visits.transition(visit.id, { state: "open" });
      active.phase = "open";
      active.relocking = undefined;
      raiseAlert(ctx, door.id, message, visit.id);
      ctx.timers.set(relockKey(door), ctx.clock.now() + ctx.timing.relockRetryAfterMs, () => void finishVisit(ctx, door, reason).catch(() => undefined));
      return requireVisit(ctx, visit.id);
    }
    return relocked(ctx, door, reason);
  };
  active.relocking = run();
  return active.relocking;
}

/**
 * The lock confirmed it is locked for the active visit (our command, or the lock reporting it by itself): records the
 * relock, frees the door and closes the visit after the post-roll.
 */
export function relocked(ctx: DeliveryContext, door: DoorRuntime, reason: "relocked" | "ended"): Visit {
  const active = door.active!;
  ctx.timers.clear(relockKey(door));
  ctx.timers.clear(settleKey(door));
  const now = ctx.clock.now();
  let visit = requireVisit(ctx, active.id);
  visit = commitTransition(ctx, visit, { state: "relocking", relockedAt: now, relockAt: null }, { type: "visit.relocked", details: { reason } });
  door.active = undefined;
  door.track(closeAfterPostRoll(ctx, door, visit, reason).catch((e) => ctx.logger.error(`${door.id}: closing visit ${visit.id} failed: ${formatError(e)}`)));
  return visit;
}

/** Keeps recording for the post-roll, stores the clip parts, closes the visit with its audit entry, emits visitEnded. */
export async function closeAfterPostRoll(ctx: DeliveryContext, door: DoorRuntime, visit: Visit, reason: CloseReason): Promise<void> {
  const postRollMs = door.door.postRollSeconds * 1000;
  const parts = await collectClip(ctx, door, visit.id, ctx.shuttingDown ? Math.min(postRollMs, SHUTDOWN_POST_ROLL_MS) : postRollMs);
  const closed = commitTransition(
    ctx,
    visit,
    { state: "closed", closeReason: reason, addClipParts: parts.parts, ...(parts.alert && { addAlerts: [parts.alert] }) },
    { type: "visit.closed", details: { closeReason: reason, clipParts: parts.parts.length } },
  );
  if (parts.alert) raiseAlert(ctx, door.id, parts.alert);
  ctx.events.emit("visitEnded", { visit: closed });
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
  if (!visit) throw new InternalError(`visit ${id} vanished from the store`);
  return visit;
}
