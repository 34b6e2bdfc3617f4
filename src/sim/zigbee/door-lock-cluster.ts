// The server side of the ZCL Door Lock cluster (ZCL r8 chapter 7.3) as a state machine: lock state, PIN users,
// week-day and year-day schedules checked against the lock's own clock, wrong-code lockout, auto-relock, and
// the operation/programming events a real lock would send. No I/O: the owner turns events into ZCL frames.
import type { SimScheduler, SimTimer } from "./scheduler.js";
import { ZclStatus } from "./zcl-frame.js";

/** LockState attribute values (7.3.2.2.1). */
export enum LockState {
  NOT_FULLY_LOCKED = 0,
  LOCKED = 1,
  UNLOCKED = 2,
  UNDEFINED = 0xff,
}
/** User status (7.3.2.16.6, table 7-24). */
export enum UserStatus {
  AVAILABLE = 0,
  ENABLED = 1,
  DISABLED = 3,
  NOT_SUPPORTED = 0xff,
}
/** User type (7.3.2.16.6, table 7-25). */
export enum UserType {
  UNRESTRICTED = 0,
  YEAR_DAY_SCHEDULE = 1,
  WEEK_DAY_SCHEDULE = 2,
  MASTER = 3,
  NON_ACCESS = 4,
  NOT_SUPPORTED = 0xff,
}
/** Operation / programming event source (7.3.2.17.19, table 7-52). */
export enum EventSource {
  KEYPAD = 0,
  RF = 1,
  MANUAL = 2,
  RFID = 3,
  INDETERMINATE = 0xff,
}
/** Operation event codes (7.3.2.17.19, table 7-53). */
export enum OperationEventCode {
  UNKNOWN = 0,
  LOCK = 1,
  UNLOCK = 2,
  LOCK_FAILURE_INVALID_PIN = 3,
  LOCK_FAILURE_INVALID_SCHEDULE = 4,
  UNLOCK_FAILURE_INVALID_PIN = 5,
  UNLOCK_FAILURE_INVALID_SCHEDULE = 6,
  ONE_TOUCH_LOCK = 7,
  KEY_LOCK = 8,
  KEY_UNLOCK = 9,
  AUTO_LOCK = 10,
  SCHEDULE_LOCK = 11,
  SCHEDULE_UNLOCK = 12,
  MANUAL_LOCK = 13,
  MANUAL_UNLOCK = 14,
  NON_ACCESS_USER = 15,
}
/** Programming event codes (7.3.2.17.20, table 7-55). */
export enum ProgrammingEventCode {
  UNKNOWN = 0,
  MASTER_CODE_CHANGED = 1,
  PIN_CODE_ADDED = 2,
  PIN_CODE_DELETED = 3,
  PIN_CODE_CHANGED = 4,
}
/** Set PIN Code Response status (7.3.2.17.6). */
export enum SetPinStatus {
  SUCCESS = 0,
  GENERAL_FAILURE = 1,
  MEMORY_FULL = 2,
  DUPLICATE_CODE = 3,
}

/** The user id the lock puts in events that concern no user slot (RF without PIN, thumb turn, unknown PIN). */
export const NO_USER = 0xffff;
/** Zigbee time counts seconds from 2000-01-01T00:00:00 (ZCL 2.6.2.17 UTCTime). */
export const ZIGBEE_EPOCH_MS = Date.UTC(2000, 0, 1);

/** Which PINs collide on Set PIN Code (status DUPLICATE_CODE). */
export type DuplicatePolicy = "allow" | "reject-other-slots" | "reject-any-slot";
/** What Get PIN Code returns in its code field. */
export type PinReadback = "plain" | "empty" | "asterisks";

export interface DoorLockConfig {
  readonly pinSlots: number;
  readonly weekDaySchedulesPerUser: number;
  readonly yearDaySchedulesPerUser: number;
  readonly minPinLength: number;
  readonly maxPinLength: number;
  readonly duplicatePolicy: DuplicatePolicy;
  readonly pinReadback: PinReadback;
  readonly autoRelockTime: number;
  readonly wrongCodeEntryLimit: number;
  readonly userCodeTemporaryDisableTime: number;
  readonly requirePINforRFOperation: boolean;
  readonly sendPINOverTheAir: boolean;
}

export interface WeekDaySchedule {
  readonly scheduleId: number;
  /** Bit 0 Sunday … bit 6 Saturday (7.3.2.16.11). */
  readonly daysMask: number;
  readonly startHour: number;
  readonly startMinute: number;
  readonly endHour: number;
  readonly endMinute: number;
}
export interface YearDaySchedule {
  readonly scheduleId: number;
  /** Zigbee local time, seconds since 2000-01-01 in the lock's time zone. */
  readonly localStartTime: number;
  readonly localEndTime: number;
}

export interface PinUser {
  readonly userId: number;
  status: UserStatus;
  type: UserType;
  pin: string;
  readonly weekDay: Map<number, WeekDaySchedule>;
  readonly yearDay: Map<number, YearDaySchedule>;
}

/** What the lock tells the world; the simulated device turns these into ZCL frames. */
export type DoorLockEvent =
  | { readonly kind: "lockState"; readonly state: LockState }
  | { readonly kind: "operation"; readonly source: EventSource; readonly code: OperationEventCode; readonly userId: number; readonly pin: string; readonly localTime: number }
  | {
      readonly kind: "programming";
      readonly source: EventSource;
      readonly code: ProgrammingEventCode;
      readonly userId: number;
      readonly pin: string;
      readonly userType: UserType;
      readonly userStatus: UserStatus;
      readonly localTime: number;
    };

/** The outcome of a PIN typed at the keypad. */
export type KeypadOutcome =
  | { readonly outcome: "unlocked"; readonly userId: number }
  | { readonly outcome: "rejected"; readonly reason: "invalid-pin" | "outside-schedule" | "non-access-user"; readonly userId: number }
  | { readonly outcome: "locked-out"; readonly untilMs: number }
  /** The operating mode (Vacation, Privacy) has the keypad off: the key press does nothing. */
  | { readonly outcome: "disabled"; readonly operatingMode: number };

/** ZCL Door Lock OperatingMode (attribute 0x0025, enum8). */
export const OperatingMode = { NORMAL: 0, VACATION: 1, PRIVACY: 2, NO_RF_LOCK_UNLOCK: 3, PASSAGE: 4 } as const;
/** SupportedOperatingModes (0x0026, bitmap16, bit n = mode n supported): Normal, Vacation and Privacy, as Yale and Kwikset locks. */
export const SUPPORTED_OPERATING_MODES = 0b0111;

/** A command's answer: a cluster-specific response payload, or a Default Response status. */
export type CommandResult =
  | { readonly kind: "response"; readonly fields: Record<string, number | string | Buffer> }
  | { readonly kind: "default"; readonly status: number };

export interface PersistedDoorLock {
  readonly lockState: LockState;
  readonly users: DoorLockSnapshot["users"];
  readonly attributes: Record<string, number | boolean>;
}

export interface DoorLockSnapshot {
  readonly lockState: LockState;
  readonly users: readonly {
    userId: number;
    status: UserStatus;
    type: UserType;
    pin: string;
    weekDay: WeekDaySchedule[];
    yearDay: YearDaySchedule[];
  }[];
  readonly lockClock: { readonly synced: boolean; readonly localTime?: number };
  readonly lockoutUntilMs?: number;
  readonly wrongCodeCount: number;
  readonly attributes: Record<string, number | boolean>;
}

const ok = (fields: Record<string, number | string | Buffer>): CommandResult => ({ kind: "response", fields });
const statusRsp = (status: number): CommandResult => ok({ status });

export class DoorLockCluster {
  lockState: LockState = LockState.LOCKED;
  private readonly users = new Map<number, PinUser>();
  private clockSync?: { localTime: number; atMs: number };
  private wrongCodes = 0;
  private lockoutUntilMs?: number;
  private relockTimer?: SimTimer;
  /** Writable attributes, by name. */
  readonly attrs: {
    autoRelockTime: number;
    soundVolume: number;
    operatingMode: number;
    wrongCodeEntryLimit: number;
    userCodeTemporaryDisableTime: number;
    sendPINOverTheAir: boolean;
    requirePINforRFOperation: boolean;
    keypadOperationEventMask: number;
    rfOperationEventMask: number;
    manualOperationEventMask: number;
    keypadProgrammingEventMask: number;
    rfProgrammingEventMask: number;
    alarmMask: number;
  };

  constructor(
    readonly config: DoorLockConfig,
    private readonly scheduler: SimScheduler,
    private readonly emit: (event: DoorLockEvent) => void,
  ) {
    this.attrs = DoorLockCluster.defaultAttributes(config);
  }

  private static defaultAttributes(config: DoorLockConfig): DoorLockCluster["attrs"] {
    return {
      autoRelockTime: config.autoRelockTime,
      soundVolume: 1,
      operatingMode: 0,
      wrongCodeEntryLimit: config.wrongCodeEntryLimit,
      userCodeTemporaryDisableTime: config.userCodeTemporaryDisableTime,
      sendPINOverTheAir: config.sendPINOverTheAir,
      requirePINforRFOperation: config.requirePINforRFOperation,
      keypadOperationEventMask: 0xffff,
      rfOperationEventMask: 0xffff,
      manualOperationEventMask: 0xffff,
      keypadProgrammingEventMask: 0xffff,
      rfProgrammingEventMask: 0xffff,
      alarmMask: 0,
    };
  }

  /**
   * Back to the profile's factory state without a word on the air: no users, locked, default attributes, no wrong
   * codes or keypad lockout. The lock's clock stays set. For tests sharing one paired lock.
   */
  reset(): void {
    this.dispose();
    this.lockState = LockState.LOCKED;
    this.users.clear();
    this.wrongCodes = 0;
    this.lockoutUntilMs = undefined;
    Object.assign(this.attrs, DoorLockCluster.defaultAttributes(this.config));
  }

  /** Stops the auto-relock timer. */
  dispose(): void {
    this.relockTimer?.cancel();
    this.relockTimer = undefined;
  }

  // ---- attributes (7.3.2.2 - 7.3.2.8)

  /** The value of a Door Lock attribute by name, or undefined when this lock does not have it. */
  readAttribute(name: string): number | boolean | undefined {
    const c = this.config;
    switch (name) {
      case "lockState": return this.lockState;
      case "lockType": return 0; // dead bolt
      case "actuatorEnabled": return true;
      case "numberOfTotalUsersSupported":
      case "numberOfPINUsersSupported": return c.pinSlots;
      case "numberOfWeekDaySchedulesSupportedPerUser": return c.weekDaySchedulesPerUser;
      case "numberOfYearDaySchedulesSupportedPerUser": return c.yearDaySchedulesPerUser;
      case "numberOfHolidaySchedulesSupported": return 0;
      case "maxPINCodeLength": return c.maxPinLength;
      case "minPINCodeLength": return c.minPinLength;
      case "supportedOperatingModes": return SUPPORTED_OPERATING_MODES;
      default:
        return name in this.attrs ? this.attrs[name as keyof typeof this.attrs] : undefined;
    }
  }

  /** Writes a writable attribute; returns a ZCL status (INVALID_VALUE for out-of-range values). */
  writeAttribute(name: string, value: number | boolean): number {
    if (!(name in this.attrs)) return ZclStatus.READ_ONLY;
    const n = Number(value);
    switch (name) {
      case "wrongCodeEntryLimit":
      case "userCodeTemporaryDisableTime":
        if (!(n >= 1 && n <= 255)) return ZclStatus.INVALID_VALUE;
        break;
      case "operatingMode":
        // An enum8 the lock refuses unless its SupportedOperatingModes bit is set (7.3.2.2.17-18).
        if (!(Number.isInteger(n) && n >= 0 && n <= 15 && (SUPPORTED_OPERATING_MODES >> n) & 1)) return ZclStatus.INVALID_VALUE;
        break;
      case "soundVolume":
        if (!(n >= 0 && n <= 2)) return ZclStatus.INVALID_VALUE;
        break;
    }
    const key = name as keyof typeof this.attrs;
    (this.attrs as Record<string, number | boolean>)[key] = typeof this.attrs[key] === "boolean" ? Boolean(value) : n;
    return ZclStatus.SUCCESS;
  }

  // ---- the lock's clock (set from the coordinator's genTime)

  /** Sets the lock's local time (Zigbee seconds), as read from a Time cluster server. */
  syncClock(localTime: number): void {
    this.clockSync = { localTime, atMs: this.scheduler.now() };
  }
  /** The lock's local time in Zigbee seconds, or undefined before the first sync. */
  localTime(): number | undefined {
    if (!this.clockSync) return undefined;
    return this.clockSync.localTime + Math.floor((this.scheduler.now() - this.clockSync.atMs) / 1000);
  }

  // ---- physical and keypad operation

  /** A PIN typed at the keypad, followed by the unlock key. */
  keypadUnlock(pin: string): KeypadOutcome {
    const now = this.scheduler.now();
    // Vacation: only RF operates the lock; Privacy: nothing from outside does (7.3.2.2.17). The keypad is ignored.
    if (this.attrs.operatingMode === OperatingMode.VACATION || this.attrs.operatingMode === OperatingMode.PRIVACY) {
      return { outcome: "disabled", operatingMode: this.attrs.operatingMode };
    }
    if (this.lockoutUntilMs !== undefined && now < this.lockoutUntilMs) {
      return { outcome: "locked-out", untilMs: this.lockoutUntilMs };
    }
    const check = this.checkPin(pin);
    if (check.ok) {
      this.wrongCodes = 0;
      this.setLockState(LockState.UNLOCKED);
      this.operation(EventSource.KEYPAD, OperationEventCode.UNLOCK, check.userId, pin);
      return { outcome: "unlocked", userId: check.userId };
    }
    const code =
      check.reason === "outside-schedule"
        ? OperationEventCode.UNLOCK_FAILURE_INVALID_SCHEDULE
        : check.reason === "non-access-user"
          ? OperationEventCode.NON_ACCESS_USER
          : OperationEventCode.UNLOCK_FAILURE_INVALID_PIN;
    this.operation(EventSource.KEYPAD, code, check.userId, pin);
    if (check.reason === "invalid-pin") this.countWrongCode();
    return { outcome: "rejected", reason: check.reason, userId: check.userId };
  }

  /** The keypad's lock button (one-touch lock). */
  keypadLock(): void {
    this.setLockState(LockState.LOCKED);
    this.operation(EventSource.KEYPAD, OperationEventCode.ONE_TOUCH_LOCK, NO_USER, "");
  }

  /** The thumb turn on the inside. */
  manual(action: "lock" | "unlock"): void {
    this.setLockState(action === "lock" ? LockState.LOCKED : LockState.UNLOCKED);
    this.operation(EventSource.MANUAL, action === "lock" ? OperationEventCode.MANUAL_LOCK : OperationEventCode.MANUAL_UNLOCK, NO_USER, "");
  }

  /** A PIN added (or changed) at the keypad in programming mode. */
  keypadProgramPin(userId: number, pin: string): SetPinStatus {
    const status = this.storePin(userId, UserStatus.ENABLED, UserType.UNRESTRICTED, pin, EventSource.KEYPAD);
    return status;
  }
  /** A PIN deleted at the keypad in programming mode. */
  keypadDeletePin(userId: number): boolean {
    return this.deletePin(userId, EventSource.KEYPAD);
  }

  // ---- RF commands (7.3.2.16)

  /** Runs one Door Lock command received over the air. `name` is from DOOR_LOCK_COMMANDS. */
  handleCommand(name: string, f: Record<string, number | string | Buffer>): CommandResult {
    const num = (k: string) => Number(f[k] ?? 0);
    const pinOf = () => (Buffer.isBuffer(f.pin) ? f.pin.toString("latin1") : String(f.pin ?? ""));
    switch (name) {
      case "lockDoor":
        return this.rfOperate("lock", pinOf());
      case "unlockDoor":
        return this.rfOperate("unlock", pinOf());
      case "toggle":
        return this.rfOperate(this.lockState === LockState.LOCKED ? "unlock" : "lock", pinOf());
      case "unlockWithTimeout": {
        const r = this.rfOperate("unlock", pinOf(), num("timeout"));
        return r;
      }
      case "setPinCode":
        return statusRsp(this.storePin(num("userId"), num("userStatus"), num("userType"), pinOf(), EventSource.RF));
      case "getPinCode": {
        const id = num("userId");
        if (!this.validUser(id)) return { kind: "default", status: ZclStatus.INVALID_FIELD };
        const u = this.users.get(id);
        const pin = !u ? "" : this.config.pinReadback === "plain" ? u.pin : this.config.pinReadback === "asterisks" ? "*".repeat(u.pin.length) : "";
        return ok({
          userId: id,
          userStatus: u?.status ?? UserStatus.AVAILABLE,
          userType: u?.type ?? UserType.NOT_SUPPORTED,
          pin: Buffer.from(pin, "latin1"),
        });
      }
      case "clearPinCode": {
        const id = num("userId");
        if (!this.validUser(id)) return statusRsp(1);
        this.deletePin(id, EventSource.RF);
        return statusRsp(0);
      }
      case "clearAllPinCodes": {
        const had = this.users.size > 0;
        this.users.clear();
        if (had) this.programming(EventSource.RF, ProgrammingEventCode.PIN_CODE_DELETED, NO_USER, "", UserType.UNRESTRICTED, UserStatus.AVAILABLE);
        return statusRsp(0);
      }
      case "setUserStatus": {
        const id = num("userId");
        const st = num("userStatus");
        const u = this.users.get(id);
        if (!this.validUser(id) || !u || (st !== UserStatus.ENABLED && st !== UserStatus.DISABLED)) return statusRsp(1);
        u.status = st;
        return statusRsp(0);
      }
      case "getUserStatus": {
        const id = num("userId");
        if (!this.validUser(id)) return { kind: "default", status: ZclStatus.INVALID_FIELD };
        return ok({ userId: id, userStatus: this.users.get(id)?.status ?? UserStatus.AVAILABLE });
      }
      case "setUserType": {
        const id = num("userId");
        const t = num("userType");
        const u = this.users.get(id);
        if (!this.validUser(id) || !u || !this.validType(t)) return statusRsp(1);
        u.type = t;
        return statusRsp(0);
      }
      case "getUserType": {
        const id = num("userId");
        if (!this.validUser(id)) return { kind: "default", status: ZclStatus.INVALID_FIELD };
        return ok({ userId: id, userType: this.users.get(id)?.type ?? UserType.NOT_SUPPORTED });
      }
      case "setWeekDaySchedule":
      case "getWeekDaySchedule":
      case "clearWeekDaySchedule":
        if (this.config.weekDaySchedulesPerUser === 0) return { kind: "default", status: ZclStatus.UNSUP_CLUSTER_COMMAND };
        return this.weekDayCommand(name, num("scheduleId"), num("userId"), f);
      case "setYearDaySchedule":
      case "getYearDaySchedule":
      case "clearYearDaySchedule":
        if (this.config.yearDaySchedulesPerUser === 0) return { kind: "default", status: ZclStatus.UNSUP_CLUSTER_COMMAND };
        return this.yearDayCommand(name, num("scheduleId"), num("userId"), f);
      default:
        return { kind: "default", status: ZclStatus.UNSUP_CLUSTER_COMMAND };
    }
  }

  snapshot(): DoorLockSnapshot {
    const localTime = this.localTime();
    const attributes: Record<string, number | boolean> = {};
    for (const [k, v] of Object.entries(this.attrs)) attributes[k] = v;
    return {
      lockState: this.lockState,
      users: [...this.users.values()]
        .sort((a, b) => a.userId - b.userId)
        .map((u) => ({
          userId: u.userId,
          status: u.status,
          type: u.type,
          pin: u.pin,
          weekDay: [...u.weekDay.values()],
          yearDay: [...u.yearDay.values()],
        })),
      lockClock: localTime === undefined ? { synced: false } : { synced: true, localTime },
      ...(this.lockoutUntilMs !== undefined && this.scheduler.now() < this.lockoutUntilMs ? { lockoutUntilMs: this.lockoutUntilMs } : {}),
      wrongCodeCount: this.wrongCodes,
      attributes,
    };
  }

  /** Restores persisted state (a restarted `doorstep sim` keeps its PINs, as a real lock keeps them in flash). */
  restore(saved: PersistedDoorLock): void {
    this.lockState = saved.lockState;
    this.users.clear();
    for (const u of saved.users) {
      if (!this.validUser(u.userId)) continue;
      this.users.set(u.userId, {
        userId: u.userId,
        status: u.status,
        type: u.type,
        pin: u.pin,
        weekDay: new Map(u.weekDay.map((s) => [s.scheduleId, s])),
        yearDay: new Map(u.yearDay.map((s) => [s.scheduleId, s])),
      });
    }
    for (const [k, v] of Object.entries(saved.attributes)) if (k in this.attrs) this.writeAttribute(k, v);
  }

  /** State worth keeping across restarts. */
  persisted(): PersistedDoorLock {
    const s = this.snapshot();
    return { lockState: s.lockState, users: s.users.map((u) => ({ ...u })), attributes: s.attributes };
  }

  // ---- internals

  private validUser(id: number): boolean {
    return Number.isInteger(id) && id >= 0 && id < this.config.pinSlots;
  }
  private validType(t: number): boolean {
    if (t === UserType.YEAR_DAY_SCHEDULE) return this.config.yearDaySchedulesPerUser > 0;
    if (t === UserType.WEEK_DAY_SCHEDULE) return this.config.weekDaySchedulesPerUser > 0;
    return t === UserType.UNRESTRICTED || t === UserType.MASTER || t === UserType.NON_ACCESS;
  }

  private storePin(userId: number, status: number, type: number, pin: string, source: EventSource): SetPinStatus {
    const c = this.config;
    if (!this.validUser(userId)) return SetPinStatus.GENERAL_FAILURE;
    if (status !== UserStatus.ENABLED && status !== UserStatus.DISABLED) return SetPinStatus.GENERAL_FAILURE;
    if (!this.validType(type)) return SetPinStatus.GENERAL_FAILURE;
    if (pin.length < c.minPinLength || pin.length > c.maxPinLength || !/^[0-9]+$/.test(pin)) return SetPinStatus.GENERAL_FAILURE;
    if (c.duplicatePolicy !== "allow") {
      for (const u of this.users.values()) {
        if (u.pin !== pin) continue;
        if (u.userId !== userId || c.duplicatePolicy === "reject-any-slot") return SetPinStatus.DUPLICATE_CODE;
      }
    }
    const existing = this.users.get(userId);
    const code = existing ? ProgrammingEventCode.PIN_CODE_CHANGED : ProgrammingEventCode.PIN_CODE_ADDED;
    if (existing) {
      existing.status = status;
      existing.type = type;
      existing.pin = pin;
    } else {
      this.users.set(userId, { userId, status, type, pin, weekDay: new Map(), yearDay: new Map() });
    }
    this.programming(source, code, userId, pin, type, status);
    return SetPinStatus.SUCCESS;
  }

  /** Clearing a PIN frees the slot, schedules included, so a reused slot never inherits an old time box. */
  private deletePin(userId: number, source: EventSource): boolean {
    const u = this.users.get(userId);
    if (!u) return false;
    this.users.delete(userId);
    this.programming(source, ProgrammingEventCode.PIN_CODE_DELETED, userId, "", u.type, UserStatus.AVAILABLE);
    return true;
  }

  private weekDayCommand(name: string, scheduleId: number, userId: number, f: Record<string, number | string | Buffer>): CommandResult {
    const validIds = this.validUser(userId) && scheduleId >= 0 && scheduleId < this.config.weekDaySchedulesPerUser;
    const u = this.users.get(userId);
    if (name === "getWeekDaySchedule") {
      const s = validIds ? u?.weekDay.get(scheduleId) : undefined;
      // On failure the spec sends only id fields and status; we zero-fill the rest so every ZCL decoder copes.
      return ok({
        scheduleId,
        userId,
        status: s ? ZclStatus.SUCCESS : validIds ? ZclStatus.NOT_FOUND : ZclStatus.INVALID_FIELD,
        daysMask: s?.daysMask ?? 0,
        startHour: s?.startHour ?? 0,
        startMinute: s?.startMinute ?? 0,
        endHour: s?.endHour ?? 0,
        endMinute: s?.endMinute ?? 0,
      });
    }
    if (!validIds) return statusRsp(ZclStatus.INVALID_FIELD);
    if (name === "clearWeekDaySchedule") {
      u?.weekDay.delete(scheduleId);
      return statusRsp(0);
    }
    const s: WeekDaySchedule = {
      scheduleId,
      daysMask: Number(f.daysMask),
      startHour: Number(f.startHour),
      startMinute: Number(f.startMinute),
      endHour: Number(f.endHour),
      endMinute: Number(f.endMinute),
    };
    const start = s.startHour * 60 + s.startMinute;
    const end = s.endHour * 60 + s.endMinute;
    if ((s.daysMask & 0x7f) === 0 || (s.daysMask & 0x80) !== 0 || s.startHour > 23 || s.endHour > 23 || s.startMinute > 59 || s.endMinute > 59 || end <= start) {
      return statusRsp(ZclStatus.INVALID_FIELD);
    }
    if (!u) return statusRsp(ZclStatus.FAILURE);
    u.weekDay.set(scheduleId, s);
    return statusRsp(0);
  }

  private yearDayCommand(name: string, scheduleId: number, userId: number, f: Record<string, number | string | Buffer>): CommandResult {
    const validIds = this.validUser(userId) && scheduleId >= 0 && scheduleId < this.config.yearDaySchedulesPerUser;
    const u = this.users.get(userId);
    if (name === "getYearDaySchedule") {
      const s = validIds ? u?.yearDay.get(scheduleId) : undefined;
      return ok({
        scheduleId,
        userId,
        status: s ? ZclStatus.SUCCESS : validIds ? ZclStatus.NOT_FOUND : ZclStatus.INVALID_FIELD,
        localStartTime: s?.localStartTime ?? 0,
        localEndTime: s?.localEndTime ?? 0,
      });
    }
    if (!validIds) return statusRsp(ZclStatus.INVALID_FIELD);
    if (name === "clearYearDaySchedule") {
      u?.yearDay.delete(scheduleId);
      return statusRsp(0);
    }
    const s: YearDaySchedule = { scheduleId, localStartTime: Number(f.localStartTime), localEndTime: Number(f.localEndTime) };
    if (s.localEndTime <= s.localStartTime) return statusRsp(ZclStatus.INVALID_FIELD);
    if (!u) return statusRsp(ZclStatus.FAILURE);
    u.yearDay.set(scheduleId, s);
    return statusRsp(0);
  }

  /** Is this PIN valid right now? Schedule users are checked against the lock's own clock (fail closed when unset). */
  private checkPin(pin: string): { ok: true; userId: number } | { ok: false; reason: "invalid-pin" | "outside-schedule" | "non-access-user"; userId: number } {
    const u = [...this.users.values()].find((x) => x.pin === pin && pin.length > 0);
    if (!u || u.status !== UserStatus.ENABLED) return { ok: false, reason: "invalid-pin", userId: NO_USER };
    if (u.type === UserType.NON_ACCESS) return { ok: false, reason: "non-access-user", userId: u.userId };
    if (u.type === UserType.YEAR_DAY_SCHEDULE || u.type === UserType.WEEK_DAY_SCHEDULE) {
      const t = this.localTime();
      const inWindow = t !== undefined && (u.type === UserType.YEAR_DAY_SCHEDULE ? inYearDay(u, t) : inWeekDay(u, t));
      if (!inWindow) return { ok: false, reason: "outside-schedule", userId: u.userId };
    }
    return { ok: true, userId: u.userId };
  }

  private rfOperate(action: "lock" | "unlock", pin: string, relockAfterSeconds?: number): CommandResult {
    let userId = NO_USER;
    if (this.attrs.operatingMode === OperatingMode.PRIVACY) return statusRsp(1);
    if (pin.length > 0 || this.attrs.requirePINforRFOperation) {
      const now = this.scheduler.now();
      if (this.lockoutUntilMs !== undefined && now < this.lockoutUntilMs) return statusRsp(1);
      const check = this.checkPin(pin);
      if (!check.ok) {
        const code =
          check.reason === "outside-schedule"
            ? action === "lock" ? OperationEventCode.LOCK_FAILURE_INVALID_SCHEDULE : OperationEventCode.UNLOCK_FAILURE_INVALID_SCHEDULE
            : action === "lock" ? OperationEventCode.LOCK_FAILURE_INVALID_PIN : OperationEventCode.UNLOCK_FAILURE_INVALID_PIN;
        this.operation(EventSource.RF, code, check.userId, pin);
        if (check.reason === "invalid-pin" && pin.length > 0) this.countWrongCode();
        return statusRsp(1);
      }
      this.wrongCodes = 0;
      userId = check.userId;
    }
    this.setLockState(action === "lock" ? LockState.LOCKED : LockState.UNLOCKED, relockAfterSeconds);
    this.operation(EventSource.RF, action === "lock" ? OperationEventCode.LOCK : OperationEventCode.UNLOCK, userId, pin);
    return statusRsp(0);
  }

  private countWrongCode(): void {
    this.wrongCodes++;
    if (this.wrongCodes >= this.attrs.wrongCodeEntryLimit) {
      this.wrongCodes = 0;
      this.lockoutUntilMs = this.scheduler.now() + this.attrs.userCodeTemporaryDisableTime * 1000;
    }
  }

  private setLockState(state: LockState, relockAfterSeconds?: number): void {
    this.relockTimer?.cancel();
    this.relockTimer = undefined;
    const changed = state !== this.lockState;
    this.lockState = state;
    if (changed) this.emit({ kind: "lockState", state });
    const relock = relockAfterSeconds ?? this.attrs.autoRelockTime;
    if (state === LockState.UNLOCKED && relock > 0) {
      this.relockTimer = this.scheduler.after(relock * 1000, () => {
        this.relockTimer = undefined;
        this.setLockState(LockState.LOCKED);
        this.operation(EventSource.MANUAL, OperationEventCode.AUTO_LOCK, NO_USER, "");
      });
    }
  }

  private operation(source: EventSource, code: OperationEventCode, userId: number, pin: string): void {
    const mask =
      source === EventSource.KEYPAD ? this.attrs.keypadOperationEventMask : source === EventSource.RF ? this.attrs.rfOperationEventMask : this.attrs.manualOperationEventMask;
    if (mask === 0) return;
    this.emit({
      kind: "operation",
      source,
      code,
      userId,
      pin: this.attrs.sendPINOverTheAir ? pin : "",
      localTime: this.localTime() ?? 0,
    });
  }

  private programming(source: EventSource, code: ProgrammingEventCode, userId: number, pin: string, userType: UserType, userStatus: UserStatus): void {
    const mask = source === EventSource.KEYPAD ? this.attrs.keypadProgrammingEventMask : this.attrs.rfProgrammingEventMask;
    if (mask === 0) return;
    this.emit({
      kind: "programming",
      source,
      code,
      userId,
      pin: this.attrs.sendPINOverTheAir ? pin : "",
      userType,
      userStatus,
      localTime: this.localTime() ?? 0,
    });
  }
}

/** Zigbee local seconds → day of week (0 = Sunday) and minute of day. 2000-01-01 was a Saturday. */
export function zigbeeLocalParts(localTime: number): { dayOfWeek: number; minuteOfDay: number } {
  const day = Math.floor(localTime / 86400);
  return { dayOfWeek: (day + 6) % 7, minuteOfDay: Math.floor((localTime % 86400) / 60) };
}

function inYearDay(u: PinUser, t: number): boolean {
  for (const s of u.yearDay.values()) if (t >= s.localStartTime && t <= s.localEndTime) return true;
  return false;
}

function inWeekDay(u: PinUser, t: number): boolean {
  const { dayOfWeek, minuteOfDay } = zigbeeLocalParts(t);
  for (const s of u.weekDay.values()) {
    if ((s.daysMask & (1 << dayOfWeek)) === 0) continue;
    if (minuteOfDay >= s.startHour * 60 + s.startMinute && minuteOfDay < s.endHour * 60 + s.endMinute) return true;
  }
  return false;
}
