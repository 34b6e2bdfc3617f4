// The access decision: may this credential open this door now? Pure; every fact is passed in.
import type { Credential, CredentialUsage } from "./credential.js";
import type { DoorId, EpochMs } from "./ids.js";
import type { DenyReason, LeaveOutsideReason } from "./reasons.js";
import { effectiveUntil } from "./liveness.js";
import { boundByOwner } from "./provider-rights.js";
import { isWithinSchedule } from "./schedule.js";

export type Decision =
  | { outcome: "allowed" }
  | { outcome: "denied"; reason: DenyReason }
  | { outcome: "leave-outside"; reason: LeaveOutsideReason };

/** How the credential is presented: typed on the lock keypad, or redeemed through the API. */
export type Via = "keypad" | "remote";

/** The door's household switches, as HomeKit/Matter/the API set them. */
export interface DoorSwitches {
  inHomeDeliveries: boolean;
  petsHome: boolean;
}

export interface DecideInput {
  /** The credential matched by the PIN, or undefined when none matched. */
  credential: Credential | undefined;
  /** Its use so far; absent means never used. */
  usage?: CredentialUsage;
  door: DoorId;
  via: Via;
  now: EpochMs;
  switches: DoorSwitches;
  /** The camera gate: a fresh frame arrived recently, so the visit can be recorded. */
  recording: boolean;
  /** The lock is reachable and its state known. */
  lockAvailable: boolean;
  /** Too many wrong PINs at this door or from this source. */
  lockedOut: boolean;
  /** The global `delivery.requireRecording`; the stricter of it and the credential's own applies. */
  requireRecording: boolean;
}

const allowed: Decision = { outcome: "allowed" };
const deny = (reason: DenyReason): Decision => ({ outcome: "denied", reason });
const leaveOutside = (reason: LeaveOutsideReason): Decision => ({ outcome: "leave-outside", reason });

/**
 * Decides one access attempt. The first failing check wins, in this order:
 *
 * 1. locked-out: first, so that someone guessing PINs learns nothing, not even whether a
 *    PIN exists;
 * 2. unknown-credential;
 * 3. what the credential can never do again: revoked (whenever revokedAt is set: a
 *    revocation is final, as in isLive), expired (validUntil, or
 *    expiresAfterFirstUseMinutes after the first use), uses-exhausted;
 * 4. what it cannot do here or now: not-yet-valid, wrong-door, mode-not-allowed,
 *    outside-schedule;
 * 5. only for a credential that is valid right now, the state of the home (these answer
 *    "leave-outside", and are not revealed to anyone else): deliveries-paused, pets-home,
 *    lock-unavailable, camera-unavailable.
 *
 * "In-home deliveries" off pauses credentials of kind `delivery` and every credential a provider
 * made: the owner's cleaner, dog walker and house guest are not couriers, and the owner pauses
 * those by revoking. A provider's credential is held to the provider table whatever is stored
 * (one use, recorded, never while pets are home; see provider-rights.ts).
 * Fail closed: an invalid stored schedule throws rather than allowing.
 */
export function decide(input: DecideInput): Decision {
  const { now } = input;
  if (input.lockedOut) return leaveOutside("locked-out");
  if (!input.credential) return deny("unknown-credential");
  const credential = boundByOwner(input.credential);
  const usage = input.usage ?? { uses: 0 };

  if (credential.revokedAt !== undefined) return deny("revoked");
  if (now >= effectiveUntil(credential, usage)) return deny("expired");
  if (credential.maxUses !== undefined && usage.uses >= credential.maxUses) return deny("uses-exhausted");

  if (now < credential.validFrom) return deny("not-yet-valid");
  if (!credential.doors.includes(input.door)) return deny("wrong-door");
  if (credential.mode !== "both" && credential.mode !== input.via) return deny("mode-not-allowed");
  if (credential.schedule && !isWithinSchedule(credential.schedule, now)) return deny("outside-schedule");

  if (credential.inHomeDelivery && !input.switches.inHomeDeliveries) return leaveOutside("deliveries-paused");
  if (input.switches.petsHome && !credential.allowWhenPetsHome) return leaveOutside("pets-home");
  if (!input.lockAvailable) return leaveOutside("lock-unavailable");
  if ((input.requireRecording || credential.requireRecording) && !input.recording) return leaveOutside("camera-unavailable");
  return allowed;
}
