// LockManagement's "last known action": who or what last moved the bolt, as far as Doorstep knows. Pure.
import type { VisitVia } from "../store/visit-store.js";

/** HAP LockLastKnownAction values (HAP spec, Lock Last Known Action 0x1C). */
export const LAST_ACTION = {
  SECURED_PHYSICALLY_INTERIOR: 0,
  UNSECURED_PHYSICALLY_INTERIOR: 1,
  SECURED_BY_KEYPAD: 4,
  UNSECURED_BY_KEYPAD: 5,
  SECURED_REMOTELY: 6,
  UNSECURED_REMOTELY: 7,
  SECURED_BY_AUTO_SECURE_TIMEOUT: 8,
  SECURED_PHYSICALLY: 9,
  UNSECURED_PHYSICALLY: 10,
} as const;

export type LastKnownAction = (typeof LAST_ACTION)[keyof typeof LAST_ACTION];

/** What caused a lock state change that Doorstep saw. */
export type LockCause =
  | { kind: "visit-opened"; via: VisitVia }
  | { kind: "visit-relocked"; closeReason: "relocked" | "ended" | "other" }
  | { kind: "homekit"; locked: boolean }
  | { kind: "report"; locked: boolean };

export function lastKnownAction(cause: LockCause): LastKnownAction {
  switch (cause.kind) {
    case "visit-opened":
      return cause.via === "keypad" ? LAST_ACTION.UNSECURED_BY_KEYPAD : LAST_ACTION.UNSECURED_REMOTELY;
    case "visit-relocked":
      // "relocked": the visit's timer (or the lock's own auto-lock) closed it; "ended": someone asked.
      return cause.closeReason === "relocked" ? LAST_ACTION.SECURED_BY_AUTO_SECURE_TIMEOUT : LAST_ACTION.SECURED_REMOTELY;
    case "homekit":
      return cause.locked ? LAST_ACTION.SECURED_REMOTELY : LAST_ACTION.UNSECURED_REMOTELY;
    case "report":
      // A change nobody here asked for: someone at the door (thumb-turn, key).
      return cause.locked ? LAST_ACTION.SECURED_PHYSICALLY : LAST_ACTION.UNSECURED_PHYSICALLY;
  }
}
