import { expect } from "chai";
import fc from "fast-check";
import * as rrulePackage from "rrule";
import type { Credential, Schedule, WeeklyWindow, Weekday } from "../../src/access/credential.js";
import { decide } from "../../src/access/decide.js";
import { CredentialId, DoorId } from "../../src/access/ids.js";
import { instantOf } from "../../src/access/time-zone.js";

// Property: decide() allows exactly when now is inside [validFrom, validUntil) (shortened by
// expiresAfterFirstUseMinutes), uses remain, and now is inside the schedule, the schedule being
// judged by an independent oracle: the wall clock read from Intl minute by minute, a local time T
// taken to begin at the first minute whose wall clock reads T or later (the documented DST rule),
// and RRULE dates taken from the rrule package. Nothing from src/access is used by the oracle.
// The first test checks the conversion itself against the same oracle, minute by minute.

const MINUTE = 60_000;
const DAY = 86_400_000;
const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;
const rrule = ((rrulePackage as unknown as { default?: unknown }).default ?? rrulePackage) as {
  rrulestr(text: string): { between(after: Date, before: Date, inc: boolean): Date[] };
};

/** Zones around a DST change (or a leap day), each studied over anchor +- 5 days. */
// `change` is the UTC instant of the DST change (from the zone rules, by hand), or of local midnight.
const SCENARIOS = [
  { zone: "Europe/Berlin", anchor: "2026-03-29", change: "2026-03-29T01:00:00Z" },
  { zone: "Europe/Berlin", anchor: "2026-10-25", change: "2026-10-25T01:00:00Z" },
  { zone: "America/New_York", anchor: "2026-03-08", change: "2026-03-08T07:00:00Z" },
  { zone: "America/New_York", anchor: "2026-11-01", change: "2026-11-01T06:00:00Z" },
  { zone: "Australia/Lord_Howe", anchor: "2026-10-04", change: "2026-10-03T15:30:00Z" },
  { zone: "Australia/Lord_Howe", anchor: "2026-04-05", change: "2026-04-04T15:00:00Z" },
  { zone: "Europe/Berlin", anchor: "2028-02-29", change: "2028-02-28T23:00:00Z" },
] as const;
const SPAN_DAYS = 5;
const TABLE_DAYS = 8;

/** Minute-by-minute wall clock (encoded as UTC ms) of one zone, and its running maximum. */
class WallTable {
  readonly start: number;
  readonly walls: number[] = [];
  readonly runningMax: number[] = [];
  constructor(zone: string, anchor: number) {
    const format = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
    });
    this.start = anchor - TABLE_DAYS * DAY;
    let max = -Infinity;
    for (let t = this.start; t <= anchor + TABLE_DAYS * DAY; t += MINUTE) {
      const p = Object.fromEntries(format.formatToParts(t).map((x) => [x.type, Number(x.value)]));
      const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour! % 24, p.minute!);
      this.walls.push(wall);
      max = Math.max(max, wall);
      this.runningMax.push(max);
    }
  }
  wallAt(t: number): number {
    return this.walls[Math.floor((t - this.start) / MINUTE)]!;
  }
  /** The first minute at which the wall clock reads `wall` or later. */
  firstReaching(wall: number): number {
    let lo = 0;
    let hi = this.runningMax.length - 1;
    if (this.runningMax[hi]! < wall) throw new Error("oracle table too short");
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.runningMax[mid]! >= wall) hi = mid;
      else lo = mid + 1;
    }
    if (lo === 0) throw new Error("oracle table starts too late");
    return this.start + lo * MINUTE;
  }
}

const tables = new Map<number, WallTable>();
function tableFor(i: number): WallTable {
  let t = tables.get(i);
  if (!t) {
    const s = SCENARIOS[i]!;
    t = new WallTable(s.zone, Date.parse(`${s.anchor}T00:00:00Z`));
    tables.set(i, t);
  }
  return t;
}

const hhmm = (minutes: number): string => `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
const isoWeekday = (dayStartUtc: number): number => (new Date(dayStartUtc).getUTCDay() + 6) % 7;

function inWeekly(table: WallTable, windows: WeeklyWindow[], now: number): boolean {
  const today = Math.floor(table.wallAt(now) / DAY) * DAY;
  for (let day = today - 2 * DAY; day <= today + DAY; day += DAY) {
    for (const w of windows) {
      if (!w.days.includes(WEEKDAYS[isoWeekday(day)]!)) continue;
      const [sh, sm] = w.start.split(":").map(Number) as [number, number];
      const [eh, em] = w.end.split(":").map(Number) as [number, number];
      const startMin = sh * 60 + sm;
      const endMin = eh * 60 + em <= startMin ? eh * 60 + em + 1440 : eh * 60 + em;
      const start = table.firstReaching(day + startMin * MINUTE);
      const end = table.firstReaching(day + endMin * MINUTE);
      if (start <= now && now < end) return true;
    }
  }
  return false;
}

function inRrule(table: WallTable, s: Extract<Schedule, { type: "rrule" }>, now: number): boolean {
  const dtstart = s.dtstart.replace(/[-:]/g, "") + "00Z";
  const rule = rrule.rrulestr(`DTSTART:${dtstart}\nRRULE:${s.rrule}`);
  const nowWall = table.wallAt(now);
  const walls = rule.between(new Date(nowWall - s.durationMinutes * MINUTE - 2 * DAY), new Date(nowWall + DAY), true);
  return walls.some((w) => {
    const start = table.firstReaching(w.getTime());
    return start <= now && now < start + s.durationMinutes * MINUTE;
  });
}

// Biased towards the small hours, where every DST change in these zones happens.
const quarter = fc.oneof(fc.integer({ min: 0, max: 95 }), fc.integer({ min: 4, max: 16 }));
const weekdays: fc.Arbitrary<Weekday[]> = fc.oneof(
  fc.uniqueArray(fc.constantFrom(...WEEKDAYS), { minLength: 1, maxLength: 7 }),
  fc.constant<Weekday[]>([...WEEKDAYS]),
);
const weeklyArb = fc.array(
  fc.record({ days: weekdays, start: quarter, end: fc.oneof(fc.integer({ min: 0, max: 96 }), fc.integer({ min: 4, max: 16 })) }).map(
    (w): WeeklyWindow => ({ days: w.days, start: hhmm(w.start * 15), end: hhmm(w.end * 15) }),
  ),
  { minLength: 1, maxLength: 2 },
);
const rruleArb = fc.record({
  freq: fc.constantFrom("DAILY", "WEEKLY"),
  interval: fc.integer({ min: 1, max: 2 }),
  byDay: fc.option(weekdays, { nil: undefined }),
  count: fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
  dayOffset: fc.integer({ min: -SPAN_DAYS - 1, max: 0 }),
  time: quarter,
  durationQuarters: fc.integer({ min: 1, max: 40 }),
});

const caseArb = fc.record({
  scenario: fc.integer({ min: 0, max: SCENARIOS.length - 1 }),
  schedule: fc.oneof(fc.constant(undefined), weeklyArb.map((w) => ({ weekly: w })), rruleArb.map((r) => ({ rrule: r }))),
  // Often a validity covering the whole span, so that the schedule decides.
  validity: fc.oneof(
    fc.record({ fromMinute: fc.integer({ min: -SPAN_DAYS * 1440, max: SPAN_DAYS * 1440 }), lengthMinutes: fc.integer({ min: 1, max: SPAN_DAYS * 1440 }) }),
    fc.constant({ fromMinute: -SPAN_DAYS * 1440, lengthMinutes: 2 * SPAN_DAYS * 1440 }),
  ),
  // Often within three hours of the DST change (nowMs is then relative to the change).
  now: fc.oneof(
    { weight: 1, arbitrary: fc.record({ nearChange: fc.constant(false), ms: fc.integer({ min: -SPAN_DAYS * DAY, max: SPAN_DAYS * DAY }) }) },
    { weight: 2, arbitrary: fc.record({ nearChange: fc.constant(true), ms: fc.integer({ min: -3 * 3_600_000, max: 3 * 3_600_000 }) }) },
  ),
  maxUses: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined, freq: 2 }),
  uses: fc.integer({ min: 0, max: 3 }),
  expiresAfter: fc.option(fc.integer({ min: 1, max: 3000 }), { nil: undefined, freq: 2 }),
  firstUseMinute: fc.integer({ min: 0, max: 3000 }),
});

describe("access/decide (property)", () => {
  it("maps every local minute around each DST change to the first instant the wall clock reaches it", function () {
    this.timeout(60_000);
    SCENARIOS.forEach(({ zone, anchor }, i) => {
      const table = tableFor(i);
      const anchorMs = Date.parse(`${anchor}T00:00:00Z`);
      for (let wall = anchorMs - 2 * DAY; wall < anchorMs + 2 * DAY; wall += MINUTE) {
        const d = new Date(wall);
        const local = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes() };
        const got = instantOf(local, zone);
        if (got !== table.firstReaching(wall)) {
          expect(new Date(got).toISOString(), `${zone} ${d.toISOString().slice(0, 16)} local`).to.equal(new Date(table.firstReaching(wall)).toISOString());
        }
      }
    });
  });

  it("allows exactly inside validity, uses and schedule (checked against an independent oracle)", function () {
    this.timeout(60_000);
    fc.assert(
      fc.property(caseArb, (c) => {
        const { zone, anchor, change } = SCENARIOS[c.scenario]!;
        const anchorMs = Date.parse(`${anchor}T00:00:00Z`);
        const table = tableFor(c.scenario);
        let schedule: Schedule | undefined;
        if (c.schedule && "weekly" in c.schedule) schedule = { type: "weekly", timeZone: zone, windows: c.schedule.weekly };
        if (c.schedule && "rrule" in c.schedule) {
          const r = c.schedule.rrule;
          const parts = [`FREQ=${r.freq}`, `INTERVAL=${r.interval}`];
          if (r.byDay) parts.push(`BYDAY=${r.byDay.join(",")}`);
          if (r.count) parts.push(`COUNT=${r.count}`);
          const date = new Date(anchorMs + r.dayOffset * DAY).toISOString().slice(0, 10);
          schedule = { type: "rrule", timeZone: zone, dtstart: `${date}T${hhmm(r.time * 15)}`, rrule: parts.join(";"), durationMinutes: r.durationQuarters * 15 };
        }
        const validFrom = anchorMs + c.validity.fromMinute * MINUTE;
        const validUntil = validFrom + c.validity.lengthMinutes * MINUTE;
        const now = (c.now.nearChange ? Date.parse(change) : anchorMs) + c.now.ms;
        const usage = c.uses > 0 ? { uses: c.uses, firstUsedAt: validFrom + c.firstUseMinute * MINUTE } : { uses: 0 };
        const credential: Credential = {
          id: CredentialId("p"), label: "property", kind: "guest", doors: [DoorId("front")], validFrom, validUntil,
          mode: "both", allowWhenPetsHome: false, requireRecording: true, createdAt: 0,
          ...(schedule ? { schedule } : {}),
          ...(c.maxUses !== undefined ? { maxUses: c.maxUses } : {}),
          ...(c.expiresAfter !== undefined ? { expiresAfterFirstUseMinutes: c.expiresAfter } : {}),
        };

        let until = validUntil;
        if (c.expiresAfter !== undefined && usage.firstUsedAt !== undefined) until = Math.min(until, usage.firstUsedAt + c.expiresAfter * MINUTE);
        const inValidity = validFrom <= now && now < until;
        const usesLeft = c.maxUses === undefined || c.uses < c.maxUses;
        const inSchedule = !schedule ? true : schedule.type === "weekly" ? inWeekly(table, schedule.windows, now) : inRrule(table, schedule, now);
        const expected = inValidity && usesLeft && inSchedule;

        const decision = decide({
          credential, usage, door: DoorId("front"), via: "remote", now,
          switches: { inHomeDeliveries: true, petsHome: false }, recording: true, lockAvailable: true, lockedOut: false, requireRecording: true,
        });
        expect(decision.outcome === "allowed", JSON.stringify({ decision, now: new Date(now).toISOString(), inValidity, usesLeft, inSchedule, credential }))
          .to.equal(expected);
      }),
      { numRuns: 1500 },
    );
  });
});
