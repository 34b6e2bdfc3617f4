// The narrow face of a door lock that the rest of Doorstep sees. Nothing from zigbee-herdsman leaks through it.
import type { EventEmitter } from "node:events";
import type { EpochMs } from "../access/ids.js";
import type { Interval } from "../access/credential.js";

/**
 * What the lock is doing, as far as the lock itself has told us.
 * Never "locked" without the lock's own confirmation (a command response or a report).
 */
export type LockState = "locked" | "unlocked" | "locking" | "unlocking" | "jammed" | "unknown";

export type DoorState = "open" | "closed" | "jammed" | "forced-open" | "unknown";

/** ZCL Door Lock user types; "year-day"/"week-day" users only open inside their schedule (when the lock enforces it). */
export type PinUserType = "unrestricted" | "year-day" | "week-day" | "master" | "non-access";

/** What a lock can do, read at interview (attributes 0x0012, 0x0014, 0x0015, 0x0017, 0x0018, 0x0033) or from the device table. */
export interface LockCapabilities {
  /** Number of PIN users; slots are the ZCL user ids 0 … pinSlots-1. */
  pinSlots: number;
  minPinLength: number;
  maxPinLength: number;
  /** Year-day schedules per user (0: the lock keeps none; the bridge alone enforces time boxes). */
  yearDaySchedules: number;
  /** Week-day schedules per user. */
  weekDaySchedules: number;
  /** The lock wants a PIN with RF lock/unlock commands (attribute 0x0033). */
  requirePinForRf?: boolean;
  /** getPinCode answers with a masked PIN, so a read-back cannot compare codes. */
  masksPinsOnRead?: boolean;
  /** setPinCode status meaning "this code exists already" (ZCL: 3), or null when the lock has no such status. */
  duplicateCodeStatus?: number | null;
  /** Slots the bridge must never touch (a master code in slot 0 on some locks). */
  reservedSlots?: readonly number[];
}

/** Identification of a joined lock, from the interview and the device table. */
export interface LockIdentity {
  ieee: string;
  vendor: string;
  model: string;
  description: string;
  /** True when Doorstep's device table knows the model; otherwise capabilities come from the lock alone. */
  supported: boolean;
}

export interface OperationOptions {
  signal?: AbortSignal;
  /**
   * Hard deadline in ms from the call. When it passes the promise settles as `{ outcome: "timed-out" }`;
   * the frame may still reach the lock later (a late unlock), which is then reported as a `lateUnlock` event.
   */
  deadlineMs?: number;
  /** PIN sent with the command to locks that require one (never logged). */
  pin?: string;
}

/** How a lock/unlock call ended when the lock did not refuse it (refusals throw DeviceRejectedError). */
export type OperationOutcome =
  | { outcome: "confirmed"; state: LockState }
  | { outcome: "timed-out"; state: "unknown" };

export type EventSource = "keypad" | "rf" | "manual" | "rfid" | "fingerprint" | "unknown";

export type OperationKind =
  | "lock"
  | "unlock"
  | "lock-failure-invalid-pin"
  | "lock-failure-invalid-schedule"
  | "unlock-failure-invalid-pin"
  | "unlock-failure-invalid-schedule"
  | "one-touch-lock"
  | "key-lock"
  | "key-unlock"
  | "auto-lock"
  | "schedule-lock"
  | "schedule-unlock"
  | "manual-lock"
  | "manual-unlock"
  | "non-access-user"
  | "unknown";

/**
 * After an unlock that missed its deadline, how long a report of "unlocked" still counts as that late unlock (ms). The
 * drivers watch this long, and the delivery flow waits this long for the lock to say what it did.
 */
export const LATE_UNLOCK_WINDOW_MS = 60_000;

/** A lock/unlock that happened at the lock (keypad, thumb-turn, RF…), decoded from operationEventNotification. */
export interface OperationEvent {
  source: EventSource;
  kind: OperationKind;
  /** The PIN user slot for keypad/RF events that carry one. */
  slot?: number;
  /** ZCL event code as received, for logs and unknown codes. */
  code: number;
  at: EpochMs;
}

export type ProgrammingKind =
  | "master-code-changed"
  | "pin-added"
  | "pin-removed"
  | "pin-changed"
  | "rfid-added"
  | "rfid-removed"
  | "unknown";

/** A PIN table change announced by the lock (programmingEventNotification). `slot` is absent for "all slots". */
export interface ProgrammingEvent {
  source: EventSource;
  kind: ProgrammingKind;
  slot?: number;
  code: number;
  at: EpochMs;
}

export interface StateChange {
  state: LockState;
  previous: LockState;
  /** Where the new state came from. */
  cause: "report" | "response" | "event" | "command" | "deadline" | "read";
  at: EpochMs;
}

/** An unlock reported as timed out that the lock carried out anyway. */
export interface LateUnlock {
  requestedAt: EpochMs;
  deadlineAt: EpochMs;
  observedAt: EpochMs;
}

export interface LockDriverEvents {
  state: [StateChange];
  operation: [OperationEvent];
  programming: [ProgrammingEvent];
  lateUnlock: [LateUnlock];
  availability: [{ available: boolean; at: EpochMs }];
  battery: [{ percent: number; at: EpochMs }];
  door: [{ state: DoorState; at: EpochMs }];
}

/** What a slot read-back says (getPinCode). `pinMatches` is undefined when the lock masks PINs or none was given. */
export interface SlotReading {
  slot: number;
  status: "available" | "enabled" | "disabled" | "unknown";
  pinMatches?: boolean;
}

/** Weekly schedule in the lock's local time; `days` is a bit per day, Sunday = bit 0 (ZCL daysmask). */
export interface WeekDayInterval {
  daysMask: number;
  startHour: number;
  startMinute: number;
  endHour: number;
  endMinute: number;
}

/**
 * One door lock. Every method resolves only on the lock's success status and throws
 * DeviceRejectedError (with the ZCL status) when the lock refused, DeviceUnreachableError when it did not answer.
 */
export interface LockDriver {
  readonly identity: LockIdentity;
  readonly capabilities: LockCapabilities;
  readonly events: EventEmitter<LockDriverEvents>;
  getState(): LockState;
  getDoorState(): DoorState;
  /** Battery percent, or undefined before the first report. */
  getBattery(): number | undefined;
  isAvailable(): boolean;

  lock(options?: OperationOptions): Promise<OperationOutcome>;
  unlock(options?: OperationOptions): Promise<OperationOutcome>;

  setPin(slot: number, pin: string, userType?: PinUserType): Promise<void>;
  clearPin(slot: number): Promise<void>;
  /** Reads one slot (never all of them). */
  readSlot(slot: number, compareWith?: string): Promise<SlotReading>;
  setYearDaySchedule(slot: number, interval: Interval, scheduleId?: number): Promise<void>;
  clearYearDaySchedule(slot: number, scheduleId?: number): Promise<void>;
  setWeekDaySchedule(slot: number, schedule: WeekDayInterval, scheduleId?: number): Promise<void>;
  clearWeekDaySchedule(slot: number, scheduleId?: number): Promise<void>;
  /**
   * Turns the lock's own keypad off (during a wrong-PIN lockout) or on again, leaving remote lock and unlock working:
   * the ZCL operating mode Vacation, or Normal. DeviceRejectedError when the lock has no such mode or refuses it.
   * Optional: a driver without it cannot keep a lockout from reaching the keypad, and says so.
   */
  setKeypadEnabled?(enabled: boolean): Promise<void>;
}
