// Every error a Matter command can fail with, translated once into an interaction status (like api/http-errors.ts
// for HTTP). Device and unexpected errors are a plain Failure: a controller shows "not responding", not a reason.
import { Status, StatusResponseError } from "@matter/main/types";
import {
  ConfigError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  StorageFullError,
  ValidationError,
  formatError,
} from "../core/errors.js";

export function matterStatusFor(error: unknown): Status {
  if (error instanceof StatusResponseError) return error.code;
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
  const message = error instanceof ConflictError || !what ? formatError(error) : `${what}: ${formatError(error)}`;
  return new StatusResponseError(message, matterStatusFor(error));
}
