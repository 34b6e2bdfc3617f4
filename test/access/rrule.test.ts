import { expect } from "chai";
import fc from "fast-check";
import * as rrulePackage from "rrule";
import { DAY_MS, daysFromCivil, wallMsOf } from "../../src/access/civil.js";
import { occurrenceWalls, parseRrule } from "../../src/access/rrule.js";

/** Occurrence starts of `rule` from `dtstart` ("YYYYMMDDTHHMM") as "YYYY-MM-DD HH:MM", at most `limit`. */
function expand(rule: string, dtstart: string, limit = 200, horizonDays = 6 * 366): string[] {
  const parsed = parseRrule(rule);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const [y, mo, d, h, mi] = [dtstart.slice(0, 4), dtstart.slice(4, 6), dtstart.slice(6, 8), dtstart.slice(9, 11), dtstart.slice(11, 13)].map(Number) as number[];
  const dtWall = wallMsOf({ year: y!, month: mo!, day: d!, hour: h!, minute: mi! });
  const out: string[] = [];
  const firstDay = Math.floor(dtWall / DAY_MS);
  for (const wall of occurrenceWalls(parsed.rule, dtWall, firstDay, firstDay + horizonDays)) {
    out.push(new Date(wall).toISOString().slice(0, 16).replace("T", " "));
    if (out.length >= limit) break;
  }
  return out;
}

const at9 = (...days: string[]): string[] => days.map((d) => `${d} 09:00`);

describe("access/rrule", () => {
  describe("RFC 5545 section 3.8.5.3 examples (the expected dates are the RFC's own)", () => {
    it("daily for 10 occurrences", () => {
      expect(expand("FREQ=DAILY;COUNT=10", "19970902T0900")).to.deep.equal(
        at9("1997-09-02", "1997-09-03", "1997-09-04", "1997-09-05", "1997-09-06", "1997-09-07", "1997-09-08", "1997-09-09", "1997-09-10", "1997-09-11"));
    });
    it("every 10 days, 5 occurrences", () => {
      expect(expand("FREQ=DAILY;INTERVAL=10;COUNT=5", "19970902T0900")).to.deep.equal(
        at9("1997-09-02", "1997-09-12", "1997-09-22", "1997-10-02", "1997-10-12"));
    });
    it("every day in January, for 3 years (UNTIL, BYMONTH limiting DAILY)", () => {
      const dates = expand("FREQ=DAILY;UNTIL=20000131T140000;BYMONTH=1", "19980101T0900");
      expect(dates).to.have.length(93);
      expect(dates[0]).to.equal("1998-01-01 09:00");
      expect(dates[31]).to.equal("1999-01-01 09:00");
      expect(dates[92]).to.equal("2000-01-31 09:00");
    });
    it("weekly on Tuesday and Thursday for five weeks", () => {
      expect(expand("FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH", "19970902T0900")).to.deep.equal(
        at9("1997-09-02", "1997-09-04", "1997-09-09", "1997-09-11", "1997-09-16", "1997-09-18", "1997-09-23", "1997-09-25", "1997-09-30", "1997-10-02"));
    });
    it("every other week on Tuesday and Sunday: WKST=MO vs WKST=SU", () => {
      expect(expand("FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO", "19970805T0900")).to.deep.equal(
        at9("1997-08-05", "1997-08-10", "1997-08-19", "1997-08-24"));
      expect(expand("FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU", "19970805T0900")).to.deep.equal(
        at9("1997-08-05", "1997-08-17", "1997-08-19", "1997-08-31"));
    });
    it("monthly on the first Friday for 10 occurrences", () => {
      expect(expand("FREQ=MONTHLY;COUNT=10;BYDAY=1FR", "19970905T0900")).to.deep.equal(
        at9("1997-09-05", "1997-10-03", "1997-11-07", "1997-12-05", "1998-01-02", "1998-02-06", "1998-03-06", "1998-04-03", "1998-05-01", "1998-06-05"));
    });
    it("every other month on the first and last Sunday", () => {
      expect(expand("FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU", "19970907T0900")).to.deep.equal(
        at9("1997-09-07", "1997-09-28", "1997-11-02", "1997-11-30", "1998-01-04", "1998-01-25", "1998-03-01", "1998-03-29", "1998-05-03", "1998-05-31"));
    });
    it("monthly on the second-to-last Monday for 6 months", () => {
      expect(expand("FREQ=MONTHLY;COUNT=6;BYDAY=-2MO", "19970922T0900")).to.deep.equal(
        at9("1997-09-22", "1997-10-20", "1997-11-17", "1997-12-22", "1998-01-19", "1998-02-16"));
    });
    it("monthly on the third-to-the-last day of the month", () => {
      expect(expand("FREQ=MONTHLY;BYMONTHDAY=-3", "19970928T0900", 6)).to.deep.equal(
        at9("1997-09-28", "1997-10-29", "1997-11-28", "1997-12-29", "1998-01-29", "1998-02-26"));
    });
    it("monthly on the 2nd and 15th for 10 occurrences", () => {
      expect(expand("FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15", "19970902T0900")).to.deep.equal(
        at9("1997-09-02", "1997-09-15", "1997-10-02", "1997-10-15", "1997-11-02", "1997-11-15", "1997-12-02", "1997-12-15", "1998-01-02", "1998-01-15"));
    });
    it("the 15th and 30th, skipping a February without a 30th", () => {
      expect(expand("FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5", "20070115T0900")).to.deep.equal(
        at9("2007-01-15", "2007-01-30", "2007-02-15", "2007-03-15", "2007-03-30"));
    });
    it("yearly in June and July for 10 occurrences", () => {
      expect(expand("FREQ=YEARLY;COUNT=10;BYMONTH=6,7", "19970610T0900")).to.deep.equal(
        at9("1997-06-10", "1997-07-10", "1998-06-10", "1998-07-10", "1999-06-10", "1999-07-10", "2000-06-10", "2000-07-10", "2001-06-10", "2001-07-10"));
    });
    it("every Thursday in March", () => {
      expect(expand("FREQ=YEARLY;BYMONTH=3;BYDAY=TH", "19970313T0900", 7)).to.deep.equal(
        at9("1997-03-13", "1997-03-20", "1997-03-27", "1998-03-05", "1998-03-12", "1998-03-19", "1998-03-26"));
    });
    it("the 20th Monday of the year", () => {
      expect(expand("FREQ=YEARLY;BYDAY=20MO", "19970519T0900", 3)).to.deep.equal(at9("1997-05-19", "1998-05-18", "1999-05-17"));
    });
    it("mixes ordinal and plain weekdays: the first Monday and every Friday", () => {
      // 2024-01-01 is a Monday; 2024-02-01 a Thursday.
      expect(expand("FREQ=MONTHLY;COUNT=6;BYDAY=1MO,FR", "20240101T0900")).to.deep.equal(
        at9("2024-01-01", "2024-01-05", "2024-01-12", "2024-01-19", "2024-01-26", "2024-02-02"));
    });
    it("every Friday the 13th", () => {
      expect(expand("FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13", "19970902T0900", 5)).to.deep.equal(
        at9("1998-02-13", "1998-03-13", "1998-11-13", "1999-08-13", "2000-10-13"));
    });
  });

  describe("29 February", () => {
    it("a yearly rule on a leap day occurs only in leap years", () => {
      expect(expand("FREQ=YEARLY", "20280229T1000", 3, 13 * 366)).to.deep.equal(["2028-02-29 10:00", "2032-02-29 10:00", "2036-02-29 10:00"]);
    });
    it("a monthly rule on the 29th skips February except in leap years", () => {
      expect(expand("FREQ=MONTHLY;BYMONTHDAY=29;COUNT=4", "20271229T1000")).to.deep.equal(
        ["2027-12-29 10:00", "2028-01-29 10:00", "2028-02-29 10:00", "2028-03-29 10:00"]);
      expect(expand("FREQ=MONTHLY;BYMONTHDAY=29;COUNT=3", "20261229T1000")).to.deep.equal(
        ["2026-12-29 10:00", "2027-01-29 10:00", "2027-03-29 10:00"]);
    });
    it("the last day of February", () => {
      expect(expand("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1;COUNT=3", "20270101T0800")).to.deep.equal(
        ["2027-02-28 08:00", "2028-02-29 08:00", "2029-02-28 08:00"]);
    });
  });

  describe("UNTIL and COUNT", () => {
    it("UNTIL is inclusive, a date UNTIL covers its whole day", () => {
      expect(expand("FREQ=DAILY;UNTIL=20261105T090000", "20261103T0900")).to.have.length(3);
      expect(expand("FREQ=DAILY;UNTIL=20261105T085959", "20261103T0900")).to.have.length(2);
      expect(expand("FREQ=DAILY;UNTIL=20261105", "20261103T2300")).to.have.length(3);
    });
    it("a DTSTART that does not match the rule is not an occurrence, and COUNT counts matches", () => {
      // 2026-11-04 is a Wednesday.
      expect(expand("FREQ=WEEKLY;BYDAY=MO;COUNT=2", "20261104T0900")).to.deep.equal(at9("2026-11-09", "2026-11-16"));
    });
  });

  describe("parsing refuses what it does not support, naming the part", () => {
    const bad: [string, string][] = [
      ["FREQ=HOURLY", "FREQ"],
      ["INTERVAL=2", "FREQ"],
      ["FREQ=DAILY;BYSETPOS=1", "BYSETPOS"],
      ["FREQ=DAILY;BYHOUR=9", "BYHOUR"],
      ["FREQ=YEARLY;BYWEEKNO=20", "BYWEEKNO"],
      ["FREQ=DAILY;INTERVAL=0", "INTERVAL"],
      ["FREQ=DAILY;INTERVAL=x", "INTERVAL"],
      ["FREQ=DAILY;COUNT=0", "COUNT"],
      ["FREQ=DAILY;COUNT=3;UNTIL=20270101", "COUNT"],
      ["FREQ=DAILY;UNTIL=20270230", "UNTIL"],
      ["FREQ=DAILY;UNTIL=tomorrow", "UNTIL"],
      ["FREQ=WEEKLY;BYDAY=2MO", "BYDAY"],
      ["FREQ=WEEKLY;BYDAY=XX", "BYDAY"],
      ["FREQ=MONTHLY;BYDAY=6MO", "BYDAY"],
      ["FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY"],
      ["FREQ=WEEKLY;BYMONTHDAY=1", "BYMONTHDAY"],
      ["FREQ=YEARLY;BYMONTH=13", "BYMONTH"],
      ["FREQ=WEEKLY;WKST=XY", "WKST"],
      ["FREQ=DAILY;FREQ=WEEKLY", "FREQ"],
      ["FREQ=DAILY;garbage", "GARBAGE"],
    ];
    for (const [rule, part] of bad) {
      it(`${rule} -> ${part}`, () => {
        const parsed = parseRrule(rule);
        expect(parsed.ok, rule).to.equal(false);
        if (!parsed.ok) expect(parsed.problems.map((p) => p.part)).to.include(part);
      });
    }
    it("accepts an RRULE: prefix, lower case and a trailing semicolon", () => {
      const parsed = parseRrule("RRULE:freq=weekly;byday=mo,fr;");
      expect(parsed.ok).to.equal(true);
      if (parsed.ok) expect(parsed.rule.byDay).to.deep.equal([{ weekday: 0 }, { weekday: 4 }]);
    });
  });

  describe("agrees with the rrule package (an independent implementation) on random rules", () => {
    const pkg = ((rrulePackage as unknown as { default?: unknown }).default ?? rrulePackage) as {
      rrulestr(text: string): { all(iterator?: (d: Date, i: number) => boolean): Date[] };
    };
    const weekday = fc.constantFrom("MO", "TU", "WE", "TH", "FR", "SA", "SU");
    const ruleArb = fc
      .record({
        freq: fc.constantFrom("DAILY", "WEEKLY", "MONTHLY", "YEARLY"),
        interval: fc.integer({ min: 1, max: 3 }),
        // rrule 2.8.1 returns nothing when plain and ordinal weekdays are mixed ("1MO,FR"), so
        // the generator uses one kind per rule; mixing has its own test above.
        byDay: fc.option(fc.uniqueArray(fc.tuple(fc.constantFrom(1, 2, 3, -1, -2), weekday), { minLength: 1, maxLength: 3, selector: (t) => t[1] }), { nil: undefined }),
        ordinals: fc.boolean(),
        // Days every month has (29-31 have their own tests above), and never with ordinal weekdays:
        // rrule 2.8.1 scans to the year 9999 when a rule can never match (e.g. 1MO on the 28th).
        byMonthDay: fc.option(fc.uniqueArray(fc.constantFrom(1, 2, 13, 15, 28, -1, -3), { minLength: 1, maxLength: 3 }), { nil: undefined }),
        byMonth: fc.option(fc.uniqueArray(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 4 }), { nil: undefined }),
        count: fc.integer({ min: 1, max: 25 }),
        wkst: weekday,
        start: fc.date({ min: new Date("2024-01-01T00:00:00Z"), max: new Date("2030-12-31T00:00:00Z"), noInvalidDate: true }),
      })
      .map((r) => {
        const parts = [`FREQ=${r.freq}`, `INTERVAL=${r.interval}`, `COUNT=${r.count}`, `WKST=${r.wkst}`];
        const ordinalsAllowed = r.freq === "MONTHLY" || r.freq === "YEARLY";
        if (r.byDay) parts.push(`BYDAY=${r.byDay.map(([n, d]) => (ordinalsAllowed && r.ordinals ? `${n}${d}` : d)).join(",")}`);
        if (r.byMonthDay && r.freq !== "WEEKLY" && !(r.byDay && ordinalsAllowed && r.ordinals)) parts.push(`BYMONTHDAY=${r.byMonthDay.join(",")}`);
        // MONTHLY with INTERVAL > 1 may never land in a BYMONTH month (same rrule scan).
        if (r.byMonth && !(r.freq === "MONTHLY" && r.interval > 1)) parts.push(`BYMONTH=${r.byMonth.join(",")}`);
        const s = r.start.toISOString();
        return { rule: parts.join(";"), dtstart: `${s.slice(0, 4)}${s.slice(5, 7)}${s.slice(8, 10)}T${s.slice(11, 13)}${s.slice(14, 16)}` };
      });

    it("the first occurrences are the same dates and times", function () {
      this.timeout(60_000);
      fc.assert(
        fc.property(ruleArb, ({ rule, dtstart }) => {
          const horizonDays = 8 * 366;
          const ours = expand(rule, dtstart, 25, horizonDays);
          const limit = daysFromCivil(Number(dtstart.slice(0, 4)), Number(dtstart.slice(4, 6)), Number(dtstart.slice(6, 8))) + horizonDays;
          const theirs = pkg
            .rrulestr(`DTSTART:${dtstart}00Z\nRRULE:${rule}`)
            .all((d, i) => i < 25 && d.getTime() < (limit + 1) * DAY_MS)
            .filter((d) => d.getTime() < (limit + 1) * DAY_MS)
            .map((d) => d.toISOString().slice(0, 16).replace("T", " "));
          expect(ours, `${rule} from ${dtstart}`).to.deep.equal(theirs);
        }),
        { numRuns: 500 },
      );
    });
  });
});
