// Every status a Matter command of the bridge answers with, decided here and only here (like api/http-errors.ts for
// HTTP): Doorstep's typed errors by class, and the DoorLock cluster's own refusals by the status its spec gives each.
// Device and unexpected errors are a plain Failure: a controller shows "not responding", not a reason.
import { Supervision } from "@matter/main";
import type { DoorLock } from "@matter/main/clusters/door-lock";
import { Status, StatusResponseError } from "@matter/main/types";
import {
  ConfigError,
  ConflictError,
  DoorstepError,
  ForbiddenError,
  NotFoundError,
  StorageFullError,
  ValidationError,
  formatError,
} from "../core/errors.js";

/**
 * Why the DoorLock cluster refuses a command, by its own rules (spec 5.2):
 * - `invalid-command`: a field outside what the spec allows (an index, an hour, a PIN that is not 4–8 digits);
 * - `operation-refused`: a lock/unlock not allowed (wrong or missing PIN, operating mode, the access policy);
 * - `not-matter-owned`: a change to a user mirrored from a Doorstep guest code (changed in Doorstep, or cleared);
 * - `occupied`: SetCredential's Add at an index in use; `duplicate`: a PIN another user or guest code already has;
 * - `no-free-slot`: no credential index left.
 */
export type DoorLockRefusalKind = "invalid-command" | "operation-refused" | "not-matter-owned" | "occupied" | "duplicate" | "no-free-slot";

export class DoorLockRefusal extends DoorstepError {
  readonly code = "door-lock-refusal";
  constructor(
    readonly kind: DoorLockRefusalKind,
    message: string,
  ) {
    super(message);
  }
}

/** DoorLock DlStatus values the global Status enum lacks (spec 5.2.6.2). */
const DL_DUPLICATE = 2 as Status;
const DL_OCCUPIED = 3 as Status;

const REFUSAL_STATUS: Record<DoorLockRefusalKind, Status> = {
  "invalid-command": Status.InvalidCommand,
  // The spec answers a wrong PIN with FAILURE (and a LockOperationError event saying why).
  "operation-refused": Status.Failure,
  "not-matter-owned": Status.Failure,
  occupied: DL_OCCUPIED,
  duplicate: DL_DUPLICATE,
  "no-free-slot": Status.ResourceExhausted,
};

export function matterStatusFor(error: unknown): Status {
  if (error instanceof StatusResponseError) return error.code;
  if (error instanceof DoorLockRefusal) return REFUSAL_STATUS[error.kind];
  if (error instanceof ValidationError || error instanceof ConfigError) return Status.ConstraintError;
  if (error instanceof ForbiddenError) return Status.UnsupportedAccess;
  if (error instanceof NotFoundError) return Status.NotFound;
  if (error instanceof StorageFullError) return Status.ResourceExhausted;
  // ConflictError (a PIN already in use), device errors and anything unexpected.
  return Status.Failure;
}

/** The StatusResponseError a command throws for `error`; `what` says which command failed ("The lock did not lock"). */
export function matterStatusError(error: unknown, what?: string): StatusResponseError {
  if (error instanceof StatusResponseError) return error;
  const plain = error instanceof ConflictError || error instanceof DoorLockRefusal || !what;
  return new StatusResponseError(plain ? formatError(error) : `${what}: ${formatError(error)}`, matterStatusFor(error));
}

/**
 * The SetCredentialResponse refusing a credential: its status is a DlStatus. matter.js 0.17.9 types the field as the
 * global Status and would refuse DUPLICATE/OCCUPIED (fixed upstream in matter.js PR #4381), so the field skips validation.
 */
export function refusedCredential(refusal: DoorLockRefusal, nextCredentialIndex: number | null): DoorLock.SetCredentialResponse {
  const response: DoorLock.SetCredentialResponse = { status: matterStatusFor(refusal), userIndex: null, nextCredentialIndex };
  Supervision(response as unknown as Record<string, never>, "status").validate = false;
  return response;
}

export function succeeded(response: { status: Status }): boolean {
  return response.status === Status.Success;
}
