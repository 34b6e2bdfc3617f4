// An in-memory LockDriver for the reconciler's unit tests: a PIN table with the lock's duplicate-code rule,
// scripted failures, and a log of the commands it received. Boundary tests use the real driver and emulator instead.
import { EventEmitter } from "node:events";
import type { Interval } from "../../src/access/credential.js";
import { DeviceRejectedError, DeviceUnreachableError } from "../../src/core/errors.js";
import type {
  DoorState, LockCapabilities, LockDriver, LockDriverEvents, LockIdentity, LockState, OperationOutcome,
  PinUserType, ProgrammingEvent, SlotReading, WeekDayInterval,
} from "../../src/zigbee/lock-driver.js";

/** What the next command does instead of succeeding. "lost-answer": the lock applies it but the answer never arrives. */
export type Fault = "unreachable" | "lost-answer" | { rejectStatus: number };

export class FakeLockDriver implements LockDriver {
  readonly events = new EventEmitter<LockDriverEvents>();
  readonly identity: LockIdentity = { ieee: "0x0000000000000001", vendor: "Fake", model: "FAKE", description: "fake", supported: true };
  readonly pins = new Map<number, { pin: string; type: PinUserType }>();
  readonly yearDay = new Map<number, Interval>();
  readonly commands: string[] = [];
  /** Faults consumed one per command, in order. */
  readonly faults: Fault[] = [];
  /** Probability that a command fails as "unreachable" (after scripted faults), with a seeded generator. */
  failRate = 0;
  private seed = 12345;

  constructor(readonly capabilities: LockCapabilities) {}

  getState(): LockState { return "locked"; }
  getDoorState(): DoorState { return "closed"; }
  getBattery(): number | undefined { return 90; }
  isAvailable(): boolean { return true; }
  async lock(): Promise<OperationOutcome> { return { outcome: "confirmed", state: "locked" }; }
  async unlock(): Promise<OperationOutcome> { return { outcome: "confirmed", state: "unlocked" }; }

  async setPin(slot: number, pin: string, userType: PinUserType = "unrestricted"): Promise<void> {
    this.command(`setPin ${slot}`, () => {
      for (const [s, p] of this.pins) if (p.pin === pin) throw new DeviceRejectedError(`duplicate in slot ${s}`, 3);
      this.pins.set(slot, { pin, type: userType });
    });
  }
  async clearPin(slot: number): Promise<void> {
    this.command(`clearPin ${slot}`, () => { this.pins.delete(slot); this.yearDay.delete(slot); });
  }
  async readSlot(slot: number, compareWith?: string): Promise<SlotReading> {
    let out: SlotReading = { slot, status: "unknown" };
    this.command(`readSlot ${slot}`, () => {
      const p = this.pins.get(slot);
      out = p
        ? { slot, status: "enabled", ...(compareWith !== undefined && !this.capabilities.masksPinsOnRead && { pinMatches: p.pin === compareWith }) }
        : { slot, status: "available" };
    });
    return out;
  }
  async setYearDaySchedule(slot: number, interval: Interval): Promise<void> {
    this.command(`setYearDay ${slot}`, () => { this.yearDay.set(slot, { ...interval }); });
  }
  async clearYearDaySchedule(slot: number): Promise<void> {
    this.command(`clearYearDay ${slot}`, () => { this.yearDay.delete(slot); });
  }
  async setWeekDaySchedule(slot: number, _s: WeekDayInterval): Promise<void> { this.command(`setWeekDay ${slot}`, () => undefined); }
  async clearWeekDaySchedule(slot: number): Promise<void> { this.command(`clearWeekDay ${slot}`, () => undefined); }

  /** A person programs the lock at its keypad. */
  keypadProgram(e: Omit<ProgrammingEvent, "at" | "code" | "source">, pin?: string): void {
    if (e.slot !== undefined) {
      if (e.kind === "pin-removed") this.pins.delete(e.slot);
      else if (pin) this.pins.set(e.slot, { pin, type: "unrestricted" });
    }
    this.events.emit("programming", { ...e, source: "keypad", code: 0, at: 0 });
  }

  private command(name: string, effect: () => void): void {
    this.commands.push(name);
    const fault = this.faults.shift() ?? (this.failRate > 0 && this.random() < this.failRate ? "unreachable" : undefined);
    if (fault === "unreachable") throw new DeviceUnreachableError("no answer");
    if (typeof fault === "object") throw new DeviceRejectedError(`status ${fault.rejectStatus}`, fault.rejectStatus);
    effect();
    if (fault === "lost-answer") throw new DeviceUnreachableError("no answer");
  }

  private random(): number {
    this.seed = (this.seed * 1103515245 + 12345) % 2 ** 31;
    return this.seed / 2 ** 31;
  }
}

export const KWIKSET_LIKE: LockCapabilities = { pinSlots: 30, minPinLength: 4, maxPinLength: 8, yearDaySchedules: 0, weekDaySchedules: 0 };
export const YALE_LIKE: LockCapabilities = { pinSlots: 250, minPinLength: 4, maxPinLength: 8, yearDaySchedules: 1, weekDaySchedules: 7, masksPinsOnRead: false };
