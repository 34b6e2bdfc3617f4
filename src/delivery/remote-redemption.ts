// Remote redemption, as DESIGN.md "The visit": lockout → decide → use counted and visit persisted in one transaction;
// from there the visit's owner (visit-owner.ts) records, checks the gate again, unlocks and relocks.
import type { Credential } from "../access/credential.js";
import { decide, type Decision } from "../access/decide.js";
import type { DoorId } from "../access/ids.js";
import { describe as describeReason } from "../access/reasons.js";
import { auditActor } from "./actor.js";
import { switchesOf, type DeliveryContext } from "./delivery-context.js";
import type { RedeemOutcome, RedeemRequest } from "./delivery-port.js";
import type { DoorRuntime } from "./door-runtime.js";
import { VisitOwner } from "./visit-owner.js";

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
  // A use on any path changes what belongs on the keypad (a one-time code used up remotely must leave the lock now).
  door.sync?.schedule();

  const needsRecording = ctx.settings.requireRecording || granted.requireRecording;
  const owner = VisitOwner.open(ctx, door, { visitId: opened.id, via: "remote", actor, credentialId: granted.id }, (recordingBegun) => {
    // The gate again, immediately before the unlock: the recorder may have died since the decision.
    if (needsRecording && !(recordingBegun && door.recording())) return { type: "gate", ok: false, reason: "camera-unavailable" };
    if (!door.lockConfirmed()) return { type: "gate", ok: false, reason: "lock-unavailable" };
    return { type: "gate", ok: true };
  });
  // Answered once the unlock is settled one way or the other; a failure that needs no relock is answered once closed.
  await owner.until((s) => s.phase === "open" || s.phase === "relocking" || s.phase === "closed" || (s.phase === "unlocking" && s.unconfirmed));
  const state = owner.snapshot;
  if (state.phase === "open") {
    const visit = owner.visit();
    return { outcome: "unlocked", visitId: visit.id, relockAt: visit.relockAt! };
  }
  if (state.phase === "unlocking") {
    ctx.events.emit("refused", { doorId: door.id, reason: "lock-unavailable", via: "remote", at: ctx.clock.now() });
    return { outcome: "leave-outside", reason: "lock-unavailable", message: "The lock did not confirm the unlock in time: please leave it outside." };
  }
  const reason = state.failure === "camera-unavailable" ? "camera-unavailable" : "lock-unavailable";
  return refuse(ctx, door, actor, request.source, { outcome: "leave-outside", reason }, granted);
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
