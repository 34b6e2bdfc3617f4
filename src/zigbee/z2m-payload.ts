// Zigbee2MQTT's topics and JSON payloads for a door lock, as zigbee-herdsman-converters writes and reads them
// (converters `lock`, `lock_operation_event`, `lock_programming_event`, `lock_pin_code_response`, `pincode_lock`).
// Decoding maps the converters' names back to the ZCL codes, so events mean exactly what the herdsman driver's mean.
import type { EpochMs } from "../access/ids.js";
import type { DoorState, LockState, OperationEvent, PinUserType, ProgrammingEvent } from "./lock-driver.js";
import { decodeEventSource, decodeOperationKind, decodeProgrammingKind, isAllUsersId, stateAfterOperation } from "./zcl-door-lock.js";

export type Json = Record<string, unknown>;

/** Topics of one Zigbee2MQTT instance. `name` is the device's current friendly name (Zigbee2MQTT publishes under it). */
export const z2mTopics = {
  bridgeState: (base: string) => `${base}/bridge/state`,
  bridgeDevices: (base: string) => `${base}/bridge/devices`,
  bridgeLogging: (base: string) => `${base}/bridge/logging`,
  device: (base: string, name: string) => `${base}/${name}`,
  availability: (base: string, name: string) => `${base}/${name}/availability`,
  set: (base: string, name: string) => `${base}/${name}/set`,
  get: (base: string, name: string) => `${base}/${name}/get`,
};

/** A friendly name can hold `/` (Zigbee2MQTT groups by it) but never MQTT wildcards. */
export function isUsableFriendlyName(name: string): boolean {
  return name.length > 0 && !/[#+]/.test(name) && !name.startsWith("/") && !name.endsWith("/");
}

export function parseJson(payload: Buffer | string): unknown {
  try {
    return JSON.parse(payload.toString());
  } catch {
    return undefined;
  }
}

export function asObject(v: unknown): Json | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : undefined;
}

/** `bridge/state` and `<device>/availability`: `{"state":"online"}` (Zigbee2MQTT 2.x) or the legacy bare `online`. */
export function decodeOnline(payload: Buffer | string): boolean | undefined {
  const parsed = parseJson(payload);
  const state = asObject(parsed)?.state ?? (typeof parsed === "string" ? parsed : payload.toString());
  if (state === "online") return true;
  if (state === "offline") return false;
  return undefined;
}

// ── Commands ──

const USER_TYPE_NAMES: Record<PinUserType, string> = {
  unrestricted: "unrestricted",
  "year-day": "year_day_schedule",
  "week-day": "week_day_schedule",
  master: "master",
  "non-access": "non_access",
};

/** `{"state":"UNLOCK"}`, or with a PIN `{"state":{"state":"UNLOCK","code":"1234"}}` (the converter's object form). */
export function lockCommand(kind: "lock" | "unlock", pin?: string): Json {
  const state = kind === "lock" ? "LOCK" : "UNLOCK";
  return { state: pin === undefined ? state : { state, code: pin } };
}

/** The PIN travels as a string so leading zeros survive. */
export function setPinCommand(slot: number, pin: string, userType: PinUserType): Json {
  return { pin_code: { user: slot, user_type: USER_TYPE_NAMES[userType], user_enabled: true, pin_code: pin } };
}

export function clearPinCommand(slot: number): Json {
  return { pin_code: { user: slot, pin_code: null } };
}

/** One slot; `{"pin_code":""}` would read every slot, one frame each, which this driver never sends. */
export function readSlotCommand(slot: number): Json {
  return { pin_code: { user: slot } };
}

export const READ_STATE_COMMAND: Json = { state: "" };

// ── Device messages ──

const OPERATION_ACTIONS = [
  "unknown", "lock", "unlock", "lock_failure_invalid_pin_or_id", "lock_failure_invalid_schedule", "unlock_failure_invalid_pin_or_id",
  "unlock_failure_invalid_schedule", "one_touch_lock", "key_lock", "key_unlock", "auto_lock", "schedule_lock", "schedule_unlock",
  "manual_lock", "manual_unlock", "non_access_user_operational_event",
] as const;
const PROGRAMMING_ACTIONS: Record<string, number> = {
  master_code_changed: 1, pin_code_added: 2, pin_code_deleted: 3, pin_code_changed: 4, rfid_code_added: 5, rfid_code_deleted: 6,
};
const SOURCE_CODES: Record<string, number> = { keypad: 0, rf: 1, manual: 2, rfid: 3, fingerprint: 4 };

export type SlotStatus = "available" | "enabled" | "disabled" | "unknown";

export interface DeviceMessage {
  /** `lock_state` as the message carries it; Zigbee2MQTT repeats its cached value in every message. */
  lockState?: LockState;
  doorState?: DoorState;
  battery?: number;
  operation?: OperationEvent;
  programming?: ProgrammingEvent;
  /** Slot read-backs (`users`), with the PIN only when the device option `expose_pin` is on. */
  users: { slot: number; status: SlotStatus; pin?: string }[];
}

/** Decodes one message on `<base>/<name>`. Unknown fields are ignored; `action*` are never cached by Zigbee2MQTT, so they are news. */
export function decodeDeviceMessage(body: Json, at: EpochMs): DeviceMessage {
  const out: DeviceMessage = { users: [] };
  const lockState = decodeZ2mLockState(body.lock_state);
  if (lockState) out.lockState = lockState;
  const door = decodeZ2mDoorState(body.door_state);
  if (door) out.doorState = door;
  if (typeof body.battery === "number" && body.battery >= 0 && body.battery <= 100) out.battery = Math.round(body.battery);
  if (typeof body.action === "string") {
    const source = decodeEventSource(typeof body.action_source === "number" ? body.action_source : SOURCE_CODES[String(body.action_source_name)]);
    const user = typeof body.action_user === "number" ? body.action_user : undefined;
    const programmingCode = PROGRAMMING_ACTIONS[body.action];
    if (programmingCode !== undefined) {
      out.programming = {
        source, kind: decodeProgrammingKind(programmingCode), code: programmingCode, at,
        ...(user !== undefined && !isAllUsersId(user) && { slot: user }),
      };
    } else {
      const code = (OPERATION_ACTIONS as readonly string[]).indexOf(body.action);
      if (code >= 0) {
        const carriesUser = source === "keypad" || source === "rfid" || source === "fingerprint";
        out.operation = {
          source, kind: decodeOperationKind(code), code, at,
          ...(carriesUser && user !== undefined && Number.isInteger(user) && !isAllUsersId(user) && { slot: user }),
        };
      }
    }
  }
  const users = asObject(body.users);
  if (users) {
    for (const [key, value] of Object.entries(users)) {
      const slot = Number(key);
      const entry = asObject(value);
      if (!Number.isInteger(slot) || !entry) continue;
      const status: SlotStatus = entry.status === "available" || entry.status === "enabled" || entry.status === "disabled" ? entry.status : "unknown";
      out.users.push({ slot, status, ...(typeof entry.pin_code === "string" && { pin: entry.pin_code }) });
    }
  }
  return out;
}

/** The bolt position an operation event implies, as the herdsman driver reads it. */
export function stateAfter(event: OperationEvent): LockState | undefined {
  return stateAfterOperation(event.kind);
}

function decodeZ2mLockState(v: unknown): LockState | undefined {
  switch (v) {
    case "locked": return "locked";
    case "unlocked": return "unlocked";
    case "not_fully_locked": return "jammed"; // the bolt stopped between positions
    default: return undefined;
  }
}

function decodeZ2mDoorState(v: unknown): DoorState | undefined {
  switch (v) {
    case "open": return "open";
    case "closed": return "closed";
    case "error_jammed": return "jammed";
    case "error_forced_open": return "forced-open";
    case undefined: return undefined;
    default: return "unknown";
  }
}

/** Zigbee2MQTT's error log line for a failed set/get on this device (its text can carry the payload, so only its shape is matched). */
export function isPublishFailure(body: Json, friendlyName: string, key: string): boolean {
  return body.level === "error" && typeof body.message === "string" && body.message.startsWith(`Publish 'set' '${key}' to '${friendlyName}' failed`)
    || body.level === "error" && typeof body.message === "string" && body.message.startsWith(`Publish 'get' '${key}' to '${friendlyName}' failed`);
}
