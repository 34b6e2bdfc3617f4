import { expect } from "chai";
import type { Interval, Schedule, WeeklyWindow } from "../../src/access/credential.js";
import { ScheduleError, checkSchedule, isWithinSchedule, scheduleWindows } from "../../src/access/schedule.js";

// Expected instants are literals worked out by hand from the zone rules (see time-zone.test.ts).
const utc = (iso: string): number => Date.parse(iso);
const weekly = (timeZone: string, ...windows: WeeklyWindow[]): Schedule => ({ type: "weekly", timeZone, windows });
const rrule = (timeZone: string, dtstart: string, rule: string, durationMinutes: number): Schedule => ({
  type: "rrule", timeZone, dtstart, rrule: rule, durationMinutes,
});
const iso = (windows: Interval[]): string[][] =>
  windows.map((w) => [new Date(w.start).toISOString().replace(":00.000", ""), new Date(w.end).toISOString().replace(":00.000", "")]);
const between = (s: Schedule, from: string, to: string): string[][] => iso(scheduleWindows(s, utc(from), utc(to)));

describe("access/schedule", () => {
  describe("weekly windows", () => {
    it("Monday to Friday 09:00-17:00 in Berlin in winter", () => {
      const s = weekly("Europe/Berlin", { days: ["MO", "TU", "WE", "TH", "FR"], start: "09:00", end: "17:00" });
      expect(between(s, "2026-11-30T00:00:00Z", "2026-12-07T00:00:00Z")).to.deep.equal([
        ["2026-11-30T08:00Z", "2026-11-30T16:00Z"],
        ["2026-12-01T08:00Z", "2026-12-01T16:00Z"],
        ["2026-12-02T08:00Z", "2026-12-02T16:00Z"],
        ["2026-12-03T08:00Z", "2026-12-03T16:00Z"],
        ["2026-12-04T08:00Z", "2026-12-04T16:00Z"],
      ]);
    });

    it("a window across midnight belongs to the day it starts, and is found from inside", () => {
      const s = weekly("Europe/Berlin", { days: ["FR", "SU"], start: "22:00", end: "06:00" });
      expect(between(s, "2026-12-05T02:00:00Z", "2026-12-05T03:00:00Z")).to.deep.equal([["2026-12-04T21:00Z", "2026-12-05T05:00Z"]]);
      // Sunday night runs into Monday of the next week.
      expect(between(s, "2026-12-06T00:00:00Z", "2026-12-08T00:00:00Z")).to.deep.equal([["2026-12-06T21:00Z", "2026-12-07T05:00Z"]]);
    });

    it("00:00-00:00 is a whole day and 24:00 is the end of the day", () => {
      expect(between(weekly("Europe/Berlin", { days: ["SA"], start: "00:00", end: "00:00" }), "2026-12-05T00:00:00Z", "2026-12-06T00:00:00Z"))
        .to.deep.equal([["2026-12-04T23:00Z", "2026-12-05T23:00Z"]]);
      expect(between(weekly("Europe/Berlin", { days: ["SA"], start: "18:00", end: "24:00" }), "2026-12-05T00:00:00Z", "2026-12-06T00:00:00Z"))
        .to.deep.equal([["2026-12-05T17:00Z", "2026-12-05T23:00Z"]]);
    });

    it("spring forward in Berlin: a window starting in the missing hour starts when the clock jumps", () => {
      const s = weekly("Europe/Berlin", { days: ["SU"], start: "02:30", end: "04:00" });
      expect(between(s, "2026-03-29T00:00:00Z", "2026-03-30T00:00:00Z")).to.deep.equal([["2026-03-29T01:00Z", "2026-03-29T02:00Z"]]);
    });

    it("spring forward in Berlin: a window wholly inside the missing hour does not occur that day", () => {
      const s = weekly("Europe/Berlin", { days: ["SU"], start: "02:15", end: "02:45" });
      expect(between(s, "2026-03-22T00:00:00Z", "2026-04-06T00:00:00Z")).to.deep.equal([
        ["2026-03-22T01:15Z", "2026-03-22T01:45Z"],
        ["2026-04-05T00:15Z", "2026-04-05T00:45Z"],
      ]);
    });

    it("fall back in Berlin: start at the first 02:30, end at 03:30 after the repeat (two hours)", () => {
      const s = weekly("Europe/Berlin", { days: ["SU"], start: "02:30", end: "03:30" });
      expect(between(s, "2026-10-25T00:00:00Z", "2026-10-26T00:00:00Z")).to.deep.equal([["2026-10-25T00:30Z", "2026-10-25T02:30Z"]]);
      const ending = weekly("Europe/Berlin", { days: ["SU"], start: "01:00", end: "02:30" });
      expect(between(ending, "2026-10-24T00:00:00Z", "2026-10-26T00:00:00Z")).to.deep.equal([["2026-10-24T23:00Z", "2026-10-25T00:30Z"]]);
    });

    it("New York: both transitions", () => {
      const fall = weekly("America/New_York", { days: ["SU"], start: "01:00", end: "03:00" });
      expect(between(fall, "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z")).to.deep.equal([["2026-11-01T05:00Z", "2026-11-01T08:00Z"]]);
      const spring = weekly("America/New_York", { days: ["SU"], start: "02:30", end: "03:30" });
      expect(between(spring, "2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z")).to.deep.equal([["2026-03-08T07:00Z", "2026-03-08T07:30Z"]]);
      const daily = weekly("America/New_York", { days: ["SA", "SU"], start: "09:00", end: "17:00" });
      expect(between(daily, "2026-10-31T00:00:00Z", "2026-11-02T00:00:00Z")).to.deep.equal([
        ["2026-10-31T13:00Z", "2026-10-31T21:00Z"],
        ["2026-11-01T14:00Z", "2026-11-01T22:00Z"],
      ]);
    });

    it("Lord Howe: the 30-minute gap and the repeated half hour", () => {
      const gap = weekly("Australia/Lord_Howe", { days: ["SU"], start: "02:00", end: "03:00" });
      expect(between(gap, "2026-10-03T00:00:00Z", "2026-10-04T12:00:00Z")).to.deep.equal([["2026-10-03T15:30Z", "2026-10-03T16:00Z"]]);
      const repeat = weekly("Australia/Lord_Howe", { days: ["SU"], start: "01:45", end: "02:45" });
      expect(between(repeat, "2026-04-04T00:00:00Z", "2026-04-05T12:00:00Z")).to.deep.equal([["2026-04-04T14:45Z", "2026-04-04T16:15Z"]]);
    });

    it("29 February 2028 is a Tuesday like any other", () => {
      const s = weekly("Europe/Berlin", { days: ["TU"], start: "10:00", end: "11:00" });
      expect(between(s, "2028-02-28T00:00:00Z", "2028-03-02T00:00:00Z")).to.deep.equal([["2028-02-29T09:00Z", "2028-02-29T10:00Z"]]);
    });

    it("windows are [start, end): the end instant is outside", () => {
      const s = weekly("Europe/Berlin", { days: ["MO"], start: "09:00", end: "17:00" });
      expect(isWithinSchedule(s, utc("2026-11-30T07:59:59.999Z"))).to.equal(false);
      expect(isWithinSchedule(s, utc("2026-11-30T08:00:00Z"))).to.equal(true);
      expect(isWithinSchedule(s, utc("2026-11-30T15:59:59.999Z"))).to.equal(true);
      expect(isWithinSchedule(s, utc("2026-11-30T16:00:00Z"))).to.equal(false);
    });
  });

  describe("RRULE schedules", () => {
    it("a daily 09:00 window stays at 09:00 local across spring forward", () => {
      const s = rrule("Europe/Berlin", "2026-03-27T09:00", "FREQ=DAILY", 60);
      expect(between(s, "2026-03-27T00:00:00Z", "2026-03-31T00:00:00Z")).to.deep.equal([
        ["2026-03-27T08:00Z", "2026-03-27T09:00Z"],
        ["2026-03-28T08:00Z", "2026-03-28T09:00Z"],
        ["2026-03-29T07:00Z", "2026-03-29T08:00Z"],
        ["2026-03-30T07:00Z", "2026-03-30T08:00Z"],
      ]);
    });

    it("an occurrence in the missing hour starts when the clock jumps; the duration is elapsed time", () => {
      const s = rrule("Europe/Berlin", "2026-03-28T02:30", "FREQ=DAILY", 60);
      expect(between(s, "2026-03-28T00:00:00Z", "2026-03-31T00:00:00Z")).to.deep.equal([
        ["2026-03-28T01:30Z", "2026-03-28T02:30Z"],
        ["2026-03-29T01:00Z", "2026-03-29T02:00Z"],
        ["2026-03-30T00:30Z", "2026-03-30T01:30Z"],
      ]);
      const night = rrule("Europe/Berlin", "2026-03-28T22:00", "FREQ=DAILY;COUNT=1", 480);
      expect(between(night, "2026-03-28T00:00:00Z", "2026-03-30T00:00:00Z")).to.deep.equal([["2026-03-28T21:00Z", "2026-03-29T05:00Z"]]);
    });

    it("Lord Howe: a daily 02:15 occurrence across the 30-minute gap", () => {
      const s = rrule("Australia/Lord_Howe", "2026-10-02T02:15", "FREQ=DAILY", 60);
      expect(between(s, "2026-10-01T00:00:00Z", "2026-10-05T00:00:00Z")).to.deep.equal([
        ["2026-10-01T15:45Z", "2026-10-01T16:45Z"],
        ["2026-10-02T15:45Z", "2026-10-02T16:45Z"],
        ["2026-10-03T15:30Z", "2026-10-03T16:30Z"],
        ["2026-10-04T15:15Z", "2026-10-04T16:15Z"],
      ]);
    });

    it("INTERVAL, BYDAY and COUNT, also when asked about a later range", () => {
      const s = rrule("Europe/Berlin", "2026-11-03T09:00", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=5", 30);
      expect(between(s, "2026-11-01T00:00:00Z", "2027-01-01T00:00:00Z")).to.deep.equal([
        ["2026-11-03T08:00Z", "2026-11-03T08:30Z"],
        ["2026-11-05T08:00Z", "2026-11-05T08:30Z"],
        ["2026-11-17T08:00Z", "2026-11-17T08:30Z"],
        ["2026-11-19T08:00Z", "2026-11-19T08:30Z"],
        ["2026-12-01T08:00Z", "2026-12-01T08:30Z"],
      ]);
      expect(between(s, "2026-11-18T00:00:00Z", "2027-01-01T00:00:00Z")).to.deep.equal([
        ["2026-11-19T08:00Z", "2026-11-19T08:30Z"],
        ["2026-12-01T08:00Z", "2026-12-01T08:30Z"],
      ]);
    });

    it("UNTIL in UTC is inclusive of an occurrence starting exactly then", () => {
      const upTo = (until: string) => between(rrule("Europe/Berlin", "2026-11-03T09:00", `FREQ=DAILY;UNTIL=${until}`, 60), "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z");
      expect(upTo("20261105T080000Z")).to.have.length(3);
      expect(upTo("20261105T075959Z")).to.have.length(2);
    });

    it("the last Friday of each month in New York, across the DST change", () => {
      const s = rrule("America/New_York", "2026-01-30T18:00", "FREQ=MONTHLY;BYDAY=-1FR", 120);
      expect(between(s, "2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z")).to.deep.equal([
        ["2026-01-30T23:00Z", "2026-01-31T01:00Z"],
        ["2026-02-27T23:00Z", "2026-02-28T01:00Z"],
        ["2026-03-27T22:00Z", "2026-03-28T00:00Z"],
      ]);
    });

    it("a yearly rule on 29 February occurs in leap years only", () => {
      const s = rrule("Europe/Berlin", "2028-02-29T10:00", "FREQ=YEARLY", 60);
      expect(between(s, "2028-01-01T00:00:00Z", "2033-01-01T00:00:00Z")).to.deep.equal([
        ["2028-02-29T09:00Z", "2028-02-29T10:00Z"],
        ["2032-02-29T09:00Z", "2032-02-29T10:00Z"],
      ]);
    });

    it("a rule that started years ago is evaluated without walking every year since", () => {
      const s = rrule("Europe/Berlin", "2020-01-06T09:00", "FREQ=WEEKLY;BYDAY=MO", 60);
      expect(between(s, "2026-11-30T00:00:00Z", "2026-12-07T00:00:00Z")).to.deep.equal([["2026-11-30T08:00Z", "2026-11-30T09:00Z"]]);
    });

    it("an occurrence that began before the range is returned with its real start", () => {
      const s = rrule("Europe/Berlin", "2026-11-30T09:00", "FREQ=DAILY", 180);
      expect(between(s, "2026-11-30T10:00:00Z", "2026-11-30T10:30:00Z")).to.deep.equal([["2026-11-30T08:00Z", "2026-11-30T11:00Z"]]);
      expect(isWithinSchedule(s, utc("2026-11-30T10:59:59.999Z"))).to.equal(true);
      expect(isWithinSchedule(s, utc("2026-11-30T11:00:00Z"))).to.equal(false);
    });
  });

  describe("checkSchedule", () => {
    const paths = (value: unknown): string[] => {
      const r = checkSchedule(value);
      return r.ok ? [] : r.problems.map((p) => p.path);
    };
    it("names each bad field", () => {
      expect(paths({ type: "weekly", timeZone: "Mars/Base", windows: [{ days: ["XX"], start: "9:00", end: "25:00" }] }))
        .to.deep.equal(["timeZone", "windows[0].days[0]", "windows[0].start", "windows[0].end"]);
      expect(paths({ type: "weekly", timeZone: "UTC", windows: [] })).to.deep.equal(["windows"]);
      expect(paths({ type: "weekly", timeZone: "UTC", windows: [{ days: ["MO", "MO"], start: "09:00", end: "10:00", extra: 1 }] }))
        .to.deep.equal(["windows[0].extra", "windows[0].days[1]"]);
      expect(paths({ type: "rrule", timeZone: "UTC", dtstart: "2027-02-29T09:00", rrule: "FREQ=SECONDLY", durationMinutes: 0 }))
        .to.deep.equal(["dtstart", "rrule", "durationMinutes"]);
      expect(paths({ type: "monthly", timeZone: "UTC" })).to.deep.equal(["type"]);
    });
    it("names the RRULE part in the message", () => {
      const r = checkSchedule({ type: "rrule", timeZone: "UTC", dtstart: "2026-12-01T09:00", rrule: "FREQ=DAILY;BYSETPOS=2", durationMinutes: 30 });
      expect(r.ok).to.equal(false);
      if (!r.ok) expect(r.problems[0]?.message).to.match(/BYSETPOS/);
    });
    it("returns the zone name canonical", () => {
      const r = checkSchedule({ type: "weekly", timeZone: "europe/berlin", windows: [{ days: ["MO"], start: "09:00", end: "10:00" }] });
      expect(r.ok && r.value.timeZone).to.equal("Europe/Berlin");
    });
    it("evaluating an invalid schedule throws rather than guessing", () => {
      const bad = weekly("Nowhere/Special", { days: ["MO"], start: "09:00", end: "10:00" });
      expect(() => isWithinSchedule(bad, utc("2026-11-30T08:30:00Z"))).to.throw(ScheduleError, /timeZone/);
    });
  });
});
