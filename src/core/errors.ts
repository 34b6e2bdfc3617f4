// Typed errors, translated once at each boundary (API status, HAP status, Matter status, CLI exit code).
// Messages never carry a PIN, token or camera password.

export abstract class DoorstepError extends Error {
  /** A stable, machine-readable code derived from the class, for API bodies and logs. */
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input that is wrong: a config field, a CLI argument, an API body. Nothing was changed. `path` names the field. */
export class ValidationError extends DoorstepError {
  readonly code = "invalid-input";
  /** Every problem found, each naming its field; at least the one in the message. */
  readonly issues: readonly { path: string; message: string }[];
  constructor(
    message: string,
    readonly path: string = "",
    issues?: readonly { path: string; message: string }[],
  ) {
    super(path ? `${path}: ${message}` : message);
    this.issues = issues ?? [{ path, message }];
  }

  /** One error for several field problems: "label: is required; validUntil: must be after validFrom". */
  static of(issues: readonly { path: string; message: string }[]): ValidationError {
    const text = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
    return new ValidationError(text, "", issues);
  }
}

export class ConfigError extends DoorstepError {
  readonly code = "invalid-config";
  constructor(
    message: string,
    readonly issues: readonly { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

/**
 * The caller may not do this (HTTP 403): an owner-only operation, or a value beyond a provider's rights. `issues`
 * names the fields refused, when there are any.
 */
export class ForbiddenError extends DoorstepError {
  readonly code = "forbidden";
  constructor(
    message: string,
    readonly issues: readonly { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

export class NotFoundError extends DoorstepError {
  readonly code = "not-found";
}

export class ConflictError extends DoorstepError {
  readonly code = "conflict";
}

/** The store cannot be opened safely (corrupt database, missing key file); we never silently re-create it. */
export class StoreError extends DoorstepError {
  readonly code = "store-unavailable";
}

/** The disk holding the store is full (SQLITE_FULL, ENOSPC): nothing was written; reads still work. */
export class StorageFullError extends DoorstepError {
  readonly code = "storage-full";
}

/** True for an error that says the disk is full, from node:fs (ENOSPC, EDQUOT) or from SQLite ("database or disk is full"). */
export function isDiskFull(error: unknown): boolean {
  if (error instanceof StorageFullError) return true;
  const e = error as { code?: unknown; errcode?: unknown } | null;
  if (typeof e !== "object" || e === null) return false;
  if (e.code === "ENOSPC" || e.code === "EDQUOT") return true;
  return typeof e.errcode === "number" && (e.errcode & 0xff) === 13; // SQLITE_FULL
}

export class DeviceUnreachableError extends DoorstepError {
  readonly code = "device-unreachable";
}

/** A device answered, but with a failure status (a ZCL status, an ONVIF fault). */
export class DeviceRejectedError extends DoorstepError {
  readonly code = "device-rejected";
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export class InternalError extends DoorstepError {
  readonly code = "internal";
}

/**
 * One sentence from anything thrown, for logs: never a stack at info level. Without its closing full stop, since
 * callers end their own sentence ("Unable to start: ${formatError(e)}.") and would otherwise print "..".
 */
export function formatError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/(?<!\.)\.\s*$/, "").trimEnd();
}
