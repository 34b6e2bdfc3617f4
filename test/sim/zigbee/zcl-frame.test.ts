import { expect } from "chai";
import { DoorLockRsp, OPERATION_EVENT_LAYOUT, PROGRAMMING_EVENT_LAYOUT, doorLockCommandByName } from "../../../src/sim/zigbee/zcl-clusters.js";
import {
  ZclDataType,
  ZclDirection,
  type ZclFields,
  ZclFrameType,
  ZclGlobal,
  decodeConfigureReporting,
  decodeReadAttributesResponse,
  decodeZclFields,
  decodeZclFrame,
  encodeAttributeRecords,
  encodeReadAttributesResponse,
  encodeStatusRecords,
  encodeZclFields,
  encodeZclFrame,
} from "../../../src/sim/zigbee/zcl-frame.js";
import { GOLDEN_CLIENT_TO_SERVER, GOLDEN_SERVER_TO_CLIENT } from "./door-lock-golden.js";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");
const TSN = 0x2a;

/** A cluster-specific Door Lock frame built by our codec. */
function doorLock(command: string, fields: ZclFields, direction: ZclDirection, commandId?: number): Buffer {
  const spec = doorLockCommandByName(command);
  const layout = direction === ZclDirection.CLIENT_TO_SERVER ? spec.request : spec.response;
  return encodeZclFrame({
    header: { frameType: ZclFrameType.SPECIFIC, direction, disableDefaultResponse: true, tsn: TSN, commandId: commandId ?? spec.id },
    payload: encodeZclFields(fields, layout),
  });
}

const byName = (list: typeof GOLDEN_CLIENT_TO_SERVER, name: string) => {
  const g = list.find((x) => x.name === name);
  if (!g) throw new Error(`no golden vector ${name}`);
  return g.bytes(TSN);
};

describe("sim/zigbee ZCL codec against hand-written Door Lock golden vectors", () => {
  const C2S = ZclDirection.CLIENT_TO_SERVER;
  const S2C = ZclDirection.SERVER_TO_CLIENT;
  const pin = (s: string) => Buffer.from(s, "ascii");

  it("encodes client→server commands byte-exact", () => {
    const cases: [string, Buffer][] = [
      ["unlockDoor(pin 1234)", doorLock("unlockDoor", { pin: pin("1234") }, C2S)],
      ["lockDoor(no pin)", doorLock("lockDoor", { pin: Buffer.alloc(0) }, C2S)],
      ["setPinCode(5, enabled, year-day, 246810)", doorLock("setPinCode", { userId: 5, userStatus: 1, userType: 1, pin: pin("246810") }, C2S)],
      ["getPinCode(5)", doorLock("getPinCode", { userId: 5 }, C2S)],
      ["clearPinCode(5)", doorLock("clearPinCode", { userId: 5 }, C2S)],
      ["setYearDaySchedule(0, 5, 849452400, 849697200)", doorLock("setYearDaySchedule", { scheduleId: 0, userId: 5, localStartTime: 849452400, localEndTime: 849697200 }, C2S)],
      ["setWeekDaySchedule(1, 5, Mon-Fri, 09:00-17:30)", doorLock("setWeekDaySchedule", { scheduleId: 1, userId: 5, daysMask: 0x3e, startHour: 9, startMinute: 0, endHour: 17, endMinute: 30 }, C2S)],
      ["setUserStatus(5, disabled)", doorLock("setUserStatus", { userId: 5, userStatus: 3 }, C2S)],
    ];
    for (const [name, ours] of cases) expect(ours.toString("hex"), name).to.equal(byName(GOLDEN_CLIENT_TO_SERVER, name).toString("hex"));
  });

  it("decodes the golden client→server frames back to their fields", () => {
    const f = decodeZclFrame(byName(GOLDEN_CLIENT_TO_SERVER, "setPinCode(5, enabled, year-day, 246810)"));
    expect(f.header).to.deep.equal({ frameType: ZclFrameType.SPECIFIC, direction: C2S, disableDefaultResponse: true, tsn: TSN, commandId: 0x05 });
    const fields = decodeZclFields(f.payload, doorLockCommandByName("setPinCode").request);
    expect(fields).to.deep.equal({ userId: 5, userStatus: 1, userType: 1, pin: pin("246810") });
    const y = decodeZclFrame(byName(GOLDEN_CLIENT_TO_SERVER, "setYearDaySchedule(0, 5, 849452400, 849697200)"));
    expect(decodeZclFields(y.payload, doorLockCommandByName("setYearDaySchedule").request)).to.deep.equal({ scheduleId: 0, userId: 5, localStartTime: 849452400, localEndTime: 849697200 });
  });

  it("encodes server→client responses, events and the lockState report byte-exact", () => {
    const op = encodeZclFrame({
      header: { frameType: ZclFrameType.SPECIFIC, direction: S2C, disableDefaultResponse: true, tsn: TSN, commandId: DoorLockRsp.OPERATION_EVENT_NOTIFICATION },
      payload: encodeZclFields({ source: 0, code: 2, userId: 5, pin: Buffer.alloc(0), localTime: 849452400, data: "" }, OPERATION_EVENT_LAYOUT),
    });
    const prog = encodeZclFrame({
      header: { frameType: ZclFrameType.SPECIFIC, direction: S2C, disableDefaultResponse: true, tsn: TSN, commandId: DoorLockRsp.PROGRAMMING_EVENT_NOTIFICATION },
      payload: encodeZclFields({ source: 1, code: 2, userId: 5, pin: Buffer.alloc(0), userType: 0, userStatus: 1, localTime: 0, data: "" }, PROGRAMMING_EVENT_LAYOUT),
    });
    const report = encodeZclFrame({
      header: { frameType: ZclFrameType.GLOBAL, direction: S2C, disableDefaultResponse: true, tsn: TSN, commandId: ZclGlobal.REPORT },
      payload: encodeAttributeRecords([{ attrId: 0, dataType: ZclDataType.ENUM8, value: 2 }]),
    });
    const cases: [string, Buffer][] = [
      ["setPinCodeRsp(duplicate)", doorLock("setPinCode", { status: 3 }, S2C)],
      ["getPinCodeRsp(5, enabled, unrestricted, 246810)", doorLock("getPinCode", { userId: 5, userStatus: 1, userType: 0, pin: pin("246810") }, S2C)],
      ["operationEventNotification(keypad, unlock, 5)", op],
      ["programmingEventNotification(rf, added, 5)", prog],
      ["report lockState unlocked", report],
    ];
    for (const [name, ours] of cases) expect(ours.toString("hex"), name).to.equal(byName(GOLDEN_SERVER_TO_CLIENT, name).toString("hex"));
  });

  it("reads an absent trailing PIN as empty and rejects a truncated frame", () => {
    expect(decodeZclFields(Buffer.alloc(0), doorLockCommandByName("unlockDoor").request)).to.deep.equal({ pin: Buffer.alloc(0) });
    // setPinCode cut inside the PIN: the length byte says 6, only 2 follow
    expect(() => decodeZclFields(hex("0500 01 00 06 3234"), doorLockCommandByName("setPinCode").request)).to.throw(/pin/);
  });

  it("encodes the manufacturer code when present (2.4.1.2)", () => {
    const f = encodeZclFrame({
      header: { frameType: ZclFrameType.GLOBAL, direction: C2S, disableDefaultResponse: false, manufacturerCode: 0x101d, tsn: 1, commandId: 0 },
      payload: Buffer.alloc(0),
    });
    expect(f.toString("hex")).to.equal("041d100100");
    expect(decodeZclFrame(f).header.manufacturerCode).to.equal(0x101d);
  });

  it("foundation payloads: read response, status records, configure reporting (2.5.2, 2.5.5, 2.5.7)", () => {
    // read response: lockState ok (0000 00 30 01), attr 0x0099 unsupported (9900 86)
    const rsp = encodeReadAttributesResponse([{ attrId: 0, status: 0, dataType: ZclDataType.ENUM8, value: 1 }, { attrId: 0x99, status: 0x86 }]);
    expect(rsp.toString("hex")).to.equal("0000003001" + "990086");
    expect(decodeReadAttributesResponse(rsp)).to.deep.equal([{ attrId: 0, status: 0, dataType: ZclDataType.ENUM8, value: 1 }, { attrId: 0x99, status: 0x86 }]);
    expect(encodeStatusRecords([], true).toString("hex")).to.equal("00");
    expect(encodeStatusRecords([{ status: 0x86, attrId: 0x99, direction: 0 }], true).toString("hex")).to.equal("86009900");
    // configure reporting: lockState enum8 (discrete: no reportable change), min 0, max 3600;
    // batteryPercentageRemaining uint8 (analog: reportable change 1 byte)
    const cfg = decodeConfigureReporting(hex("00 0000 30 0000 100e" + "00 2100 20 0100 100e 01"));
    expect(cfg).to.deep.equal([
      { direction: 0, attrId: 0, dataType: 0x30, minInterval: 0, maxInterval: 3600 },
      { direction: 0, attrId: 0x21, dataType: 0x20, minInterval: 1, maxInterval: 3600, reportableChange: 1 },
    ]);
  });
});
