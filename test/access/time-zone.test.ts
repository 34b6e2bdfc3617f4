import { expect } from "chai";
import {
  UnknownTimeZoneError, assertTimeZone, canonicalTimeZone, formatInstant, instantOf, isValidTimeZone, utcOffsetMs, wallClockAt,
} from "../../src/access/time-zone.js";

// Every expected instant below is a literal derived by hand from the zone rules
// (Berlin: CET +1 / CEST +2, switching at 01:00 UTC on the last Sundays of March and October;
// New York: EST -5 / EDT -4, switching at 02:00 local on the 2nd Sunday of March and 1st of November;
// Lord Howe: +10:30 / +11, switching at 02:00 local on the 1st Sundays of October and April).
const utc = (iso: string): number => Date.parse(iso);
const local = (text: string) => {
  const [date, time] = text.split("T") as [string, string];
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  const [hour, minute] = time.split(":").map(Number) as [number, number];
  return { year, month, day, hour, minute };
};

describe("access/time-zone", () => {
  const cases: [string, string, string, string][] = [
    // zone, local wall clock, expected UTC, why
    ["Europe/Berlin", "2026-01-15T09:00", "2026-01-15T08:00:00Z", "winter, CET"],
    ["Europe/Berlin", "2026-07-15T09:00", "2026-07-15T07:00:00Z", "summer, CEST"],
    ["Europe/Berlin", "2026-03-29T01:59", "2026-03-29T00:59:00Z", "just before the spring gap"],
    ["Europe/Berlin", "2026-03-29T02:00", "2026-03-29T01:00:00Z", "gap start -> the jump"],
    ["Europe/Berlin", "2026-03-29T02:30", "2026-03-29T01:00:00Z", "inside the gap -> the jump"],
    ["Europe/Berlin", "2026-03-29T03:00", "2026-03-29T01:00:00Z", "first time after the gap"],
    ["Europe/Berlin", "2026-10-25T01:59", "2026-10-24T23:59:00Z", "before the repeated hour"],
    ["Europe/Berlin", "2026-10-25T02:00", "2026-10-25T00:00:00Z", "repeated hour -> first occurrence (CEST)"],
    ["Europe/Berlin", "2026-10-25T02:30", "2026-10-25T00:30:00Z", "repeated hour -> first occurrence (CEST)"],
    ["Europe/Berlin", "2026-10-25T03:00", "2026-10-25T02:00:00Z", "after the repeated hour, CET"],
    ["America/New_York", "2026-03-08T01:59", "2026-03-08T06:59:00Z", "before the gap, EST"],
    ["America/New_York", "2026-03-08T02:30", "2026-03-08T07:00:00Z", "inside the gap -> the jump"],
    ["America/New_York", "2026-03-08T03:00", "2026-03-08T07:00:00Z", "after the gap, EDT"],
    ["America/New_York", "2026-11-01T01:30", "2026-11-01T05:30:00Z", "repeated hour -> first occurrence (EDT)"],
    ["America/New_York", "2026-11-01T02:00", "2026-11-01T07:00:00Z", "after the repeated hour, EST"],
    ["Australia/Lord_Howe", "2026-10-04T01:59", "2026-10-03T15:29:00Z", "before the 30-minute gap, +10:30"],
    ["Australia/Lord_Howe", "2026-10-04T02:15", "2026-10-03T15:30:00Z", "inside the 30-minute gap -> the jump"],
    ["Australia/Lord_Howe", "2026-10-04T02:30", "2026-10-03T15:30:00Z", "after the gap, +11"],
    ["Australia/Lord_Howe", "2026-04-05T01:29", "2026-04-04T14:29:00Z", "before the repeated half hour, +11"],
    ["Australia/Lord_Howe", "2026-04-05T01:45", "2026-04-04T14:45:00Z", "repeated half hour -> first occurrence (+11)"],
    ["Australia/Lord_Howe", "2026-04-05T02:00", "2026-04-04T15:30:00Z", "after the repeated half hour, +10:30"],
    ["Europe/Berlin", "2028-02-29T12:00", "2028-02-29T11:00:00Z", "leap day"],
    ["Asia/Kathmandu", "2026-06-01T00:00", "2026-05-31T18:15:00Z", "+05:45, no DST"],
    ["UTC", "2026-06-01T00:00", "2026-06-01T00:00:00Z", "UTC"],
  ];
  for (const [zone, wall, expected, why] of cases) {
    it(`${zone} ${wall} -> ${expected} (${why})`, () => {
      expect(new Date(instantOf(local(wall), zone)).toISOString()).to.equal(new Date(utc(expected)).toISOString());
    });
  }

  it("reads the wall clock, weekday included, across a leap day", () => {
    // 2028-02-29 23:30 UTC is 2028-03-01 00:30 CET, a Wednesday (2028-02-29 is a Tuesday).
    const wall = wallClockAt(utc("2028-02-29T23:30:00Z"), "Europe/Berlin");
    expect(wall).to.include({ year: 2028, month: 3, day: 1, hour: 0, minute: 30, weekday: 2 });
    const leap = wallClockAt(utc("2028-02-29T12:00:00Z"), "Europe/Berlin");
    expect(leap).to.include({ year: 2028, month: 2, day: 29, hour: 13, weekday: 1 });
  });

  it("gives offsets on both sides of a 30-minute transition", () => {
    expect(utcOffsetMs(utc("2026-10-03T15:29:59Z"), "Australia/Lord_Howe")).to.equal(10.5 * 3_600_000);
    expect(utcOffsetMs(utc("2026-10-03T15:30:00Z"), "Australia/Lord_Howe")).to.equal(11 * 3_600_000);
    expect(utcOffsetMs(utc("2026-10-03T15:45:00Z"), "Australia/Lord_Howe")).to.equal(11 * 3_600_000);
  });

  it("reads the repeated hour twice, in order", () => {
    expect(wallClockAt(utc("2026-10-25T00:30:00Z"), "Europe/Berlin")).to.include({ hour: 2, minute: 30 });
    expect(wallClockAt(utc("2026-10-25T01:30:00Z"), "Europe/Berlin")).to.include({ hour: 2, minute: 30 });
  });

  it("refuses unknown zones and fixed offsets, naming them", () => {
    expect(() => assertTimeZone("Mars/Olympus_Mons")).to.throw(UnknownTimeZoneError, /Mars\/Olympus_Mons/);
    expect(() => instantOf(local("2026-01-01T00:00"), "Europe/Berlln")).to.throw(UnknownTimeZoneError, /Europe\/Berlln/);
    expect(isValidTimeZone("+01:00")).to.equal(false);
    expect(isValidTimeZone("")).to.equal(false);
    expect(isValidTimeZone("America/New_York")).to.equal(true);
  });

  it("canonicalises the spelling of a zone", () => {
    expect(canonicalTimeZone("europe/berlin")).to.equal("Europe/Berlin");
  });

  it("formats an instant for people", () => {
    expect(formatInstant(utc("2026-12-01T08:00:00Z"), "Europe/Berlin")).to.equal("Tue 2026-12-01 09:00 Europe/Berlin");
  });
});
