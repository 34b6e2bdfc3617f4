// The LockDriver contract: what every driver and the test double must do, written once and run against each of them
// (lock-driver-contract.test.ts). Expectations follow the lock under test: its capabilities, and its duplicate-code rule.
import { expect } from "chai";
import { DeviceRejectedError, ValidationError } from "../../src/core/errors.js";
import type { LockDriver, OperationEvent, ProgrammingEvent, StateChange } from "../../src/zigbee/lock-driver.js";
import type { DuplicatePinRule } from "../../src/zigbee/test-lock-driver.js";
import { eventually } from "../helpers/eventually.js";

/** A driver with its lock, and the hands of someone standing at that lock. */
export interface LockUnderTest {
  readonly driver: LockDriver;
  /** The lock's own rule for a code it holds already. */
  readonly duplicatePins: DuplicatePinRule;
  /**
   * The driver never sees setPinCode's status (Zigbee2MQTT does not pass it on) and confirms a write by reading the
   * slot back: a refusal then carries no status, and a code found in its own slot is a success whatever the lock said.
   */
  readonly confirmsByReadBack?: boolean;
  /** How many frames the lock has received so far (to check that bad input never leaves the driver). */
  framesReceived(): number;
  /** Someone types `pin` at the keypad and presses unlock. */
  typeKeypadPin(pin: string): void;
  /** A person programs `pin` into `slot` at the keypad. */
  programPinAtKeypad(slot: number, pin: string): void;
}

/** Defines the contract's cases inside the caller's `describe`; `subject` is read when a case runs (after `before`). */
export function lockDriverContract(subject: () => LockUnderTest): void {
  /** Slots a case wrote, cleared after it so the cases do not depend on their order. */
  const used = new Set<number>();
  const slot = (n: number): number => {
    used.add(n);
    return n;
  };

  afterEach(async () => {
    const { driver } = subject();
    for (const n of used) await driver.clearPin(n);
    used.clear();
    for (const name of ["state", "operation", "programming"] as const) driver.events.removeAllListeners(name);
    if (driver.getState() !== "locked") await driver.lock();
  });

  /** Resolves to the error a call threw, or undefined. */
  const failure = (call: () => Promise<unknown>) => call().then(() => undefined, (e: unknown) => e);

  /** The first state change (with its cause) and the last one. */
  const ends = (changes: readonly StateChange[]) => [`${changes[0]?.state} (${changes[0]?.cause})`, changes.at(-1)?.state];

  /** What readSlot(…, compareWith) must say about a code the slot holds (`holds`): nothing when the lock masks PINs. */
  const comparison = (holds: boolean) => (subject().driver.capabilities.masksPinsOnRead ? {} : { pinMatches: holds });

  it("says what it can do: PIN slots, PIN lengths and schedule counts, and who it is", () => {
    const { driver } = subject();
    const caps = driver.capabilities;
    expect(Number.isInteger(caps.pinSlots) && caps.pinSlots > 0, `pinSlots ${caps.pinSlots}`).to.equal(true);
    expect(caps.minPinLength).to.be.at.least(1).and.at.most(caps.maxPinLength);
    for (const n of [caps.yearDaySchedules, caps.weekDaySchedules]) expect(Number.isInteger(n) && n >= 0, `schedule count ${n}`).to.equal(true);
    expect(driver.identity.ieee).to.match(/^0x[0-9a-f]{16}$/);
    expect(driver.isAvailable()).to.equal(true);
  });

  it("stores a PIN in a slot, reads it back (compared unless the lock masks it) and clears it", async () => {
    const { driver } = subject();
    const s = slot(1);
    await driver.setPin(s, "4821");
    expect(await driver.readSlot(s)).to.deep.equal({ slot: s, status: "enabled" });
    expect(await driver.readSlot(s, "4821")).to.deep.equal({ slot: s, status: "enabled", ...comparison(true) });
    expect(await driver.readSlot(s, "4822")).to.deep.equal({ slot: s, status: "enabled", ...comparison(false) });
    await driver.clearPin(s);
    expect(await driver.readSlot(s, "4821")).to.deep.equal({ slot: s, status: "available" });
    await driver.clearPin(s); // clearing an empty slot is no error
  });

  it("overwrites a slot's PIN with another in one command", async () => {
    const { driver } = subject();
    const s = slot(2);
    await driver.setPin(s, "1357");
    await driver.setPin(s, "2468");
    expect(await driver.readSlot(s, "2468")).to.deep.equal({ slot: s, status: "enabled", ...comparison(true) });
  });

  it("takes or refuses a PIN another slot holds as the lock's rule says, refused as DUPLICATE_CODE (3) without the PIN", async () => {
    const { driver, duplicatePins, confirmsByReadBack } = subject();
    await driver.setPin(slot(3), "9753");
    const error = await failure(() => driver.setPin(slot(4), "9753"));
    if (duplicatePins === "allow") {
      expect(error).to.equal(undefined);
      expect(await driver.readSlot(4)).to.deep.equal({ slot: 4, status: "enabled" });
      return;
    }
    expect(error, `rule ${duplicatePins}`).to.be.instanceOf(DeviceRejectedError);
    expect((error as Error).message).to.not.match(/9753/);
    if (!confirmsByReadBack) {
      expect((error as DeviceRejectedError).status).to.equal(3);
      expect((error as Error).message).to.match(/DUPLICATE_CODE/);
    }
    expect(await driver.readSlot(4)).to.deep.equal({ slot: 4, status: "available" });
  });

  it("takes or refuses a PIN written again into its own slot as the lock's rule says (a write whose answer was lost)", async () => {
    const { driver, duplicatePins, confirmsByReadBack } = subject();
    const s = slot(5);
    await driver.setPin(s, "8642");
    const error = await failure(() => driver.setPin(s, "8642"));
    if (duplicatePins === "reject-any-slot" && !confirmsByReadBack) {
      expect(error, `rule ${duplicatePins}`).to.be.instanceOf(DeviceRejectedError);
      expect((error as DeviceRejectedError).status).to.equal(3);
    } else {
      expect(error, `rule ${duplicatePins}`).to.equal(undefined);
    }
    expect(await driver.readSlot(s, "8642")).to.deep.equal({ slot: s, status: "enabled", ...comparison(true) });
  });

  it("refuses a slot outside the lock's range, and a malformed PIN, before sending anything", async () => {
    const lock = subject();
    const { driver } = lock;
    const { pinSlots, minPinLength: min, maxPinLength: max } = driver.capabilities;
    const before = lock.framesReceived();
    const calls: [string, () => Promise<unknown>][] = [
      [`setPin(${pinSlots})`, () => driver.setPin(pinSlots, "1234")],
      ["setPin(-1)", () => driver.setPin(-1, "1234")],
      ["setPin(1.5)", () => driver.setPin(1.5, "1234")],
      [`readSlot(${pinSlots})`, () => driver.readSlot(pinSlots)],
      [`clearPin(${pinSlots})`, () => driver.clearPin(pinSlots)],
      ["a PIN too short", () => driver.setPin(6, "1".repeat(min - 1))],
      ["a PIN too long", () => driver.setPin(6, "1".repeat(max + 1))],
      ["a PIN with a letter", () => driver.setPin(6, `12a${"4".repeat(min)}`)],
      ["an unlock with a malformed PIN", () => driver.unlock({ pin: "12a4" })],
    ];
    const wrong: string[] = [];
    for (const [name, call] of calls) if (!((await failure(call)) instanceof ValidationError)) wrong.push(name);
    expect(wrong, "calls that did not throw ValidationError").to.deep.equal([]);
    expect(lock.framesReceived(), "frames sent").to.equal(before);
  });

  it("keeps a year-day window for a user when the lock keeps schedules, refuses it otherwise, and a bad window before sending", async () => {
    const { driver } = subject();
    const window = { start: Date.now() - 60_000, end: Date.now() + 3_600_000 };
    const s = slot(7);
    if (driver.capabilities.yearDaySchedules === 0) {
      expect(await failure(() => driver.setYearDaySchedule(s, window))).to.be.instanceOf(ValidationError);
      return;
    }
    // A schedule belongs to a user: the lock refuses one for an empty slot.
    expect(await failure(() => driver.setYearDaySchedule(s, window))).to.be.instanceOf(DeviceRejectedError);
    await driver.setPin(s, "5791", "year-day");
    await driver.setYearDaySchedule(s, window);
    expect(await failure(() => driver.setYearDaySchedule(s, { start: window.end, end: window.start }))).to.be.instanceOf(ValidationError);
    await driver.clearYearDaySchedule(s);
  });

  it("keeps a week-day window for a user when the lock keeps them, and refuses one naming no day", async () => {
    const { driver } = subject();
    const week = { daysMask: 0b0111110, startHour: 8, startMinute: 0, endHour: 18, endMinute: 30 };
    const s = slot(8);
    if (driver.capabilities.weekDaySchedules === 0) {
      expect(await failure(() => driver.setWeekDaySchedule(s, week))).to.be.instanceOf(ValidationError);
      return;
    }
    await driver.setPin(s, "6802", "week-day");
    await driver.setWeekDaySchedule(s, week);
    expect(await failure(() => driver.setWeekDaySchedule(s, { ...week, daysMask: 0 }))).to.be.instanceOf(ValidationError);
    expect(await failure(() => driver.setWeekDaySchedule(s, { ...week, endHour: 24 }))).to.be.instanceOf(ValidationError);
    await driver.clearWeekDaySchedule(s);
  });

  it("unlocks and locks as the lock confirms, the state moving through unlocking and locking, each change an event", async () => {
    const { driver } = subject();
    let seen: StateChange[] = [];
    const operations: OperationEvent[] = [];
    driver.events.on("state", (e) => seen.push(e));
    driver.events.on("operation", (e) => operations.push(e));
    // A late report of an earlier state may come in between (a real lock's reports lag), so only the ends are fixed.
    expect(await driver.unlock()).to.deep.equal({ outcome: "confirmed", state: "unlocked" });
    expect(driver.getState()).to.equal("unlocked");
    expect(ends(seen)).to.deep.equal(["unlocking (command)", "unlocked"]);
    seen = [];
    expect(await driver.lock()).to.deep.equal({ outcome: "confirmed", state: "locked" });
    expect(driver.getState()).to.equal("locked");
    expect(ends(seen)).to.deep.equal(["locking (command)", "locked"]);
    // The lock announces its RF operations too (the delivery flow knows them for its own and ignores them).
    await eventually("both RF operation events", () => operations.filter((e) => e.source === "rf").length >= 2);
    expect(operations.filter((e) => e.source === "rf").map((e) => [e.kind, e.code, e.slot])).to.deep.equal([["unlock", 2, undefined], ["lock", 1, undefined]]);
  });

  it("unlocks with a PIN the lock holds, and is refused with one it does not, the bolt staying", async () => {
    const { driver } = subject();
    await driver.setPin(slot(9), "3141");
    expect(await driver.unlock({ pin: "3141" })).to.deep.include({ outcome: "confirmed", state: "unlocked" });
    await driver.lock();
    const seen: StateChange[] = [];
    driver.events.on("state", (e) => seen.push(e));
    const error = await failure(() => driver.unlock({ pin: "2718" }));
    expect(error).to.be.instanceOf(DeviceRejectedError);
    expect(driver.getState()).to.equal("locked");
    expect(ends(seen)).to.deep.equal(["unlocking (command)", "locked"]);
  });

  it("does not send an unlock whose caller already gave up", async () => {
    const lock = subject();
    const before = lock.framesReceived();
    const abort = new AbortController();
    abort.abort();
    expect(await failure(() => lock.driver.unlock({ signal: abort.signal }))).to.be.instanceOf(Error);
    expect(lock.framesReceived()).to.equal(before);
    expect(lock.driver.getState()).to.equal("locked");
  });

  it("reports a keypad unlock as an operation event with the slot, and a wrong code as a failure without one", async () => {
    const lock = subject();
    const { driver } = lock;
    await driver.setPin(slot(10), "16180");
    const events: OperationEvent[] = [];
    driver.events.on("operation", (e) => events.push(e));
    lock.typeKeypadPin("16180");
    const opened = await eventually("the keypad unlock event", () => events.find((e) => e.kind === "unlock" && e.source === "keypad"));
    expect(opened).to.deep.include({ slot: 10, code: 2 });
    await eventually("the unlocked state", () => driver.getState() === "unlocked");
    lock.typeKeypadPin("11235");
    const refused = await eventually("the wrong-code event", () => events.find((e) => e.kind === "unlock-failure-invalid-pin" && e.source === "keypad"));
    expect(refused).to.not.have.property("slot");
  });

  it("announces PIN-table changes: made at the keypad with source keypad, over the air with source rf", async () => {
    const lock = subject();
    const { driver } = lock;
    const events: ProgrammingEvent[] = [];
    driver.events.on("programming", (e) => events.push(e));
    lock.programPinAtKeypad(slot(11), "14142");
    const added = await eventually("the keypad programming event", () => events.find((e) => e.slot === 11));
    expect(added).to.deep.include({ source: "keypad", kind: "pin-added" });
    expect(await driver.readSlot(11)).to.deep.equal({ slot: 11, status: "enabled" });
    await driver.setPin(slot(12), "17320");
    const rf = await eventually("the RF programming event", () => events.find((e) => e.slot === 12));
    expect(rf).to.deep.include({ source: "rf", kind: "pin-added" });
  });
}
