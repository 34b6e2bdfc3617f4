// The Zigbee2MQTT codec and exposes reading on their own (no broker): the cases the real Zigbee2MQTT 2.14.1 in the
// other tests does not produce (exposes stating the slot count, a lock without a keypad, an unknown model).
import { expect } from "chai";
import { findDevice, lockExposes, lockProfile, parseDevices } from "../../src/zigbee/z2m-exposes.js";
import { clearPinCommand, decodeDeviceMessage, decodeOnline, lockCommand, setPinCommand } from "../../src/zigbee/z2m-payload.js";

const lockExpose = { type: "lock", features: [{ name: "state", property: "state", type: "binary" }, { name: "lock_state", property: "lock_state", type: "enum" }] };
const pinExpose = (valueMax?: number) => ({
  type: "composite", name: "pin_code", property: "pin_code",
  features: [{ name: "user", property: "user", type: "numeric", ...(valueMax !== undefined && { value_max: valueMax }) }, { name: "pin_code", property: "pin_code", type: "numeric" }],
});
const entry = (over: Record<string, unknown>) => ({
  ieee_address: "0x000D6F0012345678", friendly_name: "Front lock", supported: true, interview_completed: true,
  definition: { vendor: "Acme", model: "L1", description: "A lock", exposes: [lockExpose, pinExpose()] }, ...over,
});

describe("Zigbee2MQTT payloads and exposes", () => {
  it("encodes PINs as strings (leading zeros kept), clears with null, and unlocks with a code in the converter's object form", () => {
    expect(setPinCommand(3, "0042", "unrestricted")).to.deep.equal({ pin_code: { user: 3, user_type: "unrestricted", user_enabled: true, pin_code: "0042" } });
    expect(clearPinCommand(3)).to.deep.equal({ pin_code: { user: 3, pin_code: null } });
    expect(lockCommand("unlock")).to.deep.equal({ state: "UNLOCK" });
    expect(lockCommand("unlock", "1234")).to.deep.equal({ state: { state: "UNLOCK", code: "1234" } });
  });

  it("decodes operation and programming events, slot read-backs and bridge states", () => {
    const op = decodeDeviceMessage({ action: "unlock", action_user: 4, action_source: 0, action_source_name: "keypad", lock_state: "unlocked" }, 1);
    expect(op.operation).to.deep.equal({ source: "keypad", kind: "unlock", code: 2, at: 1, slot: 4 });
    expect(op.lockState).to.equal("unlocked");
    expect(decodeDeviceMessage({ action: "manual_unlock", action_user: 4, action_source: 2 }, 1).operation).to.deep.equal({ source: "manual", kind: "manual-unlock", code: 14, at: 1 });
    expect(decodeDeviceMessage({ action: "pin_code_deleted", action_user: 255, action_source_name: "keypad" }, 1).programming, "all users: no slot")
      .to.deep.equal({ source: "keypad", kind: "pin-removed", code: 3, at: 1 });
    expect(decodeDeviceMessage({ users: { "7": { status: "enabled", pin_code: "0042" }, x: {} } }, 1).users).to.deep.equal([{ slot: 7, status: "enabled", pin: "0042" }]);
    expect(decodeDeviceMessage({ lock_state: "not_fully_locked" }, 1).lockState).to.equal("jammed");
    expect([decodeOnline('{"state":"online"}'), decodeOnline("offline"), decodeOnline("")]).to.deep.equal([true, false, undefined]);
  });

  it("takes the slot count from the exposes when stated, else the device table, else the configured count, else none", () => {
    const stated = lockProfile(parseDevices([entry({ definition: { vendor: "Acme", model: "L1", description: "", exposes: [lockExpose, pinExpose(99)] } })])[0]!);
    expect([stated.capabilities.pinSlots, stated.slotsFrom]).to.deep.equal([100, "exposes"]);
    const yale = lockProfile(parseDevices([entry({ model_id: "YRD256 TSDB" })])[0]!);
    expect([yale.capabilities.pinSlots, yale.slotsFrom, yale.identity.model]).to.deep.equal([250, "device-table", "YRD256HA20BP"]);
    const configured = lockProfile(parseDevices([entry({ model_id: "UNKNOWN" })])[0]!, 20);
    expect([configured.capabilities.pinSlots, configured.slotsFrom]).to.deep.equal([20, "config"]);
    const unknown = lockProfile(parseDevices([entry({ model_id: "UNKNOWN" })])[0]!);
    expect([unknown.capabilities.pinSlots, unknown.slotsFrom]).to.deep.equal([0, "none"]);
    const noKeypad = lockProfile(parseDevices([entry({ model_id: "YRD256 TSDB", definition: { vendor: "Yale", model: "x", description: "", exposes: [lockExpose] } })])[0]!);
    expect(noKeypad.capabilities.pinSlots, "no pin_code expose: no keypad codes").to.equal(0);
    expect(lockExposes([lockExpose]).isLock).to.equal(true);
  });

  it("finds the device by IEEE address (any case) or by friendly name", () => {
    const devices = parseDevices([entry({}), { ieee_address: 1 }]);
    expect(devices).to.have.length(1);
    expect(findDevice(devices, { kind: "ieee", ieee: "0x000d6f0012345678" })?.friendlyName).to.equal("Front lock");
    expect(findDevice(devices, { kind: "friendly-name", name: "Front lock" })?.ieee).to.equal("0x000d6f0012345678");
    expect(findDevice(devices, { kind: "friendly-name", name: "front lock" })).to.equal(undefined);
  });
});
