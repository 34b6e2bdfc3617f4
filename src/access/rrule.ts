// A tested subset of RFC 5545 recurrence rules, expanded in local wall-clock time so that
// a 09:00 occurrence stays at 09:00 across DST changes (the zone is applied by schedule.ts).
//
// Supported parts: FREQ (DAILY, WEEKLY, MONTHLY, YEARLY), INTERVAL, COUNT, UNTIL, WKST,
// BYDAY (with an ordinal such as 2MO or -1FR for MONTHLY and YEARLY), BYMONTHDAY, BYMONTH.
// Anything else is refused with a problem naming the part, never silently ignored.
// Occurrences are the dates the rule generates on or after DTSTART, at DTSTART's time of day;
// a DTSTART that does not match the rule is not itself an occurrence (RFC 5545 leaves that case
// undefined; this is what python-dateutil and rrule.js do).
import type { EpochMs } from "./ids.js";
import { DAY_MS, civilFromDays, daysFromCivil, daysInMonth, isLeapYear, isValidDate, wallMsOf, weekdayOfDays } from "./civil.js";
import { WEEKDAYS } from "./credential.js";

export const RRULE_FREQUENCIES = ["DAILY", "WEEKLY", "MONTHLY", "YEARLY"] as const;
export type Frequency = (typeof RRULE_FREQUENCIES)[number];
const SUPPORTED_PARTS = ["FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST", "BYDAY", "BYMONTHDAY", "BYMONTH"] as const;

/** A BYDAY entry: weekday 0 = Monday ... 6 = Sunday, with an optional ordinal (2 = second, -1 = last). */
export interface ByDay {
  weekday: number;
  ordinal?: number;
}

/** UNTIL, inclusive: an exact instant ("...Z"), or a local wall-clock bound (wall ms) for floating or date values. */
export type Until = { kind: "utc"; instant: EpochMs } | { kind: "local"; wall: number };

export interface RecurrenceRule {
  freq: Frequency;
  interval: number;
  count?: number;
  until?: Until;
  /** Week start, 0 = Monday (the default). */
  wkst: number;
  byDay?: ByDay[];
  byMonthDay?: number[];
  byMonth?: number[];
}

/** What is wrong with one part of a rule; `part` is the RRULE part name, e.g. "BYDAY". */
export interface RruleProblem {
  part: string;
  message: string;
}

export type RruleParse = { ok: true; rule: RecurrenceRule } | { ok: false; problems: RruleProblem[] };

const BYDAY_ITEM = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/;
const UNTIL_VALUE = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$/;

function integerList(value: string, min: number, max: number, allowNegative: boolean): number[] | undefined {
  const out: number[] = [];
  for (const item of value.split(",")) {
    if (!/^[+-]?\d{1,4}$/.test(item)) return undefined;
    const n = Number(item);
    const magnitude = Math.abs(n);
    if (magnitude < min || magnitude > max || (n < 0 && !allowNegative)) return undefined;
    out.push(n);
  }
  return out;
}

/** Parses an RRULE value (an optional "RRULE:" prefix is accepted). Names are case-insensitive. */
export function parseRrule(text: string): RruleParse {
  const problems: RruleProblem[] = [];
  const parts = new Map<string, string>();
  const body = text.trim().replace(/^RRULE:/i, "").toUpperCase();
  const segments = body.split(";");
  if (segments.length > 1 && segments[segments.length - 1] === "") segments.pop(); // tolerate a trailing ";"
  for (const segment of segments) {
    const eq = segment.indexOf("=");
    const name = eq < 0 ? segment : segment.slice(0, eq);
    if (eq <= 0 || eq === segment.length - 1) {
      problems.push({ part: name || segment || "RRULE", message: `"${segment}" is not NAME=VALUE` });
      continue;
    }
    if (!(SUPPORTED_PARTS as readonly string[]).includes(name)) {
      problems.push({ part: name, message: `${name} is not supported (supported: ${SUPPORTED_PARTS.join(", ")})` });
      continue;
    }
    if (parts.has(name)) {
      problems.push({ part: name, message: `${name} appears more than once` });
      continue;
    }
    parts.set(name, segment.slice(eq + 1));
  }

  const freqText = parts.get("FREQ");
  let freq: Frequency | undefined;
  if (freqText === undefined) problems.push({ part: "FREQ", message: "FREQ is required" });
  else if ((RRULE_FREQUENCIES as readonly string[]).includes(freqText)) freq = freqText as Frequency;
  else problems.push({ part: "FREQ", message: `FREQ=${freqText} is not supported (use ${RRULE_FREQUENCIES.join(", ")})` });

  let interval = 1;
  const intervalText = parts.get("INTERVAL");
  if (intervalText !== undefined) {
    const list = /^\d{1,4}$/.test(intervalText) ? Number(intervalText) : 0;
    if (list >= 1) interval = list;
    else problems.push({ part: "INTERVAL", message: "INTERVAL must be a whole number from 1 to 9999" });
  }

  let count: number | undefined;
  const countText = parts.get("COUNT");
  if (countText !== undefined) {
    const n = /^\d{1,6}$/.test(countText) ? Number(countText) : 0;
    if (n >= 1) count = n;
    else problems.push({ part: "COUNT", message: "COUNT must be a whole number from 1 to 999999" });
  }

  let until: Until | undefined;
  const untilText = parts.get("UNTIL");
  if (untilText !== undefined) {
    const m = UNTIL_VALUE.exec(untilText);
    const [y, mo, d, h, mi, s] = m ? m.slice(1, 7).map((v) => (v === undefined ? undefined : Number(v))) : [];
    if (!m || y === undefined || mo === undefined || d === undefined || !isValidDate(y, mo, d) ||
        (h !== undefined && (h > 23 || (mi ?? 0) > 59 || (s ?? 0) > 59))) {
      problems.push({ part: "UNTIL", message: "UNTIL must be a date YYYYMMDD or a date-time YYYYMMDDTHHMMSS[Z]" });
    } else if (h === undefined) {
      // A date: inclusive of that whole local day.
      until = { kind: "local", wall: (daysFromCivil(y, mo, d) + 1) * DAY_MS - 1 };
    } else {
      const wall = wallMsOf({ year: y, month: mo, day: d, hour: h, minute: mi ?? 0, second: s ?? 0 });
      until = m[7] === "Z" ? { kind: "utc", instant: wall } : { kind: "local", wall };
    }
  }
  if (countText !== undefined && untilText !== undefined) {
    problems.push({ part: "COUNT", message: "COUNT and UNTIL cannot both be given" });
  }

  let wkst = 0;
  const wkstText = parts.get("WKST");
  if (wkstText !== undefined) {
    const index = (WEEKDAYS as readonly string[]).indexOf(wkstText);
    if (index >= 0) wkst = index;
    else problems.push({ part: "WKST", message: `WKST must be one of ${WEEKDAYS.join(", ")}` });
  }

  let byMonth: number[] | undefined;
  const byMonthText = parts.get("BYMONTH");
  if (byMonthText !== undefined) {
    byMonth = integerList(byMonthText, 1, 12, false);
    if (!byMonth) problems.push({ part: "BYMONTH", message: "BYMONTH must be a list of months 1-12" });
  }

  let byMonthDay: number[] | undefined;
  const byMonthDayText = parts.get("BYMONTHDAY");
  if (byMonthDayText !== undefined) {
    byMonthDay = integerList(byMonthDayText, 1, 31, true);
    if (!byMonthDay) problems.push({ part: "BYMONTHDAY", message: "BYMONTHDAY must be a list of days 1-31 or -31 to -1" });
    else if (freq === "WEEKLY") problems.push({ part: "BYMONTHDAY", message: "BYMONTHDAY cannot be used with FREQ=WEEKLY" });
  }

  let byDay: ByDay[] | undefined;
  const byDayText = parts.get("BYDAY");
  if (byDayText !== undefined) {
    byDay = [];
    // An ordinal counts within the month (MONTHLY, or YEARLY with BYMONTH) or within the year.
    const ordinalLimit = freq === "MONTHLY" || (freq === "YEARLY" && byMonthText !== undefined) ? 5 : 53;
    for (const item of byDayText.split(",")) {
      const m = BYDAY_ITEM.exec(item);
      if (!m) {
        problems.push({ part: "BYDAY", message: `"${item}" is not a weekday (MO..SU, optionally with an ordinal such as 2MO or -1FR)` });
        continue;
      }
      const weekday = (WEEKDAYS as readonly string[]).indexOf(m[2] as string);
      if (m[1] === undefined) {
        byDay.push({ weekday });
        continue;
      }
      const ordinal = Number(m[1]);
      if (freq === "DAILY" || freq === "WEEKLY") {
        problems.push({ part: "BYDAY", message: `an ordinal weekday ("${item}") needs FREQ=MONTHLY or FREQ=YEARLY` });
      } else if (ordinal === 0 || Math.abs(ordinal) > ordinalLimit) {
        problems.push({ part: "BYDAY", message: `the ordinal in "${item}" must be from 1 to ${ordinalLimit} or -${ordinalLimit} to -1` });
      } else {
        byDay.push({ weekday, ordinal });
      }
    }
  }

  if (problems.length > 0 || freq === undefined) return { ok: false, problems };
  const rule: RecurrenceRule = { freq, interval, wkst };
  if (count !== undefined) rule.count = count;
  if (until !== undefined) rule.until = until;
  if (byDay !== undefined) rule.byDay = byDay;
  if (byMonthDay !== undefined) rule.byMonthDay = byMonthDay;
  if (byMonth !== undefined) rule.byMonth = byMonth;
  return { ok: true, rule };
}

/** The filters actually applied, after RFC 5545's defaults taken from DTSTART. */
interface Filters {
  months?: boolean[];
  monthDays?: number[];
  plainDays?: boolean[];
  ordinalDays?: ByDay[];
  ordinalInYear: boolean;
}

function filtersFor(rule: RecurrenceRule, dtDay: number): Filters {
  const dt = civilFromDays(dtDay);
  let { byDay, byMonthDay, byMonth } = rule;
  if (rule.freq === "WEEKLY" && !byDay) byDay = [{ weekday: weekdayOfDays(dtDay) }];
  if (rule.freq === "MONTHLY" && !byDay && !byMonthDay) byMonthDay = [dt.day];
  if (rule.freq === "YEARLY" && !byDay && !byMonthDay) {
    byMonth ??= [dt.month];
    byMonthDay = [dt.day];
  }
  const filters: Filters = { ordinalInYear: rule.freq === "YEARLY" && !rule.byMonth };
  if (byMonth) {
    filters.months = new Array<boolean>(13).fill(false);
    for (const m of byMonth) filters.months[m] = true;
  }
  if (byMonthDay) filters.monthDays = byMonthDay;
  if (byDay) {
    const plain = byDay.filter((b) => b.ordinal === undefined);
    const ordinal = byDay.filter((b) => b.ordinal !== undefined);
    // A weekday listed both plainly and with an ordinal matches every such weekday.
    filters.plainDays = new Array<boolean>(7).fill(false);
    for (const b of plain) filters.plainDays[b.weekday] = true;
    if (ordinal.length > 0) filters.ordinalDays = ordinal;
  }
  return filters;
}

function dayMatches(f: Filters, days: number): boolean {
  const { year, month, day } = civilFromDays(days);
  if (f.months && !f.months[month]) return false;
  const dim = daysInMonth(year, month);
  if (f.monthDays && !f.monthDays.some((v) => (v > 0 ? v === day : dim + 1 + v === day))) return false;
  if (f.plainDays) {
    const weekday = weekdayOfDays(days);
    if (f.plainDays[weekday]) return true;
    if (!f.ordinalDays) return false;
    const pos = f.ordinalInYear ? days - daysFromCivil(year, 1, 1) + 1 : day;
    const len = f.ordinalInYear ? (isLeapYear(year) ? 366 : 365) : dim;
    const nth = Math.floor((pos - 1) / 7) + 1;
    const nthFromEnd = -(Math.floor((len - pos) / 7) + 1);
    return f.ordinalDays.some((b) => b.weekday === weekday && (b.ordinal === nth || b.ordinal === nthFromEnd));
  }
  return true;
}

/** Index of the month containing a day number, counted from year 0. */
function monthIndex(days: number): number {
  const { year, month } = civilFromDays(days);
  return year * 12 + month - 1;
}

/** First and last day number of the k-th period after the one containing DTSTART. */
function period(rule: RecurrenceRule, dtDay: number, k: number): [number, number] {
  const step = k * rule.interval;
  switch (rule.freq) {
    case "DAILY":
      return [dtDay + step, dtDay + step];
    case "WEEKLY": {
      const weekStart = dtDay - ((weekdayOfDays(dtDay) - rule.wkst + 7) % 7) + 7 * step;
      return [weekStart, weekStart + 6];
    }
    case "MONTHLY": {
      const index = monthIndex(dtDay) + step;
      const year = Math.floor(index / 12);
      const month = index - year * 12 + 1;
      const first = daysFromCivil(year, month, 1);
      return [first, first + daysInMonth(year, month) - 1];
    }
    case "YEARLY": {
      const year = civilFromDays(dtDay).year + step;
      return [daysFromCivil(year, 1, 1), daysFromCivil(year + 1, 1, 1) - 1];
    }
  }
}

/** The first period index that can contain `fromDay` (periods before it end earlier). */
function firstPeriodFor(rule: RecurrenceRule, dtDay: number, fromDay: number): number {
  let k: number;
  switch (rule.freq) {
    case "DAILY":
      k = Math.floor((fromDay - dtDay) / rule.interval);
      break;
    case "WEEKLY":
      k = Math.floor((fromDay - period(rule, dtDay, 0)[0]) / (7 * rule.interval));
      break;
    case "MONTHLY":
      k = Math.floor((monthIndex(fromDay) - monthIndex(dtDay)) / rule.interval);
      break;
    case "YEARLY":
      k = Math.floor((civilFromDays(fromDay).year - civilFromDays(dtDay).year) / rule.interval);
      break;
  }
  return Math.max(0, k);
}

/**
 * Occurrence starts (wall ms, in order) of `rule` from DTSTART `dtWall`, for the local days
 * [fromDay, toDay]. Some occurrences before fromDay may be yielded; none after toDay.
 * Without COUNT, whole periods before fromDay are skipped; with COUNT they must be counted.
 * A local UNTIL is applied here; a UTC UNTIL needs the zone and is left to the caller.
 */
export function* occurrenceWalls(rule: RecurrenceRule, dtWall: number, fromDay: number, toDay: number): Generator<number> {
  const dtDay = Math.floor(dtWall / DAY_MS);
  const timeOfDay = dtWall - dtDay * DAY_MS;
  const filters = filtersFor(rule, dtDay);
  const localUntil = rule.until?.kind === "local" ? rule.until.wall : Infinity;
  let produced = 0;
  for (let k = rule.count === undefined ? firstPeriodFor(rule, dtDay, fromDay) : 0; ; k++) {
    const [first, last] = period(rule, dtDay, k);
    if (first > toDay || first * DAY_MS > localUntil) return;
    for (let day = Math.max(first, dtDay); day <= last; day++) {
      if (!dayMatches(filters, day)) continue;
      const wall = day * DAY_MS + timeOfDay;
      if (wall > localUntil || day > toDay) return;
      yield wall;
      produced++;
      if (rule.count !== undefined && produced >= rule.count) return;
    }
  }
}
