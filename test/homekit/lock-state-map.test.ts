import { expect } from "chai";
import { lastKnownAction, LAST_ACTION } from "../../src/homekit/last-known-action.js";
import { loadHap } from "../../src/homekit/hap-module.js";
import { CURRENT, hapLockReading, TARGET } from "../../src/homekit/lock-state-map.js";
import type { LockState } from "../../src/zigbee/lock-driver.js";

describe("lock state → HomeKit (truth table)", () => {
  const rows: [LockState, boolean, number, number | undefined][] = [
    ["locked", true, CURRENT.SECURED, TARGET.SECURED],
    ["unlocked", true, CURRENT.UNSECURED, TARGET.UNSECURED],
    ["locking", true, CURRENT.UNSECURED, TARGET.SECURED],
    ["unlocking", true, CURRENT.UNSECURED, TARGET.UNSECURED],
    ["jammed", true, CURRENT.JAMMED, undefined],
    ["unknown", true, CURRENT.UNKNOWN, undefined],
    ["locked", false, CURRENT.UNKNOWN, undefined],
    ["unlocked", false, CURRENT.UNKNOWN, undefined],
    ["jammed", false, CURRENT.UNKNOWN, undefined],
  ];
  for (const [state, available, current, target] of rows) {
    it(`${state}, ${available ? "available" : "unavailable"} → current ${current}, target ${target ?? "kept"}`, () => {
      expect(hapLockReading(state, available), `state=${state} available=${available}`).to.deep.equal({ current, target });
    });
  }

  it("never reads SECURED unless the lock confirmed locked and answers", () => {
    const states: LockState[] = ["locked", "unlocked", "locking", "unlocking", "jammed", "unknown"];
    for (const state of states) {
      for (const available of [true, false]) {
        const secured = hapLockReading(state, available).current === CURRENT.SECURED;
        expect(secured, `state=${state} available=${available}`).to.equal(state === "locked" && available);
      }
    }
  });

  it("uses the HAP spec's values, which are HAP-NodeJS's too", async () => {
    const { Characteristic: C } = await loadHap();
    expect(CURRENT).to.deep.equal({
      UNSECURED: C.LockCurrentState.UNSECURED, SECURED: C.LockCurrentState.SECURED, JAMMED: C.LockCurrentState.JAMMED, UNKNOWN: C.LockCurrentState.UNKNOWN,
    });
    expect(TARGET).to.deep.equal({ UNSECURED: C.LockTargetState.UNSECURED, SECURED: C.LockTargetState.SECURED });
    for (const [name, value] of Object.entries(LAST_ACTION)) {
      expect((C.LockLastKnownAction as unknown as Record<string, number>)[name], name).to.equal(value);
    }
  });
});

describe("lock last known action", () => {
  const rows: [Parameters<typeof lastKnownAction>[0], number][] = [
    [{ kind: "visit-opened", via: "keypad" }, LAST_ACTION.UNSECURED_BY_KEYPAD],
    [{ kind: "visit-opened", via: "remote" }, LAST_ACTION.UNSECURED_REMOTELY],
    [{ kind: "visit-opened", via: "matter" }, LAST_ACTION.UNSECURED_REMOTELY],
    [{ kind: "visit-relocked", closeReason: "relocked" }, LAST_ACTION.SECURED_BY_AUTO_SECURE_TIMEOUT],
    [{ kind: "visit-relocked", closeReason: "ended" }, LAST_ACTION.SECURED_REMOTELY],
    [{ kind: "homekit", locked: true }, LAST_ACTION.SECURED_REMOTELY],
    [{ kind: "homekit", locked: false }, LAST_ACTION.UNSECURED_REMOTELY],
    [{ kind: "report", locked: true }, LAST_ACTION.SECURED_PHYSICALLY],
    [{ kind: "report", locked: false }, LAST_ACTION.UNSECURED_PHYSICALLY],
  ];
  for (const [cause, expected] of rows) {
    it(`${JSON.stringify(cause)} → ${expected}`, () => expect(lastKnownAction(cause)).to.equal(expected));
  }
});
