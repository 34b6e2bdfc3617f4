// Why a door did not open, as stable identifiers (API, audit) and as sentences (CLI, logs).
import type { Credential, CredentialUsage } from "./credential.js";
import type { EpochMs } from "./ids.js";
import { activeWindows } from "./active-windows.js";
import { effectiveUntil } from "./liveness.js";
import { formatInstant } from "./time-zone.js";

/** Reasons that refuse the credential itself: the answer is "denied". */
export const DENY_REASONS = [
  "unknown-credential",
  "revoked",
  "not-yet-valid",
  "expired",
  "outside-schedule",
  "uses-exhausted",
  "wrong-door",
  /** A keypad-only code redeemed remotely, or a remote-only code typed on the keypad. */
  "mode-not-allowed",
] as const;
export type DenyReason = (typeof DENY_REASONS)[number];

/** Reasons where the credential is fine but the home says no: the answer is "leave-outside". */
export const LEAVE_OUTSIDE_REASONS = ["deliveries-paused", "pets-home", "camera-unavailable", "lock-unavailable", "locked-out"] as const;
export type LeaveOutsideReason = (typeof LEAVE_OUTSIDE_REASONS)[number];

export type AccessReason = DenyReason | LeaveOutsideReason;

export function isLeaveOutsideReason(reason: AccessReason): reason is LeaveOutsideReason {
  return (LEAVE_OUTSIDE_REASONS as readonly string[]).includes(reason);
}

/** What `describe` may use to be specific; everything is optional. Never pass a PIN. */
export interface ReasonContext {
  credential?: Credential;
  usage?: CredentialUsage;
  now?: EpochMs;
  /** Zone for dates when the credential has no schedule (e.g. the home's zone); default UTC. */
  timeZone?: string;
}

/** How far ahead `describe` looks for the next window of a scheduled credential. */
const NEXT_WINDOW_HORIZON_MS = 400 * 86_400_000;

function zoneOf(context: ReasonContext): string {
  return context.credential?.schedule?.timeZone ?? context.timeZone ?? "UTC";
}

function nextWindowStart(context: ReasonContext): EpochMs | undefined {
  const { credential, now } = context;
  if (!credential || now === undefined) return undefined;
  const windows = activeWindows(credential, now, now + NEXT_WINDOW_HORIZON_MS, context.usage);
  return windows.find((w) => w.start > now)?.start;
}

/** A sentence for a person: "The code is outside its schedule (next window opens Tue 2026-12-01 09:00 Europe/Berlin)." */
export function describe(reason: AccessReason, context: ReasonContext = {}): string {
  const { credential } = context;
  const at = (instant: EpochMs): string => formatInstant(instant, zoneOf(context));
  switch (reason) {
    case "unknown-credential":
      return "No guest code matches this PIN.";
    case "revoked":
      return credential?.revokedAt !== undefined ? `The code was revoked on ${at(credential.revokedAt)}.` : "The code was revoked.";
    case "not-yet-valid":
      return credential ? `The code is not valid yet (valid from ${at(credential.validFrom)}).` : "The code is not valid yet.";
    case "expired": {
      if (!credential) return "The code has expired.";
      const until = effectiveUntil(credential, context.usage ?? { uses: 0 });
      const early = until < credential.validUntil ? " (it expires a set time after its first use)" : "";
      return `The code expired on ${at(until)}${early}.`;
    }
    case "outside-schedule": {
      const next = nextWindowStart(context);
      return next !== undefined
        ? `The code is outside its schedule (next window opens ${at(next)}).`
        : "The code is outside its schedule, and no later window remains before it expires.";
    }
    case "uses-exhausted":
      return credential?.maxUses !== undefined
        ? `The code has been used its allowed ${credential.maxUses} time${credential.maxUses === 1 ? "" : "s"}.`
        : "The code has no uses left.";
    case "wrong-door":
      return "The code is not valid for this door.";
    case "mode-not-allowed":
      return credential?.mode === "keypad"
        ? "The code may only be typed on the lock's keypad, not redeemed remotely."
        : credential?.mode === "remote"
          ? "The code may only be redeemed remotely, not typed on the keypad."
          : "The code may not be used this way.";
    case "deliveries-paused":
      return "In-home deliveries are switched off: please leave the parcel outside.";
    case "pets-home":
      return "Pets are home and this code is not allowed in with pets: please leave it outside.";
    case "camera-unavailable":
      return "The door camera is not recording, and access needs a recording: please leave it outside.";
    case "lock-unavailable":
      return "The lock cannot be reached right now: please leave it outside.";
    case "locked-out":
      return "Too many wrong codes were tried at this door: access is paused for a while.";
  }
}
