import { expect } from "chai";
import { useSharedLocks } from "./harness.js";

// ZCL frames written by hand from the Door Lock cluster specification (ZCL 7, 7.3.2.16): frame control 0x11
// (cluster-specific, client→server, default response disabled because a specific response follows), the TSN,
// the command id, then the fields little-endian; octet strings carry a length byte.
const GOLDEN: Record<string, string> = {
  unlockDoor: "01 04 31323334", // PIN "1234"
  setPinCode: "05 0500 01 01 06 323436383130", // user 5, enabled, year-day user, PIN "246810"
  setYearDaySchedule: "0e 00 0500 709da132 b059a532", // schedule 0, user 5, 2026-12-01T15:00 → 2026-12-04T11:00 (UTC+0)
  setWeekDaySchedule: "0b 00 0500 3e 09 00 11 1e", // schedule 0, user 5, Mon–Fri, 09:00–17:30
  clearPinCode: "07 0500", // user 5
};

describe("Door Lock frames on the wire match golden vectors from the specification", function () {
  this.timeout(30_000);
  const h = useSharedLocks({ front: { offsetMinutes: () => 0 } });

  it("unlockDoor, setPinCode, set year-day and week-day schedules, clearPinCode", async () => {
    const d = h.driver("front");
    await d.unlock({ pin: "1234" }).catch(() => undefined); // no such PIN on the lock: refused, but the frame is what counts
    await d.setPin(5, "246810", "year-day");
    await d.setYearDaySchedule(5, { start: Date.UTC(2026, 11, 1, 15), end: Date.UTC(2026, 11, 4, 11) });
    await d.setWeekDaySchedule(5, { daysMask: 0x3e, startHour: 9, startMinute: 0, endHour: 17, endMinute: 30 });
    await d.clearPin(5);
    const lock = h.simLock("front");
    for (const [name, body] of Object.entries(GOLDEN)) {
      const frames = lock.commandsNamed(name);
      expect(frames, name).to.have.length(1);
      const f = frames[0]!;
      const want = `11${f.tsn.toString(16).padStart(2, "0")}${body.replace(/ /g, "")}`;
      expect(f.raw.toString("hex"), name).to.equal(want);
    }
  });
});

// Write Attributes (ZCL 2.5.3): frame control 0x10 (global, client→server, default response disabled: a Write Attributes
// Response follows), the TSN, command 0x02, then per attribute its id (little-endian), type and value. Door Lock
// attributes from 7.3.2.2: wrongCodeEntryLimit 0x0030 and userCodeTemporaryDisableTime 0x0031 are uint8 (0x20),
// operatingMode 0x0025 an enum8 (0x30): 1 Vacation (keypad off, RF on), 0 Normal.
const GOLDEN_WRITES = [
  "02 3000 20 03 3100 20 78", // wrongCodeEntryLimit 3, userCodeTemporaryDisableTime 120 s
  "02 2500 30 01", // operatingMode Vacation
  "02 2500 30 00", // operatingMode Normal
];

describe("Door Lock attribute writes on the wire match golden vectors from the specification", function () {
  this.timeout(30_000);
  const h = useSharedLocks({ front: { keypadLockout: { wrongCodeEntryLimit: 3, userCodeTemporaryDisableTime: 120 } } });

  it("the keypad's wrong-code limit at start, then the keypad off (Vacation) and on (Normal)", async () => {
    const d = h.driver("front");
    await d.setKeypadEnabled(false);
    await d.setKeypadEnabled(true);
    const writes = h.simLock("front").commandsNamed("write");
    expect(writes.map((f) => f.raw.toString("hex"))).to.deep.equal(GOLDEN_WRITES.map((body, i) => `10${writes[i]!.tsn.toString(16).padStart(2, "0")}${body.replace(/ /g, "")}`));
  });

  it("the emulated lock refuses a reserved mode with INVALID_VALUE and keeps its mode", async () => {
    const before = h.simLock("front").state().attributes["operatingMode"];
    // The emulator's lock supports Normal, Vacation and Privacy (0x0026 = 0b0111); 5 is reserved.
    const endpoint = h.coordinator.device(h.simLock("front").ieee.toLowerCase())!.getEndpoint(1)!;
    const refused = await endpoint.write("closuresDoorLock", { operatingMode: 5 }).then(() => "accepted", (e: unknown) => String(e));
    expect(refused).to.match(/INVALID_VALUE|0x87|135/i);
    expect(h.simLock("front").state().attributes["operatingMode"]).to.equal(before);
  });
});
