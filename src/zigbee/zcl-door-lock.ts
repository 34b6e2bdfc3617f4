// ZCL Door Lock (0x0101) numbers and their meaning, from the ZCL specification (ZCL 7, chapter 7.3),
// kept here as plain data so the driver decodes events without trusting a converter's untyped output.
import type { EpochMs } from "../access/ids.js";
import type { EventSource, LockState, OperationKind, PinUserType, ProgrammingKind, DoorState } from "./lock-driver.js";

/** lockState attribute 0x0000. */
export function decodeLockState(value: unknown): LockState {
  switch (value) {
    case 0: return "jammed"; // "Not fully locked": the bolt stopped between positions.
    case 1: return "locked";
    case 2: return "unlocked";
    default: return "unknown";
  }
}

/** doorState attribute 0x0003. */
export function decodeDoorState(value: unknown): DoorState {
  switch (value) {
    case 0: return "open";
    case 1: return "closed";
    case 2: return "jammed";
    case 3: return "forced-open";
    default: return "unknown";
  }
}

const SOURCES: Record<number, EventSource> = { 0: "keypad", 1: "rf", 2: "manual", 3: "rfid", 4: "fingerprint" };
export function decodeEventSource(value: unknown): EventSource {
  return (typeof value === "number" && SOURCES[value]) || "unknown";
}

const OPERATION_KINDS: Record<number, OperationKind> = {
  0: "unknown",
  1: "lock",
  2: "unlock",
  3: "lock-failure-invalid-pin",
  4: "lock-failure-invalid-schedule",
  5: "unlock-failure-invalid-pin",
  6: "unlock-failure-invalid-schedule",
  7: "one-touch-lock",
  8: "key-lock",
  9: "key-unlock",
  10: "auto-lock",
  11: "schedule-lock",
  12: "schedule-unlock",
  13: "manual-lock",
  14: "manual-unlock",
  15: "non-access-user",
};
export function decodeOperationKind(code: number): OperationKind {
  return OPERATION_KINDS[code] ?? "unknown";
}

const PROGRAMMING_KINDS: Record<number, ProgrammingKind> = {
  1: "master-code-changed",
  2: "pin-added",
  3: "pin-removed",
  4: "pin-changed",
  5: "rfid-added",
  6: "rfid-removed",
};
export function decodeProgrammingKind(code: number): ProgrammingKind {
  return PROGRAMMING_KINDS[code] ?? "unknown";
}

/** Which lock state an operation event implies (undefined: it says nothing about the bolt). */
export function stateAfterOperation(kind: OperationKind): LockState | undefined {
  switch (kind) {
    case "lock": case "one-touch-lock": case "key-lock": case "auto-lock": case "schedule-lock": case "manual-lock":
      return "locked";
    case "unlock": case "key-unlock": case "schedule-unlock": case "manual-unlock":
      return "unlocked";
    default:
      return undefined;
  }
}

export const USER_TYPE_CODES: Record<PinUserType, number> = {
  unrestricted: 0,
  "year-day": 1,
  "week-day": 2,
  master: 3,
  "non-access": 4,
};

/** userstatus in get/setPinCode: 0 available, 1 occupied-enabled, 3 occupied-disabled. */
export function decodeUserStatus(value: unknown): "available" | "enabled" | "disabled" | "unknown" {
  switch (value) {
    case 0: return "available";
    case 1: return "enabled";
    case 3: return "disabled";
    default: return "unknown";
  }
}

/** The user id that stands for "every user" in programming events (clear-all). */
export function isAllUsersId(userId: number): boolean {
  return userId === 0xff || userId === 0xffff;
}

/** Status codes of the Door Lock cluster-specific responses (setPinCodeRsp and friends, ZCL 7.3.2.17.6). */
const PIN_STATUS: Record<number, string> = { 0: "SUCCESS", 1: "FAILURE", 2: "MEMORY_FULL", 3: "DUPLICATE_CODE" };
/** General ZCL status names used in other Door Lock responses and default responses (ZCL 2.5.3). */
const ZCL_STATUS: Record<number, string> = {
  0x00: "SUCCESS",
  0x01: "FAILURE",
  0x7e: "NOT_AUTHORIZED",
  0x80: "MALFORMED_COMMAND",
  0x81: "UNSUP_COMMAND",
  0x85: "INVALID_FIELD",
  0x87: "INVALID_VALUE",
  0x89: "INSUFFICIENT_SPACE",
  0x8b: "NOT_FOUND",
  0x94: "TIMEOUT",
  0xc3: "UNSUPPORTED_CLUSTER",
};

/** A name for a response status; setPinCode has its own table (3 = duplicate code). */
export function statusName(command: string, status: number): string {
  const table = command === "setPinCode" ? PIN_STATUS : ZCL_STATUS;
  return table[status] ?? `0x${status.toString(16).padStart(2, "0")}`;
}

export const STATUS_DUPLICATE_CODE = 3;

/** Seconds between the UNIX epoch and the Zigbee epoch (2000-01-01T00:00:00Z). */
export const ZIGBEE_EPOCH_OFFSET_S = 946_684_800;

/**
 * Zigbee "local time" (seconds since 2000-01-01 on the lock's wall clock) for an instant.
 * `offsetMinutes(at)` is the lock's UTC offset at that instant; the coordinator serves the lock its time
 * from the host time zone (genTime), so the host zone's offset is the right one by default.
 */
export function toZigbeeLocalTime(at: EpochMs, offsetMinutes: (at: EpochMs) => number = hostOffsetMinutes): number {
  return Math.floor(at / 1000) - ZIGBEE_EPOCH_OFFSET_S + offsetMinutes(at) * 60;
}

/** The host's UTC offset in minutes east of Greenwich at an instant (Date's getTimezoneOffset is west-positive). */
export function hostOffsetMinutes(at: EpochMs): number {
  return -new Date(at).getTimezoneOffset();
}
