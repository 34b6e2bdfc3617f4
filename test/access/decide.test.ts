import { expect } from "chai";
import type { Credential, Schedule } from "../../src/access/credential.js";
import { type Decision, type DecideInput, decide } from "../../src/access/decide.js";
import { DoorId } from "../../src/access/ids.js";
import { credential } from "../helpers/access-fixtures.js";

const utc = (iso: string): number => Date.parse(iso);
const FRONT = DoorId("front");

/** A remote redemption at the front door, Wednesday 2 December 2026 10:00 UTC, everything fine. */
function input(c: Partial<Credential> | undefined, overrides: Partial<DecideInput> = {}): DecideInput {
  return {
    credential: c === undefined ? undefined : credential(c),
    usage: { uses: 0 },
    door: FRONT,
    via: "remote",
    now: utc("2026-12-02T10:00:00Z"),
    switches: { inHomeDeliveries: true, petsHome: false },
    recording: true,
    lockAvailable: true,
    lockedOut: false,
    requireRecording: true,
    ...overrides,
  };
}

const allowed: Decision = { outcome: "allowed" };
const denied = (reason: string) => ({ outcome: "denied", reason });
const outside = (reason: string) => ({ outcome: "leave-outside", reason });

const tuesdayMorning: Schedule = { type: "weekly", timeZone: "Europe/Berlin", windows: [{ days: ["TU"], start: "09:00", end: "12:00" }] };

type Row = [string, Partial<Credential> | undefined, Partial<DecideInput>, object];

function table(rows: Row[]): void {
  for (const [name, c, overrides, expected] of rows) {
    it(name, () => {
      const i = input(c, overrides);
      expect(decide(i), `${name}: ${JSON.stringify({ credential: i.credential, ...overrides })}`).to.deep.equal(expected);
    });
  }
}

describe("access/decide", () => {
  describe("every outcome", () => {
    table([
      ["a valid code is allowed", {}, {}, allowed],
      ["no credential matched -> unknown-credential", undefined, {}, denied("unknown-credential")],
      ["revoked", { revokedAt: utc("2026-12-02T09:00:00Z") }, {}, denied("revoked")],
      ["before validFrom -> not-yet-valid", {}, { now: utc("2026-11-30T23:59:59.999Z") }, denied("not-yet-valid")],
      ["exactly validFrom is inside", {}, { now: utc("2026-12-01T00:00:00Z") }, allowed],
      ["exactly validUntil is outside (end exclusive) -> expired", {}, { now: utc("2026-12-08T00:00:00Z") }, denied("expired")],
      ["a millisecond before validUntil is inside", {}, { now: utc("2026-12-07T23:59:59.999Z") }, allowed],
      ["past expiresAfterFirstUseMinutes -> expired", { expiresAfterFirstUseMinutes: 60 }, { usage: { uses: 1, firstUsedAt: utc("2026-12-02T09:00:00Z") } }, denied("expired")],
      ["within expiresAfterFirstUseMinutes", { expiresAfterFirstUseMinutes: 60 }, { usage: { uses: 1, firstUsedAt: utc("2026-12-02T09:00:00.001Z") } }, allowed],
      ["outside the weekly schedule -> outside-schedule", { schedule: tuesdayMorning }, {}, denied("outside-schedule")],
      ["inside the weekly schedule", { schedule: tuesdayMorning }, { now: utc("2026-12-01T08:00:00Z") }, allowed],
      ["maxUses reached -> uses-exhausted", { maxUses: 1 }, { usage: { uses: 1, firstUsedAt: utc("2026-12-01T10:00:00Z") } }, denied("uses-exhausted")],
      ["uses left", { maxUses: 2 }, { usage: { uses: 1, firstUsedAt: utc("2026-12-01T10:00:00Z") } }, allowed],
      ["another door -> wrong-door", {}, { door: DoorId("garage") }, denied("wrong-door")],
      ["keypad-only code used remotely -> mode-not-allowed", { mode: "keypad" }, { via: "remote" }, denied("mode-not-allowed")],
      ["remote-only code typed on the keypad -> mode-not-allowed", { mode: "remote" }, { via: "keypad" }, denied("mode-not-allowed")],
      ["keypad-only code on the keypad", { mode: "keypad" }, { via: "keypad" }, allowed],
      ["a delivery with in-home deliveries off -> deliveries-paused", { kind: "delivery" }, { switches: { inHomeDeliveries: false, petsHome: false } }, outside("deliveries-paused")],
      ["in-home deliveries off does not pause a cleaner", { kind: "cleaning" }, { switches: { inHomeDeliveries: false, petsHome: false } }, allowed],
      ["pets home -> pets-home", { kind: "cleaning" }, { switches: { inHomeDeliveries: true, petsHome: true } }, outside("pets-home")],
      ["pets home, a code allowed with pets", { kind: "pet-care", allowWhenPetsHome: true }, { switches: { inHomeDeliveries: true, petsHome: true } }, allowed],
      ["no recording -> camera-unavailable", {}, { recording: false }, outside("camera-unavailable")],
      ["no recording, required by the credential only", { requireRecording: true }, { recording: false, requireRecording: false }, outside("camera-unavailable")],
      ["no recording, required globally only", { requireRecording: false }, { recording: false, requireRecording: true }, outside("camera-unavailable")],
      ["no recording, required by neither", { requireRecording: false }, { recording: false, requireRecording: false }, allowed],
      ["lock unreachable -> lock-unavailable", {}, { lockAvailable: false }, outside("lock-unavailable")],
      ["locked out -> locked-out", {}, { lockedOut: true }, outside("locked-out")],
    ]);
  });

  describe("precedence (first failing check wins)", () => {
    table([
      ["locked-out before unknown-credential (a guesser learns nothing)", undefined, { lockedOut: true }, outside("locked-out")],
      ["locked-out before revoked", { revokedAt: 1 }, { lockedOut: true }, outside("locked-out")],
      ["revoked before expired and wrong-door", { revokedAt: 1 }, { now: utc("2027-01-01T00:00:00Z"), door: DoorId("garage") }, denied("revoked")],
      ["expired before uses-exhausted", { maxUses: 1 }, { now: utc("2026-12-09T00:00:00Z"), usage: { uses: 1 } }, denied("expired")],
      ["uses-exhausted before not-yet-valid", { maxUses: 1 }, { now: utc("2026-11-30T00:00:00Z"), usage: { uses: 1 } }, denied("uses-exhausted")],
      ["not-yet-valid before wrong-door", {}, { now: utc("2026-11-30T00:00:00Z"), door: DoorId("garage") }, denied("not-yet-valid")],
      ["wrong-door before mode-not-allowed", { mode: "keypad" }, { door: DoorId("garage") }, denied("wrong-door")],
      ["mode-not-allowed before outside-schedule", { mode: "keypad", schedule: tuesdayMorning }, {}, denied("mode-not-allowed")],
      ["outside-schedule before every household reason", { kind: "delivery", schedule: tuesdayMorning },
        { switches: { inHomeDeliveries: false, petsHome: true }, recording: false, lockAvailable: false }, denied("outside-schedule")],
      ["wrong-door hides the household state", { kind: "delivery" }, { door: DoorId("garage"), switches: { inHomeDeliveries: false, petsHome: true } }, denied("wrong-door")],
      ["deliveries-paused before pets-home", { kind: "delivery" }, { switches: { inHomeDeliveries: false, petsHome: true }, recording: false, lockAvailable: false }, outside("deliveries-paused")],
      ["pets-home before lock-unavailable", {}, { switches: { inHomeDeliveries: true, petsHome: true }, recording: false, lockAvailable: false }, outside("pets-home")],
      ["lock-unavailable before camera-unavailable", {}, { recording: false, lockAvailable: false }, outside("lock-unavailable")],
    ]);
  });

  describe("edge cases in time", () => {
    const berlinSpring: Schedule = { type: "weekly", timeZone: "Europe/Berlin", windows: [{ days: ["SU"], start: "02:30", end: "04:00" }] };
    const berlinFall: Schedule = { type: "weekly", timeZone: "Europe/Berlin", windows: [{ days: ["SU"], start: "02:30", end: "03:30" }] };
    const overnight: Schedule = { type: "weekly", timeZone: "Europe/Berlin", windows: [{ days: ["FR"], start: "22:00", end: "06:00" }] };
    const lordHowe: Schedule = { type: "weekly", timeZone: "Australia/Lord_Howe", windows: [{ days: ["SU"], start: "02:00", end: "03:00" }] };
    const spring = { validFrom: utc("2026-03-20T00:00:00Z"), validUntil: utc("2026-04-10T00:00:00Z") };
    const autumn = { validFrom: utc("2026-10-01T00:00:00Z"), validUntil: utc("2026-11-10T00:00:00Z") };
    table([
      // Berlin 2026-03-29: 02:00 CET -> 03:00 CEST at 01:00 UTC; a 02:30 start opens at the jump.
      ["spring forward: just before the jump", { ...spring, schedule: berlinSpring }, { now: utc("2026-03-29T00:59:59Z") }, denied("outside-schedule")],
      ["spring forward: at the jump (02:30 does not exist)", { ...spring, schedule: berlinSpring }, { now: utc("2026-03-29T01:00:00Z") }, allowed],
      ["spring forward: last moment before 04:00 CEST", { ...spring, schedule: berlinSpring }, { now: utc("2026-03-29T01:59:59.999Z") }, allowed],
      ["spring forward: 04:00 CEST is the end", { ...spring, schedule: berlinSpring }, { now: utc("2026-03-29T02:00:00Z") }, denied("outside-schedule")],
      // Berlin 2026-10-25: 03:00 CEST -> 02:00 CET at 01:00 UTC; 02:30 first happens at 00:30 UTC, 03:30 CET is 02:30 UTC.
      ["fall back: before the first 02:30", { ...autumn, schedule: berlinFall }, { now: utc("2026-10-25T00:29:59Z") }, denied("outside-schedule")],
      ["fall back: the first 02:30", { ...autumn, schedule: berlinFall }, { now: utc("2026-10-25T00:30:00Z") }, allowed],
      ["fall back: the second 02:30 is still inside", { ...autumn, schedule: berlinFall }, { now: utc("2026-10-25T01:30:00Z") }, allowed],
      ["fall back: 03:30 CET ends it", { ...autumn, schedule: berlinFall }, { now: utc("2026-10-25T02:30:00Z") }, denied("outside-schedule")],
      ["across midnight: Friday 22:00 CET", { schedule: overnight }, { now: utc("2026-12-04T21:00:00Z") }, allowed],
      ["across midnight: Saturday 05:59 CET", { schedule: overnight }, { now: utc("2026-12-05T04:59:00Z") }, allowed],
      ["across midnight: Saturday 06:00 CET ends it", { schedule: overnight }, { now: utc("2026-12-05T05:00:00Z") }, denied("outside-schedule")],
      ["across midnight: Saturday 22:00 is not Friday", { schedule: overnight }, { now: utc("2026-12-05T21:00:00Z") }, denied("outside-schedule")],
      // Lord Howe 2026-10-04: 02:00 (+10:30) -> 02:30 (+11) at 15:30 UTC the day before.
      ["Lord Howe: before the half-hour jump", { ...autumn, schedule: lordHowe }, { now: utc("2026-10-03T15:29:59Z") }, denied("outside-schedule")],
      ["Lord Howe: at the jump", { ...autumn, schedule: lordHowe }, { now: utc("2026-10-03T15:30:00Z") }, allowed],
      ["Lord Howe: 03:00 (+11) ends it", { ...autumn, schedule: lordHowe }, { now: utc("2026-10-03T16:00:00Z") }, denied("outside-schedule")],
      // A code for 29 February 2028 (Berlin): [2028-02-28T23:00Z, 2028-02-29T23:00Z).
      ["29 Feb 2028: before the day", { validFrom: utc("2028-02-28T23:00:00Z"), validUntil: utc("2028-02-29T23:00:00Z") }, { now: utc("2028-02-28T22:59:59.999Z") }, denied("not-yet-valid")],
      ["29 Feb 2028: during the day", { validFrom: utc("2028-02-28T23:00:00Z"), validUntil: utc("2028-02-29T23:00:00Z") }, { now: utc("2028-02-29T22:59:00Z") }, allowed],
      ["29 Feb 2028: 1 March has begun", { validFrom: utc("2028-02-28T23:00:00Z"), validUntil: utc("2028-02-29T23:00:00Z") }, { now: utc("2028-02-29T23:00:00Z") }, denied("expired")],
    ]);

    const leapYearly: Schedule = { type: "rrule", timeZone: "Europe/Berlin", dtstart: "2028-02-29T10:00", rrule: "FREQ=YEARLY", durationMinutes: 60 };
    const longLeap = { validFrom: utc("2028-01-01T00:00:00Z"), validUntil: utc("2029-06-01T00:00:00Z") };
    // America/New_York, EST (-5): 09:00 local is 14:00 UTC. 2026-11-03 is a Tuesday.
    const fortnightly: Schedule = { type: "rrule", timeZone: "America/New_York", dtstart: "2026-11-03T09:00", rrule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=5", durationMinutes: 60 };
    const untilRule: Schedule = { type: "rrule", timeZone: "America/New_York", dtstart: "2026-11-03T09:00", rrule: "FREQ=DAILY;UNTIL=20261203T140000Z", durationMinutes: 60 };
    const nov = { validFrom: utc("2026-11-01T00:00:00Z"), validUntil: utc("2026-12-31T00:00:00Z") };
    table([
      ["yearly on 29 Feb: 2028-02-29 10:30 CET", { ...longLeap, schedule: leapYearly }, { now: utc("2028-02-29T09:30:00Z") }, allowed],
      ["yearly on 29 Feb: no occurrence on 1 March 2029", { ...longLeap, schedule: leapYearly }, { now: utc("2029-03-01T09:30:00Z") }, denied("outside-schedule")],
      ["yearly on 29 Feb: nor on 28 February 2029", { ...longLeap, schedule: leapYearly }, { now: utc("2029-02-28T09:30:00Z") }, denied("outside-schedule")],
      ["RRULE: first occurrence", { ...nov, schedule: fortnightly }, { now: utc("2026-11-03T14:00:00Z") }, allowed],
      ["RRULE: INTERVAL=2 skips the next week", { ...nov, schedule: fortnightly }, { now: utc("2026-11-10T14:00:00Z") }, denied("outside-schedule")],
      ["RRULE: BYDAY=TH", { ...nov, schedule: fortnightly }, { now: utc("2026-11-19T14:30:00Z") }, allowed],
      ["RRULE: the 5th and last occurrence", { ...nov, schedule: fortnightly }, { now: utc("2026-12-01T14:59:59Z") }, allowed],
      ["RRULE: COUNT=5 is spent", { ...nov, schedule: fortnightly }, { now: utc("2026-12-03T14:00:00Z") }, denied("outside-schedule")],
      ["RRULE: UNTIL is inclusive", { ...nov, schedule: untilRule }, { now: utc("2026-12-03T14:00:00Z") }, allowed],
      ["RRULE: after UNTIL", { ...nov, schedule: untilRule }, { now: utc("2026-12-04T14:00:00Z") }, denied("outside-schedule")],
    ]);
  });

  describe("credentials for several doors", () => {
    const both = { doors: [DoorId("front"), DoorId("garage")] };
    table([
      ["the front door", both, { door: DoorId("front") }, allowed],
      ["the garage", both, { door: DoorId("garage") }, allowed],
      ["not the back door", both, { door: DoorId("back") }, denied("wrong-door")],
    ]);
  });
});
