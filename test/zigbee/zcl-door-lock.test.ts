import { expect } from "chai";
import {
  decodeEventSource, decodeLockState, decodeOperationKind, decodeProgrammingKind, decodeUserStatus, statusName,
  stateAfterOperation, toZigbeeLocalTime,
} from "../../src/zigbee/zcl-door-lock.js";
import { redactPins } from "../../src/zigbee/zigbee-coordinator.js";
import { toDriverError } from "../../src/zigbee/herdsman-errors.js";
import { DeviceRejectedError, DeviceUnreachableError } from "../../src/core/errors.js";

// Values from the ZCL specification, Door Lock cluster (ZCL 7, 7.3.2.x): lockState enum8, event sources and codes.
describe("ZCL Door Lock decoding", () => {
  it("lockState: 0 not fully locked → jammed, 1 locked, 2 unlocked, anything else unknown", () => {
    expect([0, 1, 2, 3, 0xff, undefined].map(decodeLockState)).to.deep.equal(["jammed", "locked", "unlocked", "unknown", "unknown", "unknown"]);
  });
  it("operation event source and codes", () => {
    expect([0, 1, 2, 3, 4, 9].map(decodeEventSource)).to.deep.equal(["keypad", "rf", "manual", "rfid", "fingerprint", "unknown"]);
    expect([1, 2, 5, 6, 10, 13, 14, 99].map(decodeOperationKind)).to.deep.equal([
      "lock", "unlock", "unlock-failure-invalid-pin", "unlock-failure-invalid-schedule", "auto-lock", "manual-lock", "manual-unlock", "unknown",
    ]);
    expect(stateAfterOperation("auto-lock")).to.equal("locked");
    expect(stateAfterOperation("unlock-failure-invalid-pin")).to.equal(undefined);
  });
  it("programming event codes and user status", () => {
    expect([1, 2, 3, 4, 7].map(decodeProgrammingKind)).to.deep.equal(["master-code-changed", "pin-added", "pin-removed", "pin-changed", "unknown"]);
    expect([0, 1, 3, 2].map(decodeUserStatus)).to.deep.equal(["available", "enabled", "disabled", "unknown"]);
  });
  it("names statuses: setPinCode has its own table (3 = duplicate), others the general ZCL one", () => {
    expect(statusName("setPinCode", 3)).to.equal("DUPLICATE_CODE");
    expect(statusName("setPinCode", 2)).to.equal("MEMORY_FULL");
    expect(statusName("unlockDoor", 1)).to.equal("FAILURE");
    expect(statusName("setYearDaySchedule", 0x81)).to.equal("UNSUP_COMMAND");
    expect(statusName("unlockDoor", 0x42)).to.equal("0x42");
  });
  it("Zigbee local time: seconds since 2000-01-01 on the lock's wall clock", () => {
    expect(toZigbeeLocalTime(Date.UTC(2000, 0, 1), () => 0)).to.equal(0);
    // The golden vector in the research notes: 2026-12-01T15:00Z at UTC+0 is 849452400.
    expect(toZigbeeLocalTime(Date.UTC(2026, 11, 1, 15), () => 0)).to.equal(849_452_400);
    expect(toZigbeeLocalTime(Date.UTC(2026, 11, 1, 15), () => -300)).to.equal(849_452_400 - 5 * 3600);
  });
});

describe("herdsman boundary hygiene", () => {
  it("redacts PIN fields in herdsman log lines", () => {
    const line = 'closuresDoorLock.setPinCode({"userid":5,"userstatus":1,"pincodevalue":{"type":"Buffer","data":[50,52,54,56]}}) pin: 2468 "code":"97531"';
    const out = redactPins(line);
    expect(out).to.not.match(/50,52|2468|97531/);
    expect(out).to.match(/userid":5/);
  });
  it("maps herdsman failures to typed errors without their payload-carrying text", () => {
    class ZclStatusError extends Error { constructor(readonly code: number) { super("Status 'FAILURE' payload pincodevalue 1234"); } }
    class DataConfirmError extends Error { constructor(readonly code: number) { super("Data request failed pincodevalue 1234"); } }
    const rejected = toDriverError(new ZclStatusError(0x81), "unlockDoor");
    expect(rejected).to.be.instanceOf(DeviceRejectedError);
    expect((rejected as DeviceRejectedError).status).to.equal(0x81);
    const noAck = toDriverError(new DataConfirmError(0xe9), "setPinCode");
    expect(noAck).to.be.instanceOf(DeviceUnreachableError);
    expect(noAck.message).to.match(/MAC_NO_ACK/);
    const timeout = toDriverError(new Error("ZCL command … pincodevalue 1234 failed (Timeout - 10000ms)"), "setPinCode");
    expect(timeout).to.be.instanceOf(DeviceUnreachableError);
    for (const e of [rejected, noAck, timeout]) expect(e.message).to.not.match(/1234/);
  });
});
