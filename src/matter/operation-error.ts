// Why an unlock was refused, in Matter's words (DoorLock OperationErrorEnum), for LockOperationError events.
import { DoorLock } from "@matter/main/clusters/door-lock";
import type { AccessReason } from "../access/reasons.js";

export function operationErrorFor(reason: AccessReason): DoorLock.OperationError {
  switch (reason) {
    case "unknown-credential":
      return DoorLock.OperationError.InvalidCredential;
    case "revoked":
    case "expired":
    case "uses-exhausted":
      return DoorLock.OperationError.DisabledUserDenied;
    default:
      // not-yet-valid, outside-schedule, wrong-door, the switches, camera/lock unavailable, locked-out
      return DoorLock.OperationError.Restricted;
  }
}
