import { expect } from "chai";
import { DeviceRejectedError, ValidationError } from "../../src/core/errors.js";
import type { LockState, OperationEvent, ProgrammingEvent } from "../../src/zigbee/lock-driver.js";
import { toZigbeeLocalTime } from "../../src/zigbee/zcl-door-lock.js";
import { eventually } from "../helpers/eventually.js";
import { useSharedLocks } from "./harness.js";

describe("HerdsmanLockDriver: real zigbee-herdsman over TCP to the emulator", function () {
  this.timeout(60_000);
  const h = useSharedLocks({ front: {}, back: {}, side: {} });

  it("joins, is interviewed, identified through the converters, with capabilities read from the lock", () => {
    const yale = h.driver("front");
    expect(yale.identity).to.deep.include({ vendor: "Yale", model: "YRD226HA2619", supported: true });
    expect(yale.capabilities).to.deep.include({ pinSlots: 250, yearDaySchedules: 1, weekDaySchedules: 7, minPinLength: 4, maxPinLength: 8 });
    const kwikset = h.driver("back");
    expect(kwikset.identity).to.deep.include({ vendor: "Kwikset", model: "99100-045" });
    expect(kwikset.capabilities).to.deep.include({ pinSlots: 30, yearDaySchedules: 0 });
    expect(h.driver("side").capabilities.pinSlots).to.equal(30);
  });

  it("unlocks and locks, following the lock's own response and reports (on endpoint 1 and on Kwikset's endpoint 2)", async () => {
    for (const id of ["front", "back"]) {
      const d = h.driver(id);
      const seen: LockState[] = [];
      d.events.on("state", (e) => seen.push(e.state));
      expect(await d.unlock()).to.deep.equal({ outcome: "confirmed", state: "unlocked" });
      expect(h.simLock(id).state().lockState).to.equal(2);
      expect(seen).to.include.members(["unlocking", "unlocked"]);
      expect(await d.lock()).to.deep.equal({ outcome: "confirmed", state: "locked" });
      await eventually(`${id} reported locked`, () => d.getState() === "locked");
      expect(h.simLock(id).state().lockState).to.equal(1);
    }
  });

  it("sets a PIN with a year-day schedule the lock keeps, then clears it", async () => {
    const d = h.driver("front");
    const start = Date.now() - 60_000;
    const end = Date.now() + 3_600_000;
    await d.setPin(5, "246810", "year-day");
    await d.setYearDaySchedule(5, { start, end });
    const user = h.simLock("front").state().users.find((u) => u.userId === 5);
    expect(user).to.deep.include({ pin: "246810" });
    expect(user!.yearDay).to.have.length(1);
    expect(user!.yearDay[0]).to.deep.include({ localStartTime: toZigbeeLocalTime(start), localEndTime: toZigbeeLocalTime(end) });
    expect(await d.readSlot(5, "246810")).to.deep.equal({ slot: 5, status: "enabled", pinMatches: true });
    await d.clearPin(5);
    expect(h.simLock("front").state().users.find((u) => u.userId === 5 && u.status !== 0)).to.equal(undefined);
  });

  it("reports a keypad unlock as an operation event carrying the slot, and a wrong PIN as a failure event", async () => {
    const d = h.driver("back");
    await d.setPin(3, "135790");
    const events: OperationEvent[] = [];
    d.events.on("operation", (e) => events.push(e));
    h.simLock("back").typeKeypadPin("135790");
    await eventually("the keypad unlock event", () => events.some((e) => e.kind === "unlock"));
    expect(events.find((e) => e.kind === "unlock")).to.deep.include({ source: "keypad", slot: 3 });
    await eventually("the unlocked state", () => d.getState() === "unlocked");
    h.simLock("back").typeKeypadPin("000000");
    await eventually("the wrong-PIN event", () => events.some((e) => e.kind === "unlock-failure-invalid-pin"));
    expect(events.find((e) => e.kind === "unlock-failure-invalid-pin")).to.deep.include({ source: "keypad" });
  });

  it("reports a PIN programmed at the keypad as a programming event with its slot", async () => {
    const d = h.driver("back");
    const events: ProgrammingEvent[] = [];
    d.events.on("programming", (e) => events.push(e));
    h.simLock("back").programPinAtKeypad(12, "86420");
    await eventually("the programming event of slot 12", () => events.some((e) => e.kind === "pin-added" && e.slot === 12));
    expect(events.find((e) => e.slot === 12)).to.deep.include({ source: "keypad" });
  });

  it("surfaces a duplicate code as DeviceRejectedError 0x03 DUPLICATE_CODE, without the PIN in the message", async () => {
    const d = h.driver("front");
    await d.setPin(7, "555123");
    const err = await d.setPin(8, "555123").then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(DeviceRejectedError);
    expect((err as DeviceRejectedError).status).to.equal(3);
    expect((err as Error).message).to.match(/DUPLICATE_CODE/).and.not.match(/555123/);
  });

  it("surfaces a refused unlock (wrong PIN over the air) and keeps the confirmed state", async () => {
    const d = h.driver("front");
    await d.lock();
    await d.setPin(9, "97531");
    const err = await d.unlock({ pin: "11112" }).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(DeviceRejectedError);
    expect((err as DeviceRejectedError).status).to.not.equal(0);
    expect(d.getState()).to.equal("locked");
    expect(h.simLock("front").state().lockState).to.equal(1);
    expect(await d.unlock({ pin: "97531" })).to.deep.include({ outcome: "confirmed" });
  });

  it("rejects bad input before sending anything", async () => {
    const d = h.driver("back");
    const before = h.simLock("back").received.length;
    for (const bad of [() => d.setPin(30, "1234"), () => d.setPin(1, "12"), () => d.setPin(1, "12a4"), () => d.setYearDaySchedule(1, { start: 0, end: 1 })]) {
      const err = await bad().then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(ValidationError);
    }
    expect(h.simLock("back").received.length).to.equal(before);
  });

  it("does not send an unlock whose caller already gave up", async () => {
    const d = h.driver("front");
    const before = h.simLock("front").commandsNamed("unlockDoor").length;
    const ac = new AbortController();
    ac.abort();
    const err = await d.unlock({ signal: ac.signal }).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(Error);
    expect(h.simLock("front").commandsNamed("unlockDoor").length).to.equal(before);
  });

  it("reports battery from the lock", async () => {
    const d = h.driver("front");
    h.simLock("front").setBattery(42);
    await eventually("the battery report", () => d.getBattery() === 42);
  });

  it("never logs a PIN: not on success, refusal, duplicate or wrong PIN, neither the driver nor herdsman", async () => {
    const d = h.driver("front");
    await d.setPin(7, "555124");
    await d.setPin(8, "555124").catch(() => undefined); // duplicate: refused
    await d.unlock({ pin: "11113" }).catch(() => undefined); // wrong PIN: refused
    expect(await d.unlock({ pin: "555124" })).to.deep.include({ outcome: "confirmed" });
    await d.clearPin(7);
    // The control: the driver did log these operations, so an empty log cannot pass for a clean one.
    expect(h.logger.text()).to.match(/refused/);
    for (const pin of ["555124", "11113"]) {
      expect(h.logger.text()).to.not.contain(pin);
      expect(h.networkLogger.text()).to.not.contain(pin);
    }
  });
});
