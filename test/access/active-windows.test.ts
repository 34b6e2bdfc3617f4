import { expect } from "chai";
import { activeWindows, mergeIntervals } from "../../src/access/active-windows.js";
import type { Interval } from "../../src/access/credential.js";
import { credential } from "../helpers/access-fixtures.js";

const utc = (iso: string): number => Date.parse(iso);
const iso = (windows: Interval[]): string[][] =>
  windows.map((w) => [new Date(w.start).toISOString().replace(":00.000", ""), new Date(w.end).toISOString().replace(":00.000", "")]);

describe("access/active-windows", () => {
  it("without a schedule: the validity window clipped to the range", () => {
    const c = credential({ validFrom: utc("2026-12-01T10:00:00Z"), validUntil: utc("2026-12-03T10:00:00Z") });
    expect(iso(activeWindows(c, utc("2026-11-30T00:00:00Z"), utc("2026-12-07T00:00:00Z")))).to.deep.equal([["2026-12-01T10:00Z", "2026-12-03T10:00Z"]]);
    expect(iso(activeWindows(c, utc("2026-12-02T00:00:00Z"), utc("2026-12-02T01:00:00Z")))).to.deep.equal([["2026-12-02T00:00Z", "2026-12-02T01:00Z"]]);
    expect(activeWindows(c, utc("2026-12-03T10:00:00Z"), utc("2026-12-04T00:00:00Z"))).to.deep.equal([]);
  });

  it("a schedule clipped by validFrom and validUntil that fall inside windows", () => {
    const c = credential({
      validFrom: utc("2026-12-01T10:00:00Z"), // Tuesday 11:00 Berlin
      validUntil: utc("2026-12-03T12:00:00Z"), // Thursday 13:00 Berlin
      schedule: { type: "weekly", timeZone: "Europe/Berlin", windows: [{ days: ["MO", "TU", "WE", "TH", "FR"], start: "09:00", end: "17:00" }] },
    });
    expect(iso(activeWindows(c, utc("2026-11-30T00:00:00Z"), utc("2026-12-07T00:00:00Z")))).to.deep.equal([
      ["2026-12-01T10:00Z", "2026-12-01T16:00Z"],
      ["2026-12-02T08:00Z", "2026-12-02T16:00Z"],
      ["2026-12-03T08:00Z", "2026-12-03T12:00Z"],
    ]);
  });

  it("merges overlapping and touching windows", () => {
    const c = credential({
      schedule: {
        type: "weekly", timeZone: "UTC",
        windows: [
          { days: ["TU"], start: "09:00", end: "12:00" },
          { days: ["TU"], start: "11:00", end: "14:00" },
          { days: ["TU"], start: "14:00", end: "15:00" },
          { days: ["TU"], start: "20:00", end: "21:00" },
        ],
      },
    });
    expect(iso(activeWindows(c, utc("2026-12-01T00:00:00Z"), utc("2026-12-02T00:00:00Z")))).to.deep.equal([
      ["2026-12-01T09:00Z", "2026-12-01T15:00Z"],
      ["2026-12-01T20:00Z", "2026-12-01T21:00Z"],
    ]);
    expect(mergeIntervals([{ start: 5, end: 9 }, { start: 1, end: 3 }, { start: 3, end: 4 }, { start: 8, end: 8 }])).to.deep.equal([
      { start: 1, end: 4 }, { start: 5, end: 9 },
    ]);
  });

  it("a window on 29 February 2028", () => {
    const c = credential({
      validFrom: utc("2028-02-28T23:00:00Z"), // 2028-02-29 00:00 Berlin
      validUntil: utc("2028-02-29T23:00:00Z"), // 2028-03-01 00:00 Berlin, exclusive
    });
    expect(iso(activeWindows(c, utc("2028-02-01T00:00:00Z"), utc("2028-04-01T00:00:00Z")))).to.deep.equal([["2028-02-28T23:00Z", "2028-02-29T23:00Z"]]);
  });

  it("empty when revoked or out of uses; shortened after first use", () => {
    const range = [utc("2026-11-30T00:00:00Z"), utc("2026-12-09T00:00:00Z")] as const;
    expect(activeWindows(credential({ revokedAt: utc("2026-12-02T00:00:00Z") }), ...range)).to.deep.equal([]);
    expect(activeWindows(credential({ maxUses: 1 }), ...range, { uses: 1 })).to.deep.equal([]);
    expect(activeWindows(credential({ maxUses: 2 }), ...range, { uses: 1 })).to.have.length(1);
    const expiring = credential({ expiresAfterFirstUseMinutes: 90 });
    expect(iso(activeWindows(expiring, ...range, { uses: 1, firstUsedAt: utc("2026-12-02T10:00:00Z") }))).to.deep.equal([["2026-12-01T00:00Z", "2026-12-02T11:30Z"]]);
  });

  it("the last week of a year-long COUNT rule ends with its last occurrence", () => {
    const c = credential({
      validFrom: utc("2026-01-01T00:00:00Z"), validUntil: utc("2026-12-31T00:00:00Z"),
      schedule: { type: "rrule", timeZone: "Europe/Berlin", dtstart: "2026-01-01T06:00", rrule: "FREQ=DAILY;COUNT=360", durationMinutes: 30 },
    });
    const windows = activeWindows(c, utc("2026-12-20T00:00:00Z"), utc("2026-12-29T00:00:00Z"));
    // Occurrence n falls on day n of 2026; the 360th and last is 26 December (06:00 CET = 05:00 UTC).
    expect(iso(windows)).to.deep.equal([
      ["2026-12-20T05:00Z", "2026-12-20T05:30Z"], ["2026-12-21T05:00Z", "2026-12-21T05:30Z"], ["2026-12-22T05:00Z", "2026-12-22T05:30Z"],
      ["2026-12-23T05:00Z", "2026-12-23T05:30Z"], ["2026-12-24T05:00Z", "2026-12-24T05:30Z"], ["2026-12-25T05:00Z", "2026-12-25T05:30Z"],
      ["2026-12-26T05:00Z", "2026-12-26T05:30Z"],
    ]);
  });
});
