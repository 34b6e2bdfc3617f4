// Remote redemption, as DESIGN.md "The visit": decide → recording gate → use counted → visit persisted → recording
// begun → gate again → unlock (status checked) → open → relock later. Every transition is committed before its side effect.
import type { Credential } from "../access/credential.js";
import { decide, type Decision } from "../access/decide.js";
import type { DoorId, VisitId } from "../access/ids.js";
import { describe as describeReason, type AccessReason } from "../access/reasons.js";
import { DeviceRejectedError, formatError } from "../core/errors.js";
import type { Visit } from "../store/visit-store.js";
import type { OperationOutcome } from "../zigbee/lock-driver.js";
import { auditActor } from "./actor.js";
import { commitTransition, raiseAlert, switchesOf, type DeliveryContext } from "./delivery-context.js";
import type { RedeemOutcome, RedeemRequest } from "./delivery-port.js";
import type { DoorRuntime } from "./door-runtime.js";
import { collectClip, finishVisit, relockDoor, requireVisit, scheduleRelock, settleKey } from "./visit-lifecycle.js";

const doorKey = (doorId: DoorId) => `door:${doorId}`;
const sourceKey = (source: string) => `source:${source}`;

/** Runs one remote redemption at a known door. Never throws for a refusal: every refusal is an outcome, audited. */
export async function redeem(ctx: DeliveryContext, door: DoorRuntime, request: RedeemRequest): Promise<RedeemOutcome> {
  const now = ctx.clock.now();
  const actor = auditActor(request.actor);
  const keys = [doorKey(door.id), sourceKey(request.source)];

  const lockout = ctx.lockout.statusOf(keys);
  if (lockout.lockedOut) return lockedOut(ctx, door, actor, request.source, lockout.retryAfterMs);

  // PINs are looked up per door; a code of another door of this home answers "wrong-door", not "unknown".
  const match =
    ctx.store.credentials.findByPin(door.id, request.pin, now) ??
    [...ctx.doors.keys()].filter((d) => d !== door.id).map((d) => ctx.store.credentials.findByPin(d, request.pin, now)).find((m) => m !== undefined);
  const credential = match?.credential;
  // A provider redeems only its own codes: anyone else's is, to it, an unknown PIN.
  const visible = credential && (request.actor.kind === "owner" || credential.providerId === request.actor.providerId) ? credential : undefined;
  const decision = decide({
    credential: visible,
    usage: match?.usage,
    door: door.id,
    via: "remote",
    now,
    switches: switchesOf(ctx, door.id),
    recording: door.recording(),
    lockAvailable: door.lockConfirmed(),
    lockedOut: false,
    requireRecording: ctx.settings.requireRecording,
  });
  if (decision.outcome !== "allowed") {
    // A code of another door is as wrong here as an unknown one: both count toward the lockout, so guessing learns nothing.
    if (decision.reason === "unknown-credential" || decision.reason === "wrong-door") {
      const newly = ctx.lockout.recordFailure(keys);
      const outcome = refuse(ctx, door, actor, request.source, decision, undefined);
      if (newly.length > 0) {
        const status = ctx.lockout.statusOf(keys);
        ctx.store.audit.append({
          type: "access.lockout",
          actor,
          doorId: door.id,
          details: { scope: newly.map((k) => k.split(":")[0]!), source: request.source, retryAfterSeconds: status.lockedOut ? Math.ceil(status.retryAfterMs / 1000) : 0 },
        });
      }
      return outcome;
    }
    return refuse(ctx, door, actor, request.source, decision, visible);
  }
  const granted = visible!;

  if (door.active) {
    return refuse(ctx, door, actor, request.source, { outcome: "leave-outside", reason: "lock-unavailable" }, granted, "Another visit is in progress at this door: please try again in a moment.");
  }

  // One transaction, committed before the recording starts and before the unlock: the use, taken atomically (of two
  // concurrent redemptions of a one-time code exactly one is counted), the visit, and its audit entry.
  const opened = ctx.store.transaction(() => {
    const consumed = ctx.store.credentials.consumeUse(granted.id, now);
    if (!consumed.consumed) return consumed;
    const v = ctx.store.visits.create({ doorId: door.id, via: "remote", credentialId: granted.id, ...(granted.providerId && { providerId: granted.providerId }) });
    ctx.store.audit.append({ type: "visit.opened", actor, doorId: door.id, credentialId: granted.id, visitId: v.id, details: { via: "remote", label: granted.label, kind: granted.kind } });
    return v;
  });
  if ("consumed" in opened) return refuse(ctx, door, actor, request.source, { outcome: "denied", reason: opened.reason }, granted);
  const visit = opened;
  door.active = { id: visit.id, phase: "opening" };

  const needsRecording = ctx.settings.requireRecording || granted.requireRecording;
  let recordingBegun = false;
  if (door.recorder) {
    try {
      door.recorder.beginVisit(visit.id, { preRollMs: door.door.preRollSeconds * 1000 });
      recordingBegun = true;
    } catch (error) {
      ctx.logger.warn(`${door.id}: the recorder could not begin the visit: ${formatError(error)}`);
    }
  }
  // The gate again, immediately before the unlock: the recorder may have died since the decision.
  if (needsRecording && !(recordingBegun && door.recording())) {
    return abort(ctx, door, visit, granted, actor, request.source, "camera-unavailable", "aborted", recordingBegun);
  }
  if (!door.lockConfirmed()) return abort(ctx, door, visit, granted, actor, request.source, "lock-unavailable", "aborted", recordingBegun);

  let result: OperationOutcome;
  try {
    result = await door.driver.unlock({ deadlineMs: ctx.timing.unlockDeadlineMs });
  } catch (error) {
    const detail = error instanceof DeviceRejectedError ? "refused" : "unreachable";
    ctx.logger.warn(`${door.id}: the lock ${detail} the unlock: ${formatError(error)}`);
    return abort(ctx, door, visit, granted, actor, request.source, "lock-unavailable", "failed", recordingBegun);
  }

  if (result.outcome === "timed-out") return unconfirmed(ctx, door, visit, actor);

  const at = ctx.clock.now();
  const relockAt = at + door.door.relockAfterSeconds * 1000;
  const open = commitTransition(ctx, visit, { state: "open", unlockedAt: at, relockAt }, { type: "visit.unlocked", actor, details: { relockAt } });
  door.active.phase = "open";
  ctx.events.emit("visitStarted", { visit: open });
  scheduleRelock(ctx, door, open);
  return { outcome: "unlocked", visitId: visit.id, relockAt };
}

/** A refusal: audited (never the PIN), emitted, answered with a sentence. */
function refuse(
  ctx: DeliveryContext,
  door: DoorRuntime,
  actor: string,
  source: string,
  decision: Exclude<Decision, { outcome: "allowed" }>,
  credential: Credential | undefined,
  message?: string,
): RedeemOutcome {
  ctx.store.audit.append({
    type: "access.denied",
    actor,
    doorId: door.id,
    ...(credential && { credentialId: credential.id }),
    details: { via: "remote", reason: decision.reason, source },
  });
  ctx.events.emit("refused", { doorId: door.id, reason: decision.reason, via: "remote", at: ctx.clock.now() });
  const sentence =
    message ??
    describeReason(decision.reason, {
      ...(credential && { credential, usage: ctx.store.credentials.usage(credential.id) ?? { uses: 0 } }),
      now: ctx.clock.now(),
      timeZone: ctx.settings.timeZone,
    });
  if (decision.outcome === "denied") return { outcome: "denied", reason: decision.reason, message: sentence };
  if (decision.reason === "locked-out") return { outcome: "locked-out", reason: "locked-out", retryAfterSeconds: 1, message: sentence };
  return { outcome: "leave-outside", reason: decision.reason, message: sentence };
}

function lockedOut(ctx: DeliveryContext, door: DoorRuntime, actor: string, source: string, retryAfterMs: number): RedeemOutcome {
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  ctx.store.audit.append({ type: "access.denied", actor, doorId: door.id, details: { via: "remote", reason: "locked-out", source, retryAfterSeconds } });
  ctx.events.emit("refused", { doorId: door.id, reason: "locked-out", via: "remote", at: ctx.clock.now() });
  return { outcome: "locked-out", reason: "locked-out", retryAfterSeconds, message: describeReason("locked-out") };
}

/**
 * A step failed before the door opened: no unlock (or a refused one), the use given back, the visit closed with its
 * audit entry, the courier told to leave it outside.
 */
async function abort(
  ctx: DeliveryContext,
  door: DoorRuntime,
  visit: Visit,
  credential: Credential,
  actor: string,
  source: string,
  reason: Extract<AccessReason, "camera-unavailable" | "lock-unavailable">,
  closeReason: "aborted" | "failed",
  recordingBegun: boolean,
): Promise<RedeemOutcome> {
  const refund = ctx.store.credentials.refundUse(credential.id);
  const clip = recordingBegun ? await collectClip(ctx, door, visit.id, 0) : { parts: [] };
  const closed = commitTransition(
    ctx,
    requireVisit(ctx, visit.id),
    { state: "closed", closeReason, addAlerts: [`Not opened: ${reason}.`], addClipParts: clip.parts },
    { type: "visit.failed", actor, details: { reason, refunded: refund.refunded } },
  );
  if (door.active?.id === visit.id) door.active = undefined;
  ctx.events.emit("visitEnded", { visit: closed });
  return refuse(ctx, door, actor, source, { outcome: "leave-outside", reason }, credential);
}

/**
 * The unlock missed its deadline: not assumed failed. The visit stays open (state "opening", recording on) until the
 * lock says what it did; a late opening is relocked with an alert, and silence past the settle time ends in a
 * confirmed lock command. The courier is told to leave it outside; the use is given back only once the door is
 * confirmed locked without having opened.
 */
function unconfirmed(ctx: DeliveryContext, door: DoorRuntime, visit: Visit, actor: string): RedeemOutcome {
  const message = `The lock did not confirm the unlock within ${Math.round(ctx.timing.unlockDeadlineMs / 1000)} s; waiting for it to report.`;
  commitTransition(ctx, visit, { addAlerts: [message] }, { type: "visit.unlock-unconfirmed", actor });
  door.active!.phase = "unconfirmed";
  ctx.events.emit("alert", { doorId: door.id, visitId: visit.id, message, at: ctx.clock.now() });
  ctx.timers.set(settleKey(door), ctx.clock.now() + ctx.timing.settleTimeoutMs, () =>
    void settleSilent(ctx, door, visit.id).catch((e) => ctx.logger.error(`${door.id}: settling the timed-out unlock failed: ${formatError(e)}`)),
  );
  ctx.events.emit("refused", { doorId: door.id, reason: "lock-unavailable", via: "remote", at: ctx.clock.now() });
  return {
    outcome: "leave-outside",
    reason: "lock-unavailable",
    message: "The lock did not confirm the unlock in time: please leave it outside.",
  };
}

/** The lock reported an unlock while one was unconfirmed: the door opened late. Relock it now and say so. */
export function lateOpening(ctx: DeliveryContext, door: DoorRuntime): void {
  const active = door.active;
  if (!active || active.phase !== "unconfirmed") return;
  ctx.timers.clear(settleKey(door));
  const visit = requireVisit(ctx, active.id);
  const message = "The door opened after the unlock had timed out; it is being relocked.";
  const open = commitTransition(ctx, visit, { state: "open", unlockedAt: ctx.clock.now() }, { type: "visit.late-unlock" });
  active.phase = "open";
  raiseAlert(ctx, door.id, message, open.id);
  ctx.events.emit("visitStarted", { visit: requireVisit(ctx, open.id) });
  void finishVisit(ctx, door, "relocked").catch((e) => ctx.logger.error(`${door.id}: relock failed: ${formatError(e)}`));
}

/** Nothing heard from the lock after a timed-out unlock: make sure it is locked, then close the visit as failed. */
async function settleSilent(ctx: DeliveryContext, door: DoorRuntime, visitId: VisitId): Promise<void> {
  const active = door.active;
  if (!active || active.id !== visitId || active.phase !== "unconfirmed") return;
  active.phase = "relocking";
  let visit = ctx.store.visits.transition(visitId, { state: "relocking" });
  const result = await relockDoor(ctx, door);
  if (door.active?.id !== visitId) return; // a late opening took over meanwhile
  if (!result.locked) {
    ctx.store.visits.transition(visit.id, { state: "open" });
    door.active = { id: visitId, phase: "open" };
    raiseAlert(ctx, door.id, `The lock never confirmed the timed-out unlock, and could not be relocked (${result.error}).`, visitId);
    void finishVisit(ctx, door, "relocked").catch(() => undefined);
    return;
  }
  visit = requireVisit(ctx, visitId);
  const refund = visit.credentialId ? ctx.store.credentials.refundUse(visit.credentialId) : undefined;
  const clip = await collectClip(ctx, door, visitId, 0);
  const closed = commitTransition(
    ctx,
    requireVisit(ctx, visitId),
    { state: "closed", closeReason: "failed", relockedAt: ctx.clock.now(), addClipParts: clip.parts, addAlerts: ["The unlock never happened; the door is confirmed locked."] },
    { type: "visit.failed", details: { reason: "unlock-unconfirmed", refunded: refund?.refunded ?? false } },
  );
  door.active = undefined;
  ctx.events.emit("visitEnded", { visit: closed });
}
