// What a service provider's token may create, and how the owner's rules bind every credential a provider made.
// Pure: the table is data, checked at creation and applied again at every decision (so a row stored before these
// rules, or edited in the database, cannot open more than the table allows).
import type { Credential, NewCredential } from "./credential.js";
import type { FieldError } from "./credential-input.js";
import type { DoorId, EpochMs } from "./ids.js";

/** The longest validFrom..validUntil a provider may give a credential: one working day's delivery slot. */
export const PROVIDER_MAX_SPAN_HOURS = 24;
const PROVIDER_MAX_SPAN_MS = PROVIDER_MAX_SPAN_HOURS * 3_600_000;

/**
 * The provider's table, one row per field a request may carry. Everything not listed as free is fixed; the owner may
 * set any value. Kept as data so docs/operations.md and the OpenAPI description say the same thing.
 */
export const PROVIDER_RIGHTS = {
  label: "any label",
  kind: 'must be "delivery"',
  doors: "only the doors the token was given (every configured door when it was given none)",
  pin: "must be left out: the bridge picks the PIN",
  validFrom: "any start",
  validUntil: `must be at most ${PROVIDER_MAX_SPAN_HOURS} h after validFrom (or after now, when validFrom is past)`,
  schedule: "any schedule (it only narrows the window)",
  maxUses: "must be 1 (the default)",
  expiresAfterFirstUseMinutes: "any (it only shortens the life)",
  mode: "keypad, remote or both",
  allowWhenPetsHome: "must be false (the default): the owner's Pets home switch binds",
  requireRecording: "must be true (the default): every provider visit is recorded",
} as const satisfies Record<keyof NewCredential | "pin", string>;

/**
 * What a validated provider request asks beyond the table, each naming its field; empty when it is within it.
 * `requested` is the raw body (to tell "pin" given from not given); `value` the validated request with its defaults.
 */
export function providerRightsIssues(
  requested: Record<string, unknown>,
  value: NewCredential,
  now: EpochMs,
  /** The doors the provider's token was given; undefined: every configured door. */
  grantedDoors?: readonly DoorId[],
): FieldError[] {
  const issues: FieldError[] = [];
  const refuse = (path: keyof typeof PROVIDER_RIGHTS, at: string = path): void =>
    void issues.push({ path: at, message: `for a provider token, ${PROVIDER_RIGHTS[path]}` });
  if ("pin" in requested) refuse("pin");
  if (value.kind !== "delivery") refuse("kind");
  if (grantedDoors) value.doors.forEach((door, i) => grantedDoors.includes(door) || refuse("doors", `doors[${i}]`));
  if (requested["maxUses"] !== undefined && value.maxUses !== 1) refuse("maxUses");
  if (requested["allowWhenPetsHome"] !== undefined && value.allowWhenPetsHome) refuse("allowWhenPetsHome");
  if (!value.requireRecording) refuse("requireRecording");
  if (value.validUntil - Math.max(value.validFrom, now) > PROVIDER_MAX_SPAN_MS) refuse("validUntil");
  return issues;
}

/**
 * A credential as the policy treats it. The owner's own credentials are taken as stored; a provider's is held to the
 * table whatever is stored: a courier's code (whatever its kind) is an in-home delivery, for one use, always recorded,
 * never while pets are home, and for at most the provider's span.
 */
export function boundByOwner(credential: Credential): Credential & { inHomeDelivery: boolean } {
  if (credential.providerId === undefined) return { ...credential, inHomeDelivery: credential.kind === "delivery" };
  return {
    ...credential,
    inHomeDelivery: true,
    maxUses: Math.min(credential.maxUses ?? 1, 1),
    allowWhenPetsHome: false,
    requireRecording: true,
    validUntil: Math.min(credential.validUntil, Math.max(credential.validFrom, credential.createdAt) + PROVIDER_MAX_SPAN_MS),
  };
}
