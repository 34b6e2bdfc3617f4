// A PIN checked without opening the door (Matter's LockDoor with requirePinForRemoteOperation): it is guessed as
// easily as a redemption, so it passes the same wrong-PIN lockout and counts toward it, per door and per source.
import type { CredentialId, DoorId } from "../access/ids.js";
import { isLive } from "../access/liveness.js";
import { auditActor, type Actor } from "./actor.js";
import type { DeliveryContext } from "./delivery-context.js";

export interface RemotePinCheck {
  doorId: string;
  pin: string;
  actor: Actor;
  /** The client, for the per-source lockout (as RedeemRequest.source). */
  source: string;
}

export type RemotePinOutcome =
  | { outcome: "valid"; credentialId: CredentialId }
  | { outcome: "invalid" }
  | { outcome: "locked-out"; retryAfterSeconds: number };

/** "valid" only for a live credential of this door; during a lockout the PIN is not even looked at. */
export function checkRemotePin(ctx: DeliveryContext, doorId: DoorId, check: RemotePinCheck): RemotePinOutcome {
  const actor = auditActor(check.actor);
  const keys = [`door:${doorId}`, `source:${check.source}`];
  const before = ctx.lockout.statusOf(keys);
  if (before.lockedOut) {
    const retryAfterSeconds = Math.max(1, Math.ceil(before.retryAfterMs / 1000));
    ctx.store.audit.append({ type: "access.denied", actor, doorId, details: { via: "remote", reason: "locked-out", source: check.source, retryAfterSeconds } });
    return { outcome: "locked-out", retryAfterSeconds };
  }
  const match = ctx.store.credentials.findByPin(doorId, check.pin, ctx.clock.now());
  if (match && isLive(match.credential, match.usage, ctx.clock.now())) return { outcome: "valid", credentialId: match.credential.id };
  // As in a redemption: a known code out of its time or uses is refused but is no guess; an unknown one counts.
  if (match) return { outcome: "invalid" };
  const newly = ctx.lockout.recordFailure(keys);
  if (newly.length > 0) {
    const status = ctx.lockout.statusOf(keys);
    ctx.store.audit.append({
      type: "access.lockout",
      actor,
      doorId,
      details: { scope: newly.map((k) => k.split(":")[0]!), source: check.source, retryAfterSeconds: status.lockedOut ? Math.ceil(status.retryAfterMs / 1000) : 0 },
    });
  }
  return { outcome: "invalid" };
}
