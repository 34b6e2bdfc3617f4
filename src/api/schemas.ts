// JSON schemas of the HTTP API v1: the request validator (ajv, through Fastify), the response allowlist
// (fast-json-stringify writes only the properties listed here, so a field added to a record never leaks by accident),
// and the published contract (docs/openapi.json is generated from them).
import { ACCESS_MODES, CREDENTIAL_KINDS, WEEKDAYS } from "../access/credential.js";
import { DENY_REASONS, LEAVE_OUTSIDE_REASONS } from "../access/reasons.js";
import { CLOSE_REASONS, VISIT_STATES, VISIT_VIAS } from "../store/visit-store.js";

/** A JSON schema as plain data (draft 2020-12 subset that ajv, fast-json-stringify and OpenAPI 3.1 all read). */
export type JsonSchema = { readonly [key: string]: unknown };

const LOCK_STATES = ["locked", "unlocked", "locking", "unlocking", "jammed", "unknown"] as const;
const DOOR_STATES = ["open", "closed", "jammed", "forced-open", "unknown"] as const;
const AUDIT_PROBLEMS = ["edited", "deleted", "reordered", "truncated", "inserted"] as const;

const epochMs = { type: "integer", description: "Milliseconds since the UNIX epoch (UTC)." } as const;
/** Door ids as the config allows them (src/config/options.ts). */
export const doorIdSchema = { type: "string", pattern: "^[a-z0-9][a-z0-9-]{0,31}$" } as const;
/** Credential and visit ids: "cred_<uuid>", "<uuid>". Anything else (a path, a dot) is refused before a lookup. */
export const recordIdSchema = { type: "string", pattern: "^[A-Za-z0-9_-]{1,64}$" } as const;
/** An instant in a request: ISO 8601 with an offset, or epoch milliseconds (the credential validator checks the details). */
const instantInput = {
  type: ["string", "integer"],
  maxLength: 40,
  description: 'ISO 8601 date-time with an offset ("2026-12-01T09:00:00+01:00", "...Z") or epoch milliseconds.',
} as const;

// ---------------------------------------------------------------- shared pieces

export const errorSchema = {
  title: "Error",
  type: "object",
  additionalProperties: false,
  required: ["code", "message"],
  properties: {
    code: { type: "string", description: "Stable, machine-readable: invalid-input, unauthorized, forbidden, not-found, conflict, …" },
    message: { type: "string", description: "A sentence for a person. Never a PIN, token or stack." },
    issues: {
      type: "array",
      description: "For invalid-input: every problem found; for forbidden on a credential: every field beyond a provider's rights. Each names its field.",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["path", "message"],
        properties: { path: { type: "string" }, message: { type: "string" } },
      },
    },
  },
} as const;

const weeklyWindow = {
  type: "object",
  additionalProperties: false,
  required: ["days", "start", "end"],
  properties: {
    days: { type: "array", minItems: 1, maxItems: 7, items: { enum: WEEKDAYS } },
    start: { type: "string", maxLength: 5, description: 'Local "HH:MM".' },
    end: { type: "string", maxLength: 5, description: 'Local "HH:MM"; end <= start crosses midnight.' },
  },
} as const;

const weeklySchedule = {
  type: "object",
  additionalProperties: false,
  required: ["type", "timeZone", "windows"],
  properties: {
    type: { const: "weekly" },
    timeZone: { type: "string", maxLength: 64, description: "IANA time zone, e.g. Europe/Berlin." },
    windows: { type: "array", minItems: 1, maxItems: 32, items: weeklyWindow },
  },
} as const;

const rruleSchedule = {
  type: "object",
  additionalProperties: false,
  required: ["type", "timeZone", "dtstart", "rrule", "durationMinutes"],
  properties: {
    type: { const: "rrule" },
    timeZone: { type: "string", maxLength: 64 },
    dtstart: { type: "string", maxLength: 32, description: 'Local "YYYY-MM-DDTHH:MM" in timeZone.' },
    rrule: { type: "string", maxLength: 512, description: 'RFC 5545 RRULE value without "RRULE:", e.g. "FREQ=WEEKLY;BYDAY=TU".' },
    durationMinutes: { type: "integer", minimum: 1 },
  },
} as const;

/** Weekly windows or an RRULE: the `type` field picks the shape (if/then keeps ajv's errors to the chosen shape). */
const scheduleSchema = {
  title: "Schedule",
  type: "object",
  required: ["type"],
  properties: { type: { enum: ["weekly", "rrule"] } },
  allOf: [
    { if: { properties: { type: { const: "weekly" } } }, then: weeklySchedule },
    { if: { properties: { type: { const: "rrule" } } }, then: rruleSchedule },
  ],
} as const;

/** The schedule as responses carry it: one flat shape (the serializer cannot merge if/then branches). */
const scheduleOutputSchema = {
  title: "ScheduleOut",
  type: "object",
  additionalProperties: false,
  required: ["type", "timeZone"],
  description: 'type "weekly" has windows; type "rrule" has dtstart, rrule and durationMinutes.',
  properties: {
    type: { enum: ["weekly", "rrule"] },
    timeZone: { type: "string" },
    windows: { type: "array", items: weeklyWindow },
    dtstart: { type: "string" },
    rrule: { type: "string" },
    durationMinutes: { type: "integer" },
  },
} as const;

// ---------------------------------------------------------------- credentials

export const credentialInputSchema = {
  title: "CredentialInput",
  type: "object",
  additionalProperties: false,
  required: ["label", "kind", "doors", "validUntil"],
  properties: {
    label: { type: "string", minLength: 1, maxLength: 200, description: "A short name (at most 80 characters once trimmed)." },
    kind: { enum: CREDENTIAL_KINDS },
    doors: { type: "array", minItems: 1, maxItems: 32, items: { type: "string", minLength: 1, maxLength: 64 } },
    pin: {
      type: "string",
      maxLength: 16,
      description: "A PIN of your choice (digits; trivial ones are refused). Absent: one is generated. Shown once in the 201 response.",
    },
    validFrom: { ...instantInput, description: `${instantInput.description} Default: now.` },
    validUntil: { ...instantInput, description: `${instantInput.description} Required: every guest code ends.` },
    schedule: scheduleSchema,
    maxUses: { type: "integer", minimum: 1, maximum: 10_000, description: "Deliveries default to 1." },
    expiresAfterFirstUseMinutes: { type: "integer", minimum: 1 },
    mode: { enum: ACCESS_MODES, description: "Default both." },
    allowWhenPetsHome: { type: "boolean", description: "Default false, except pet-care." },
    requireRecording: { type: "boolean", description: "Default true." },
  },
} as const;

export const credentialSchema = {
  title: "Credential",
  type: "object",
  additionalProperties: false,
  required: ["id", "label", "kind", "doors", "validFrom", "validUntil", "mode", "allowWhenPetsHome", "requireRecording", "createdAt", "usage", "live"],
  properties: {
    id: { type: "string" },
    label: { type: "string" },
    kind: { enum: CREDENTIAL_KINDS },
    doors: { type: "array", items: { type: "string" } },
    validFrom: epochMs,
    validUntil: { ...epochMs, description: "Exclusive." },
    schedule: scheduleOutputSchema,
    maxUses: { type: "integer" },
    expiresAfterFirstUseMinutes: { type: "integer" },
    mode: { enum: ACCESS_MODES },
    allowWhenPetsHome: { type: "boolean" },
    requireRecording: { type: "boolean" },
    providerId: { type: "string", description: "The provider that created it; absent for the owner's." },
    createdAt: epochMs,
    revokedAt: epochMs,
    usage: {
      type: "object",
      additionalProperties: false,
      required: ["uses"],
      properties: { uses: { type: "integer" }, firstUsedAt: epochMs },
    },
    live: { type: "boolean", description: "True while it can still open a door at some time (not revoked, expired or used up)." },
  },
} as const;

export const createdCredentialSchema = {
  title: "CreatedCredential",
  type: "object",
  additionalProperties: false,
  required: ["id", "pin", "credential"],
  properties: {
    id: { type: "string" },
    pin: { type: "string", description: "The PIN, shown this once and in no other response." },
    credential: credentialSchema,
  },
} as const;

export const credentialListQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    doorId: doorIdSchema,
    includeRevoked: { type: "boolean", description: "Default false." },
  },
} as const;

// ---------------------------------------------------------------- access (remote redemption)

export const accessInputSchema = {
  title: "AccessInput",
  type: "object",
  additionalProperties: false,
  required: ["pin"],
  properties: { pin: { type: "string", pattern: "^[0-9]{4,12}$", description: "The guest PIN (digits)." } },
} as const;

export const unlockedSchema = {
  title: "Unlocked",
  type: "object",
  additionalProperties: false,
  required: ["outcome", "visitId", "relockAt"],
  properties: { outcome: { const: "unlocked" }, visitId: { type: "string" }, relockAt: epochMs },
} as const;

export const deniedSchema = {
  title: "Denied",
  type: "object",
  additionalProperties: false,
  required: ["outcome", "reason", "message"],
  properties: { outcome: { const: "denied" }, reason: { enum: DENY_REASONS }, message: { type: "string" } },
} as const;

export const leaveOutsideSchema = {
  title: "LeaveOutside",
  type: "object",
  additionalProperties: false,
  required: ["outcome", "reason", "message"],
  properties: {
    outcome: { const: "leave-outside" },
    reason: { enum: LEAVE_OUTSIDE_REASONS.filter((r) => r !== "locked-out") },
    message: { type: "string" },
  },
} as const;

export const lockedOutSchema = {
  title: "LockedOut",
  type: "object",
  additionalProperties: false,
  required: ["outcome", "reason", "retryAfterSeconds", "message"],
  properties: {
    outcome: { const: "locked-out" },
    reason: { const: "locked-out" },
    retryAfterSeconds: { type: "integer", minimum: 1, description: "Also in the Retry-After header." },
    message: { type: "string" },
  },
} as const;

// ---------------------------------------------------------------- visits

export const visitSchema = {
  title: "Visit",
  type: "object",
  additionalProperties: false,
  required: ["id", "doorId", "via", "state", "startedAt", "alerts", "clip"],
  properties: {
    id: { type: "string" },
    doorId: { type: "string" },
    credentialId: { type: "string" },
    providerId: { type: "string" },
    via: { enum: VISIT_VIAS },
    state: { enum: VISIT_STATES },
    startedAt: epochMs,
    unlockedAt: epochMs,
    relockedAt: epochMs,
    endedAt: epochMs,
    relockAt: { ...epochMs, description: "When the relock is scheduled." },
    closeReason: { enum: CLOSE_REASONS },
    alerts: { type: "array", items: { type: "string" } },
    clip: {
      type: "array",
      description: "The assembled clip parts (fetch part N from /v1/visits/{id}/clip?part=N, owner only).",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["durationMs", "firstFrameAt", "lastFrameAt"],
        properties: { durationMs: { type: "number" }, firstFrameAt: epochMs, lastFrameAt: epochMs },
      },
    },
  },
} as const;

export const visitListQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    doorId: doorIdSchema,
    open: { type: "boolean", description: "true: only visits not yet closed; false: only closed ones." },
    limit: { type: "integer", minimum: 1, maximum: 1000, description: "Default 50." },
    before: { ...epochMs, minimum: 0, maximum: 8_640_000_000_000_000, description: "Only visits started before this instant (paging backwards)." },
  },
} as const;

export const clipQuery = {
  type: "object",
  additionalProperties: false,
  properties: { part: { type: "integer", minimum: 0, maximum: 999, description: "Index into the visit's clip list; default 0." } },
} as const;

// ---------------------------------------------------------------- doors, health, audit

const switchesSchema = {
  type: "object",
  additionalProperties: false,
  required: ["inHomeDeliveries", "petsHome"],
  properties: { inHomeDeliveries: { type: "boolean" }, petsHome: { type: "boolean" } },
} as const;

const recorderHealthSchema = {
  type: "object",
  additionalProperties: false,
  required: ["state", "message"],
  properties: {
    state: { enum: ["stopped", "starting", "recording", "stalled", "restarting", "failed"] },
    message: { type: "string" },
    since: epochMs,
    lastFrameAt: epochMs,
    newestSegmentAt: epochMs,
    attempt: { type: "integer" },
    retryInMs: { type: "integer" },
    reason: { type: "string" },
  },
} as const;

export const doorSchema = {
  title: "Door",
  type: "object",
  additionalProperties: false,
  description: "Providers receive only id and name.",
  required: ["id", "name"],
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    lock: {
      type: "object",
      additionalProperties: false,
      required: ["state", "available"],
      properties: { state: { enum: LOCK_STATES }, available: { type: "boolean" }, battery: { type: "number" }, model: { type: "string" } },
    },
    door: { enum: DOOR_STATES },
    camera: {
      type: "object",
      additionalProperties: false,
      required: ["configured", "recording"],
      properties: { configured: { type: "boolean" }, recording: { type: "boolean" }, health: recorderHealthSchema },
    },
    switches: switchesSchema,
    visitId: { type: "string", description: "The open visit at this door, if any." },
  },
} as const;

export const doorPatchSchema = {
  title: "DoorPatch",
  type: "object",
  additionalProperties: false,
  minProperties: 1,
  properties: { inHomeDeliveries: { type: "boolean" }, petsHome: { type: "boolean" } },
} as const;

export const healthSchema = {
  title: "Health",
  type: "object",
  additionalProperties: false,
  required: ["ok"],
  description: "Without a token (or with a provider token): only ok. With the owner token: per-door detail and the audit state.",
  properties: {
    ok: { type: "boolean" },
    doors: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["id", "lock", "camera"],
        properties: {
          id: { type: "string" },
          lock: { enum: ["ok", "unavailable"] },
          camera: { enum: ["ok", "not-recording", "not-configured"] },
        },
      },
    },
    audit: { enum: ["ok", "tampered"] },
  },
} as const;

export const auditVerificationSchema = {
  title: "AuditVerification",
  type: "object",
  additionalProperties: false,
  required: ["ok"],
  properties: {
    ok: { type: "boolean" },
    entries: { type: "integer", description: "When ok: how many entries were checked." },
    firstBad: { type: "integer", description: "When not ok: the first entry that cannot be trusted (0: the head record)." },
    problem: { enum: AUDIT_PROBLEMS },
    message: { type: "string" },
  },
} as const;

export const idParams = { type: "object", additionalProperties: false, required: ["id"], properties: { id: recordIdSchema } } as const;
export const doorParams = { type: "object", additionalProperties: false, required: ["doorId"], properties: { doorId: doorIdSchema } } as const;
