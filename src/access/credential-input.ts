// Validation of a credential request as the API, the CLI and Matter send it. Every error
// names its field; nothing is echoed that could be a PIN.
import { ACCESS_MODES, CREDENTIAL_KINDS, type AccessMode, type CredentialKind, type NewCredential, type Schedule } from "./credential.js";
import { CredentialId, type DoorId, type EpochMs } from "./ids.js";
import { activeWindows } from "./active-windows.js";
import { isValidDate } from "./civil.js";
import { type PinLimits, checkPin } from "./pin.js";
import { checkSchedule } from "./schedule.js";

export interface FieldError {
  /** The field, e.g. "validUntil", "doors[1]", "schedule.windows[0].end". */
  path: string;
  message: string;
}

export type CredentialInputResult = { ok: true; value: NewCredential } | { ok: false; errors: FieldError[] };

export interface CredentialInputOptions {
  /** Ids of the configured doors. */
  knownDoors: readonly string[] | ReadonlySet<string>;
  /** Now, for "already over" checks and the default validFrom. */
  now: EpochMs;
  /** Longest validFrom..validUntil span (`delivery.maxCredentialDays`). */
  maxSpanDays: number;
  /** The strictest PIN length limits of the doors' locks (within the default 4-8). */
  pinLimits?: Partial<PinLimits>;
}

export const MAX_LABEL_LENGTH = 80;
export const MAX_USES_LIMIT = 10_000;

/**
 * Text that displays as something else: bidi overrides and isolates reorder what an owner reads ("Parcel" shown for
 * "lecraP"), and lone surrogates are not text at all (they break JSON and logs downstream).
 */
const UNSAFE_TEXT = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]|\p{Cs}/u;

const FIELDS = [
  "label", "kind", "doors", "pin", "validFrom", "validUntil", "schedule", "maxUses",
  "expiresAfterFirstUseMinutes", "mode", "allowWhenPetsHome", "requireRecording",
] as const;

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d{1,9})?)?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/i;
/** Epoch values below this (1973) are almost certainly seconds, not milliseconds. */
const MIN_EPOCH_MS = 100_000_000_000;

/** Parses an instant given as ISO 8601 with an explicit offset, or epoch milliseconds. */
export function parseInstant(value: unknown): { ok: true; value: EpochMs } | { ok: false; message: string } {
  if (typeof value === "number") {
    if (!Number.isInteger(value)) return { ok: false, message: "must be whole epoch milliseconds" };
    if (Math.abs(value) < MIN_EPOCH_MS) return { ok: false, message: "looks like epoch seconds: give epoch milliseconds or an ISO 8601 date-time" };
    if (Math.abs(value) > 8.64e15) return { ok: false, message: "is out of range" };
    return { ok: true, value };
  }
  if (typeof value === "string") {
    const m = ISO_INSTANT.exec(value);
    if (!m) return { ok: false, message: 'must be an ISO 8601 date-time with an offset, e.g. "2026-12-01T09:00:00+01:00" or "...Z", or epoch milliseconds' };
    if (!isValidDate(Number(m[1]), Number(m[2]), Number(m[3]))) return { ok: false, message: "is not a real calendar date" };
    const parsed = Date.parse(value);
    if (Number.isNaN(parsed)) return { ok: false, message: "is not a valid date-time" };
    return { ok: true, value: parsed };
  }
  return { ok: false, message: "must be an ISO 8601 date-time string or epoch milliseconds" };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isWhole = (v: unknown, min: number, max: number): v is number => typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;

/**
 * Validates a credential request and applies the defaults: mode "both", maxUses 1 for
 * deliveries, allowWhenPetsHome only for pet-care, requireRecording true, validFrom now.
 * Returns every error at once, each naming its field.
 */
export function validateCredentialInput(input: unknown, options: CredentialInputOptions): CredentialInputResult {
  const errors: FieldError[] = [];
  const fail = (path: string, message: string): void => void errors.push({ path, message });
  if (!isRecord(input)) return { ok: false, errors: [{ path: "", message: "must be an object" }] };

  for (const key of Object.keys(input)) {
    if (!(FIELDS as readonly string[]).includes(key)) fail(key, `unknown field "${key}"`);
  }

  let label = "";
  if (typeof input.label !== "string" || input.label.trim() === "") fail("label", "is required: a short name such as \"Parcel courier\"");
  else if (input.label.trim().length > MAX_LABEL_LENGTH) fail("label", `must be at most ${MAX_LABEL_LENGTH} characters`);
  else if (/\p{Cc}/u.test(input.label)) fail("label", "must not contain control characters");
  else if (UNSAFE_TEXT.test(input.label)) fail("label", "must not contain bidirectional controls (U+202A-E, U+2066-9, U+200E/F, U+061C) or broken UTF-16 (lone surrogates)");
  else label = input.label.trim();

  let kind: CredentialKind | undefined;
  if (typeof input.kind === "string" && (CREDENTIAL_KINDS as readonly string[]).includes(input.kind)) kind = input.kind as CredentialKind;
  else fail("kind", `must be one of ${CREDENTIAL_KINDS.join(", ")}`);

  const doors: DoorId[] = [];
  const known = options.knownDoors instanceof Set ? options.knownDoors : new Set(options.knownDoors as readonly string[]);
  const requestedDoors: unknown = input.doors;
  if (!Array.isArray(requestedDoors) || requestedDoors.length === 0) {
    fail("doors", "must be a non-empty list of door ids");
  } else {
    requestedDoors.forEach((door: unknown, i) => {
      if (typeof door !== "string" || door === "") fail(`doors[${i}]`, "must be a door id");
      else if (!known.has(door)) fail(`doors[${i}]`, `unknown door "${door}" (known: ${[...known].join(", ") || "none"})`);
      else if (requestedDoors.indexOf(door) !== i) fail(`doors[${i}]`, `door "${door}" is listed twice`);
      else doors.push(door as DoorId);
    });
  }

  let pin: string | undefined;
  if (input.pin !== undefined) {
    if (typeof input.pin !== "string") {
      fail("pin", "must be a string of digits (a number would lose leading zeros)");
    } else {
      const check = checkPin(input.pin, options.pinLimits);
      if (check.ok) pin = input.pin;
      else fail("pin", check.message);
    }
  }

  let validFrom: EpochMs | undefined = options.now;
  if (input.validFrom !== undefined) {
    const parsed = parseInstant(input.validFrom);
    validFrom = parsed.ok ? parsed.value : undefined;
    if (!parsed.ok) fail("validFrom", parsed.message);
  }
  let validUntil: EpochMs | undefined;
  if (input.validUntil === undefined) {
    fail("validUntil", "is required: every guest code ends");
  } else {
    const parsed = parseInstant(input.validUntil);
    if (parsed.ok) validUntil = parsed.value;
    else fail("validUntil", parsed.message);
  }
  const maxSpanDays = options.maxSpanDays;
  if (validFrom !== undefined && validUntil !== undefined) {
    if (validUntil <= validFrom) fail("validUntil", "must be after validFrom");
    else if (validUntil <= options.now) fail("validUntil", "is already in the past");
    else if (validUntil - validFrom > maxSpanDays * 86_400_000) fail("validUntil", `must be at most ${maxSpanDays} days after validFrom`);
  }

  let maxUses: number | undefined = kind === "delivery" ? 1 : undefined;
  if (input.maxUses !== undefined) {
    if (isWhole(input.maxUses, 1, MAX_USES_LIMIT)) maxUses = input.maxUses;
    else fail("maxUses", `must be a whole number from 1 to ${MAX_USES_LIMIT}`);
  }

  let expiresAfterFirstUseMinutes: number | undefined;
  if (input.expiresAfterFirstUseMinutes !== undefined) {
    if (isWhole(input.expiresAfterFirstUseMinutes, 1, maxSpanDays * 1440)) expiresAfterFirstUseMinutes = input.expiresAfterFirstUseMinutes;
    else fail("expiresAfterFirstUseMinutes", `must be a whole number of minutes from 1 to ${maxSpanDays * 1440}`);
  }

  let mode: AccessMode = "both";
  if (input.mode !== undefined) {
    if (typeof input.mode === "string" && (ACCESS_MODES as readonly string[]).includes(input.mode)) mode = input.mode as AccessMode;
    else fail("mode", `must be one of ${ACCESS_MODES.join(", ")}`);
  }

  let allowWhenPetsHome = kind === "pet-care";
  if (input.allowWhenPetsHome !== undefined) {
    if (typeof input.allowWhenPetsHome === "boolean") allowWhenPetsHome = input.allowWhenPetsHome;
    else fail("allowWhenPetsHome", "must be true or false");
  }

  let requireRecording = true;
  if (input.requireRecording !== undefined) {
    if (typeof input.requireRecording === "boolean") requireRecording = input.requireRecording;
    else fail("requireRecording", "must be true or false");
  }

  let schedule: Schedule | undefined;
  if (input.schedule !== undefined) {
    const checked = checkSchedule(input.schedule);
    if (checked.ok) schedule = checked.value;
    else for (const p of checked.problems) fail(p.path ? `schedule.${p.path}` : "schedule", p.message);
  }

  if (errors.length > 0 || kind === undefined || validFrom === undefined || validUntil === undefined) {
    return { ok: false, errors };
  }
  const value: NewCredential = { label, kind, doors, validFrom, validUntil, mode, allowWhenPetsHome, requireRecording };
  if (pin !== undefined) value.pin = pin;
  if (schedule !== undefined) value.schedule = schedule;
  if (maxUses !== undefined) value.maxUses = maxUses;
  if (expiresAfterFirstUseMinutes !== undefined) value.expiresAfterFirstUseMinutes = expiresAfterFirstUseMinutes;

  if (schedule) {
    // A schedule that never opens within what is left of the validity window is certainly a mistake.
    const probe = { ...value, id: CredentialId("(new)"), createdAt: options.now };
    const from = Math.max(validFrom, options.now);
    if (activeWindows(probe, from, validUntil).length === 0) {
      const path = schedule.type === "rrule" ? "schedule.rrule" : "schedule.windows";
      const message = from > validFrom ? "never occurs again before validUntil" : "never occurs between validFrom and validUntil";
      return { ok: false, errors: [{ path, message }] };
    }
  }
  return { ok: true, value };
}
