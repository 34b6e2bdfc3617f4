// The LockDriver double for tests: a bolt, a PIN table with a chosen lock's duplicate-code rule, scripted answers and
// faults, and a log of what it was sent. test/zigbee/lock-driver-contract.test.ts holds it to the contract the herdsman
// driver meets on the emulator. Not product code: left out of the package; only tests and src/sim may import it.
import { EventEmitter } from "node:events";
import { systemClock, type Clock } from "../access/clock.js";
import type { Interval } from "../access/credential.js";
import type { EpochMs } from "../access/ids.js";
import { DeviceRejectedError, DeviceUnreachableError, ValidationError } from "../core/errors.js";
import type {
  DoorState, LockCapabilities, LockDriver, LockDriverEvents, LockIdentity, LockState, OperationOptions, OperationOutcome,
  PinUserType, ProgrammingKind, SlotReading, StateChange, WeekDayInterval,
} from "./lock-driver.js";
import { STATUS_DUPLICATE_CODE } from "./zcl-door-lock.js";

/**
 * Which setPinCode the lock refuses with DUPLICATE_CODE. ZCL names the status, not the rule, and locks differ:
 * a Yale refuses its own code written again into the same slot ("reject-any-slot", keymaster#660), a Schlage only a
 * code held by another slot, a Kwikset takes any. The emulator's lock profiles have the same three.
 */
export type DuplicatePinRule = "allow" | "reject-other-slots" | "reject-any-slot";

/** What the next lock/unlock command does; "hold": nothing until release() answers it. */
export type OperationAnswer = "confirm" | "time-out" | "reject" | "unreachable" | "hold";

/** What the next PIN-table command does instead of succeeding. "lost-answer": the lock applies it but the answer never arrives. */
export type PinTableFault = "unreachable" | "lost-answer" | { rejectStatus: number };

/** A Kwikset-like keypad lock: 30 PIN slots, no in-lock schedules. */
export const KWIKSET_LIKE: LockCapabilities = { pinSlots: 30, minPinLength: 4, maxPinLength: 8, yearDaySchedules: 0, weekDaySchedules: 0 };
/** A Yale-like lock: 250 PIN slots, one year-day and seven week-day schedules per user, PINs read back in clear. */
export const YALE_LIKE: LockCapabilities = { pinSlots: 250, minPinLength: 4, maxPinLength: 8, yearDaySchedules: 1, weekDaySchedules: 7, masksPinsOnRead: false };

/** A Schlage-like lock: 30 PIN slots, one year-day schedule per user, PINs masked on read-back. */
export const SCHLAGE_LIKE: LockCapabilities = { pinSlots: 30, minPinLength: 4, maxPinLength: 8, yearDaySchedules: 1, weekDaySchedules: 0, masksPinsOnRead: true };

export interface TestLockDriverOptions {
  capabilities?: LockCapabilities;
  /** Default "reject-any-slot": the strictest, so a caller that copes with it copes with every lock. */
  duplicatePins?: DuplicatePinRule;
  clock?: Clock;
  /** A log shared with other doubles, to assert the order of side effects ("lock.unlock", "lock.lock"). */
  trace?: string[];
}

/** ZCL programming event codes (7.3.2.17.20) of the events this lock sends. */
const PROGRAMMING_CODES: Partial<Record<ProgrammingKind, number>> = { "pin-added": 2, "pin-removed": 3, "pin-changed": 4 };

interface PinUser {
  pin: string;
  type: PinUserType;
}

export class TestLockDriver implements LockDriver {
  readonly events = new EventEmitter<LockDriverEvents>();
  readonly identity: LockIdentity = { ieee: "0x00000000000000aa", vendor: "Test", model: "TEST-LOCK", description: "test double", supported: true };
  capabilities: LockCapabilities;
  readonly duplicatePins: DuplicatePinRule;
  state: LockState = "locked";
  available = true;
  readonly pins = new Map<number, PinUser>();
  readonly yearDay = new Map<number, Interval>();
  readonly weekDay = new Map<number, WeekDayInterval>();
  /** PIN-table commands received, e.g. "setPin 0", "clearPin 0", "readSlot 0", "setYearDay 0". */
  readonly commands: string[] = [];
  /** Answers to the next unlock/lock commands, in order; "confirm" when empty. */
  readonly unlockAnswers: OperationAnswer[] = [];
  readonly lockAnswers: OperationAnswer[] = [];
  unlocks = 0;
  locks = 0;
  /** Called as the unlock command is sent, to observe what was committed before it. */
  onUnlock: (() => void) | undefined;
  /** Faults consumed one per PIN-table command, in order. */
  readonly faults: PinTableFault[] = [];
  /** Probability that a PIN-table command is lost (after scripted faults), from a seeded generator. */
  failRate = 0;
  /** When a PIN-table frame was last lost ("unreachable"). */
  lastDroppedAt: EpochMs | undefined;
  private readonly clock: Clock;
  private readonly trace: string[];
  private readonly held: { target: LockState; previous: LockState; resolve: (o: OperationOutcome) => void; reject: (e: unknown) => void }[] = [];
  private seed = 12345;

  constructor(options: TestLockDriverOptions = {}) {
    this.capabilities = options.capabilities ?? KWIKSET_LIKE;
    this.duplicatePins = options.duplicatePins ?? "reject-any-slot";
    this.clock = options.clock ?? systemClock;
    this.trace = options.trace ?? [];
  }

  getState(): LockState { return this.state; }
  getDoorState(): DoorState { return "closed"; }
  getBattery(): number | undefined { return 90; }
  isAvailable(): boolean { return this.available; }

  // ── Lock and unlock ──

  async unlock(options: OperationOptions = {}): Promise<OperationOutcome> {
    this.checkOperation(options);
    this.unlocks++;
    this.trace.push("lock.unlock");
    this.onUnlock?.();
    return this.operate(this.unlockAnswers.shift() ?? this.pinAnswer(options), "unlocked");
  }

  async lock(options: OperationOptions = {}): Promise<OperationOutcome> {
    this.checkOperation(options);
    this.locks++;
    this.trace.push("lock.lock");
    return this.operate(this.lockAnswers.shift() ?? this.pinAnswer(options), "locked");
  }

  /** Commands held so far ("hold"). */
  get holding(): number {
    return this.held.length;
  }

  /** Answers every held command as `answer`. */
  release(answer: Exclude<OperationAnswer, "hold">): void {
    for (const h of this.held.splice(0)) this.answer(answer, h.target, h.previous).then(h.resolve, h.reject);
  }

  // ── PINs and schedules ──

  async setPin(slot: number, pin: string, type: PinUserType = "unrestricted"): Promise<void> {
    this.checkSlot(slot);
    this.checkPin(pin);
    this.command(`setPin ${slot}`, () => {
      for (const [s, p] of this.pins) {
        if (p.pin !== pin || this.duplicatePins === "allow" || (s === slot && this.duplicatePins === "reject-other-slots")) continue;
        throw new DeviceRejectedError(`setPinCode refused by the lock: DUPLICATE_CODE (slot ${s})`, STATUS_DUPLICATE_CODE);
      }
      const kind: ProgrammingKind = this.pins.has(slot) ? "pin-changed" : "pin-added";
      this.pins.set(slot, { pin, type });
      this.programming("rf", kind, slot);
    });
  }

  async clearPin(slot: number): Promise<void> {
    this.checkSlot(slot);
    this.command(`clearPin ${slot}`, () => this.deletePin(slot, "rf"));
  }

  async readSlot(slot: number, compareWith?: string): Promise<SlotReading> {
    this.checkSlot(slot);
    let out: SlotReading = { slot, status: "unknown" };
    this.command(`readSlot ${slot}`, () => {
      const p = this.pins.get(slot);
      const compare = compareWith !== undefined && !this.capabilities.masksPinsOnRead;
      out = p ? { slot, status: "enabled", ...(compare && { pinMatches: p.pin === compareWith }) } : { slot, status: "available" };
    });
    return out;
  }

  async setYearDaySchedule(slot: number, interval: Interval, scheduleId = 0): Promise<void> {
    this.checkSlot(slot);
    this.checkSchedule("yearDaySchedules", scheduleId);
    if (!(interval.start < interval.end)) throw new ValidationError("must have start < end", "interval");
    this.command(`setYearDay ${slot}`, () => {
      this.requireUser(slot);
      this.yearDay.set(slot, { ...interval });
    });
  }

  async clearYearDaySchedule(slot: number, scheduleId = 0): Promise<void> {
    this.checkSlot(slot);
    this.checkSchedule("yearDaySchedules", scheduleId);
    this.command(`clearYearDay ${slot}`, () => void this.yearDay.delete(slot));
  }

  async setWeekDaySchedule(slot: number, schedule: WeekDayInterval, scheduleId = 0): Promise<void> {
    this.checkSlot(slot);
    this.checkSchedule("weekDaySchedules", scheduleId);
    const hour = (h: number) => Number.isInteger(h) && h >= 0 && h <= 23;
    const minute = (m: number) => Number.isInteger(m) && m >= 0 && m <= 59;
    if (!(Number.isInteger(schedule.daysMask) && schedule.daysMask > 0 && schedule.daysMask < 0x80)) throw new ValidationError("must name at least one day", "daysMask");
    if (![schedule.startHour, schedule.endHour].every(hour) || ![schedule.startMinute, schedule.endMinute].every(minute)) {
      throw new ValidationError("hours must be 0–23 and minutes 0–59", "schedule");
    }
    this.command(`setWeekDay ${slot}`, () => {
      this.requireUser(slot);
      this.weekDay.set(slot, { ...schedule });
    });
  }

  async clearWeekDaySchedule(slot: number, scheduleId = 0): Promise<void> {
    this.checkSlot(slot);
    this.checkSchedule("weekDaySchedules", scheduleId);
    this.command(`clearWeekDay ${slot}`, () => void this.weekDay.delete(slot));
  }

  // ── What happens at the lock ──

  /** The lock reports a state by itself (a report, the late landing of a command); like a driver, only a change is an event. */
  report(state: LockState): void {
    this.setState(state, "report");
  }

  /** Someone typed a code on the keypad and the lock opened for slot `slot` (the PIN itself is not needed). */
  keypadUnlock(slot: number | undefined): void {
    this.setState("unlocked", "event");
    this.events.emit("operation", { source: "keypad", kind: "unlock", code: 2, at: this.clock.now(), ...(slot !== undefined && { slot }) });
  }

  /** Someone typed `pin` on the keypad: the lock opens for the slot holding it, or reports a wrong code (no slot). */
  typeKeypadPin(pin: string): void {
    const slot = [...this.pins].find(([, p]) => p.pin === pin)?.[0];
    if (slot !== undefined) return this.keypadUnlock(slot);
    this.events.emit("operation", { source: "keypad", kind: "unlock-failure-invalid-pin", code: 5, at: this.clock.now() });
  }

  /** A person adds or changes a PIN at the keypad (programming mode). */
  programPinAtKeypad(slot: number, pin: string): void {
    const kind: ProgrammingKind = this.pins.has(slot) ? "pin-changed" : "pin-added";
    this.pins.set(slot, { pin, type: "unrestricted" });
    this.programming("keypad", kind, slot);
  }

  /** A person deletes a PIN at the keypad. */
  deletePinAtKeypad(slot: number): void {
    this.deletePin(slot, "keypad");
  }

  // ── Internals ──

  private async operate(answer: OperationAnswer, target: LockState): Promise<OperationOutcome> {
    const previous = this.state;
    // Like a driver: the bolt is moving from the moment the command goes out until the lock answers.
    this.setState(target === "unlocked" ? "unlocking" : "locking", "command");
    if (answer === "hold") return new Promise((resolve, reject) => this.held.push({ target, previous, resolve, reject }));
    return this.answer(answer, target, previous);
  }

  private async answer(answer: Exclude<OperationAnswer, "hold">, target: LockState, previous: LockState): Promise<OperationOutcome> {
    await Promise.resolve();
    switch (answer) {
      case "confirm":
        this.setState(target, "response");
        // The lock announces every operation, its own RF ones included.
        this.events.emit("operation", { source: "rf", kind: target === "unlocked" ? "unlock" : "lock", code: target === "unlocked" ? 2 : 1, at: this.clock.now() });
        return { outcome: "confirmed", state: target };
      case "time-out":
        this.setState("unknown", "deadline");
        return { outcome: "timed-out", state: "unknown" };
      case "reject":
        // Refused: the bolt did not move.
        this.setState(previous, "response");
        throw new DeviceRejectedError("the lock answered FAILURE", 1);
      case "unreachable":
        // No answer at all: nobody can tell where the bolt is.
        this.setState("unknown", "response");
        throw new DeviceUnreachableError("the lock did not answer");
    }
  }

  /** A PIN sent with lock/unlock must be one the lock holds, as the lock checks it. */
  private pinAnswer(options: OperationOptions): OperationAnswer {
    return options.pin === undefined || [...this.pins.values()].some((p) => p.pin === options.pin) ? "confirm" : "reject";
  }

  private checkOperation(options: OperationOptions): void {
    if (options.pin !== undefined) this.checkPin(options.pin);
    else if (this.capabilities.requirePinForRf) throw new ValidationError("this lock requires a PIN over the air", "pin");
    options.signal?.throwIfAborted();
  }

  private setState(state: LockState, cause: StateChange["cause"]): void {
    if (state === this.state) return;
    const previous = this.state;
    this.state = state;
    this.events.emit("state", { state, previous, cause, at: this.clock.now() });
  }

  private deletePin(slot: number, source: "rf" | "keypad"): void {
    // Clearing a PIN frees the slot, schedules included, as the lock does.
    const had = this.pins.delete(slot);
    this.yearDay.delete(slot);
    this.weekDay.delete(slot);
    if (had) this.programming(source, "pin-removed", slot);
  }

  private programming(source: "rf" | "keypad", kind: ProgrammingKind, slot: number): void {
    this.events.emit("programming", { source, kind, slot, code: PROGRAMMING_CODES[kind] ?? 0, at: this.clock.now() });
  }

  private requireUser(slot: number): void {
    if (!this.pins.has(slot)) throw new DeviceRejectedError("the lock answered FAILURE: no user in this slot", 1);
  }

  /** One PIN-table frame: lost before the lock, refused, applied, or applied with its answer lost. */
  private command(name: string, effect: () => void): void {
    this.commands.push(name);
    const fault = this.faults.shift() ?? (this.failRate > 0 && this.random() < this.failRate ? "unreachable" : undefined);
    if (fault === "unreachable") {
      this.lastDroppedAt = this.clock.now();
      throw new DeviceUnreachableError("the frame was lost");
    }
    if (typeof fault === "object") throw new DeviceRejectedError(`status ${fault.rejectStatus}`, fault.rejectStatus);
    effect();
    if (fault === "lost-answer") throw new DeviceUnreachableError("no answer");
  }

  // The same input checks as the real drivers, before anything is sent.
  private checkPin(pin: string): void {
    const { minPinLength: min, maxPinLength: max } = this.capabilities;
    if (!/^[0-9]+$/.test(pin)) throw new ValidationError("PIN must be digits only", "pin");
    if (pin.length < min || pin.length > max) throw new ValidationError(`PIN must have ${min}–${max} digits for this lock`, "pin");
  }

  private checkSlot(slot: number): void {
    const caps = this.capabilities;
    if (!Number.isInteger(slot) || slot < 0 || slot >= caps.pinSlots) throw new ValidationError(`must be an integer 0–${caps.pinSlots - 1} on this lock`, "slot");
    if (caps.reservedSlots?.includes(slot)) throw new ValidationError(`slot ${slot} is reserved on this lock`, "slot");
  }

  private checkSchedule(kind: "yearDaySchedules" | "weekDaySchedules", scheduleId: number): void {
    const n = this.capabilities[kind];
    if (n <= 0) throw new ValidationError(`this lock keeps no ${kind === "yearDaySchedules" ? "year-day" : "week-day"} schedules`, "schedule");
    if (!Number.isInteger(scheduleId) || scheduleId < 0 || scheduleId >= n) throw new ValidationError(`must be 0–${n - 1}`, "scheduleId");
  }

  private random(): number {
    this.seed = (this.seed * 1103515245 + 12345) % 2 ** 31;
    return this.seed / 2 ** 31;
  }
}
