import { expect } from "chai";
import { startHarness, type Harness } from "./harness.js";

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
  let h: Harness;
  before(async () => {
    h = await startHarness([{ id: "front", profile: "yale-assure" }], { driver: { offsetMinutes: () => 0 } });
  });
  after(async () => {
    await h?.stop();
  });

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
