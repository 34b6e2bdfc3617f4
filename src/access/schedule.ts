// When a schedule lets a credential work: weekly wall-clock windows or an RRULE plus a
// duration, both in an IANA zone. Windows are half-open [start, end).
//
// - Weekly windows are wall-clock on both ends: "09:00-17:00" is 09:00-17:00 local every
//   chosen day, whatever the UTC offset; `end <= start` crosses midnight into the next day
//   (so "22:00-06:00" on FR runs Friday 22:00 to Saturday 06:00, and "00:00-00:00" is a whole day).
// - RRULE occurrences start at DTSTART's local time on each generated date; the duration is
//   elapsed time (as RFC 5545 durations in hours/minutes are), so an 8-hour window that
//   spans a DST change still lasts 8 hours.
// - Local times map to instants by the rules in time-zone.ts (gap -> when the clock jumps,
//   repeated hour -> first occurrence). A weekly window that lies wholly inside a
//   spring-forward gap therefore has no length that day and does not occur.
import type { Interval, Schedule, WeeklyWindow } from "./credential.js";
import { WEEKDAYS } from "./credential.js";
import type { EpochMs } from "./ids.js";
import { DAY_MS, HOUR_MS, MINUTE_MS, parseLocalDateTime, parseTimeOfDay, wallMsOf, weekdayOfDays } from "./civil.js";
import { type RecurrenceRule, occurrenceWalls, parseRrule } from "./rrule.js";
import { canonicalTimeZone, instantOfWallMs, isValidTimeZone } from "./time-zone.js";

/** A problem in a schedule; `path` is relative to the schedule object, e.g. "windows[0].end". */
export interface ScheduleProblem {
  path: string;
  message: string;
}

/** Thrown when an invalid schedule reaches evaluation (validation should have refused it). */
export class ScheduleError extends Error {
  constructor(readonly problems: ScheduleProblem[]) {
    super(`Invalid schedule: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
    this.name = "ScheduleError";
  }
}

/** The longest RRULE occurrence (one week); longer would make every rule always-on. */
export const MAX_DURATION_MINUTES = 7 * 24 * 60;
/** Offsets lie within [-12 h, +14 h]: a margin that covers any wall/instant difference. */
const OFFSET_MARGIN = 14 * HOUR_MS;

type Compiled =
  | { type: "weekly"; zone: string; windows: { days: boolean[]; start: number; end: number }[] }
  | { type: "rrule"; zone: string; rule: RecurrenceRule; dtWall: number; durationMs: number };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function unknownKeys(value: Record<string, unknown>, allowed: readonly string[], prefix: string, problems: ScheduleProblem[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) problems.push({ path: `${prefix}${key}`, message: `unknown field "${key}"` });
  }
}

function checkWindow(value: unknown, path: string, problems: ScheduleProblem[]): WeeklyWindow | undefined {
  if (!isRecord(value)) {
    problems.push({ path, message: 'must be an object {days, start, end}' });
    return undefined;
  }
  unknownKeys(value, ["days", "start", "end"], `${path}.`, problems);
  const before = problems.length;
  const { days, start, end } = value;
  if (!Array.isArray(days) || days.length === 0) {
    problems.push({ path: `${path}.days`, message: `must be a non-empty list of weekdays (${WEEKDAYS.join(", ")})` });
  } else {
    days.forEach((d, i) => {
      if (typeof d !== "string" || !(WEEKDAYS as readonly string[]).includes(d)) {
        problems.push({ path: `${path}.days[${i}]`, message: `must be one of ${WEEKDAYS.join(", ")}` });
      } else if (days.indexOf(d) !== i) {
        problems.push({ path: `${path}.days[${i}]`, message: `${d} is listed twice` });
      }
    });
  }
  if (typeof start !== "string" || parseTimeOfDay(start) === undefined) {
    problems.push({ path: `${path}.start`, message: 'must be a time "HH:MM" from 00:00 to 23:59' });
  }
  if (typeof end !== "string" || parseTimeOfDay(end, true) === undefined) {
    problems.push({ path: `${path}.end`, message: 'must be a time "HH:MM" from 00:00 to 24:00 (end <= start crosses midnight)' });
  }
  if (problems.length > before) return undefined;
  return { days: days as WeeklyWindow["days"], start: start as string, end: end as string };
}

/**
 * Validates a schedule as received (any shape) and returns it with its zone name canonical,
 * or every problem found. It does not check that the schedule occurs within a validity window.
 */
export function checkSchedule(value: unknown): { ok: true; value: Schedule } | { ok: false; problems: ScheduleProblem[] } {
  const problems: ScheduleProblem[] = [];
  if (!isRecord(value)) return { ok: false, problems: [{ path: "", message: 'must be an object with type "weekly" or "rrule"' }] };
  let timeZone = "";
  if (typeof value.timeZone !== "string" || !isValidTimeZone(value.timeZone)) {
    problems.push({ path: "timeZone", message: `unknown time zone ${JSON.stringify(value.timeZone)}: expected an IANA name such as "Europe/Berlin"` });
  } else {
    timeZone = canonicalTimeZone(value.timeZone);
  }
  if (value.type === "weekly") {
    unknownKeys(value, ["type", "timeZone", "windows"], "", problems);
    const windows: WeeklyWindow[] = [];
    if (!Array.isArray(value.windows) || value.windows.length === 0) {
      problems.push({ path: "windows", message: "must be a non-empty list of {days, start, end}" });
    } else {
      value.windows.forEach((w, i) => {
        const checked = checkWindow(w, `windows[${i}]`, problems);
        if (checked) windows.push(checked);
      });
    }
    return problems.length > 0 ? { ok: false, problems } : { ok: true, value: { type: "weekly", timeZone, windows } };
  }
  if (value.type === "rrule") {
    unknownKeys(value, ["type", "timeZone", "dtstart", "rrule", "durationMinutes"], "", problems);
    const { dtstart, rrule, durationMinutes } = value;
    if (typeof dtstart !== "string" || !parseLocalDateTime(dtstart)) {
      problems.push({ path: "dtstart", message: 'must be a local date-time "YYYY-MM-DDTHH:MM" (a real date, no offset)' });
    }
    if (typeof rrule !== "string" || rrule.trim() === "") {
      problems.push({ path: "rrule", message: 'must be an RRULE such as "FREQ=WEEKLY;BYDAY=MO,WE"' });
    } else {
      const parsed = parseRrule(rrule);
      if (!parsed.ok) {
        for (const p of parsed.problems) {
          problems.push({ path: "rrule", message: p.message.startsWith(p.part) ? p.message : `${p.part}: ${p.message}` });
        }
      }
    }
    if (typeof durationMinutes !== "number" || !Number.isInteger(durationMinutes) || durationMinutes < 1 || durationMinutes > MAX_DURATION_MINUTES) {
      problems.push({ path: "durationMinutes", message: `must be a whole number of minutes from 1 to ${MAX_DURATION_MINUTES}` });
    }
    if (problems.length > 0) return { ok: false, problems };
    return {
      ok: true,
      value: { type: "rrule", timeZone, dtstart: dtstart as string, rrule: (rrule as string).trim().replace(/^RRULE:/i, ""), durationMinutes: durationMinutes as number },
    };
  }
  problems.push({ path: "type", message: 'must be "weekly" or "rrule"' });
  return { ok: false, problems };
}

// Schedules are treated as immutable values. Compiled forms are cached per object, and by
// content for callers (such as a store) that hand out a fresh object for every read.
const compiledByObject = new WeakMap<Schedule, Compiled>();
const compiledByContent = new Map<string, Compiled>();
const MAX_CACHED_SCHEDULES = 50_000;

function compile(schedule: Schedule): Compiled {
  const cached = compiledByObject.get(schedule);
  if (cached) return cached;
  const key = JSON.stringify(schedule);
  let compiled = compiledByContent.get(key);
  if (!compiled) {
    compiled = compileFresh(schedule);
    if (compiledByContent.size >= MAX_CACHED_SCHEDULES) compiledByContent.clear();
    compiledByContent.set(key, compiled);
  }
  compiledByObject.set(schedule, compiled);
  return compiled;
}

function compileFresh(schedule: Schedule): Compiled {
  const checked = checkSchedule(schedule);
  if (!checked.ok) throw new ScheduleError(checked.problems);
  const s = checked.value;
  if (s.type === "weekly") {
    return {
      type: "weekly",
      zone: s.timeZone,
      windows: s.windows.map((w) => {
        const start = parseTimeOfDay(w.start) as number;
        let end = parseTimeOfDay(w.end, true) as number;
        if (end <= start) end += 24 * 60;
        const days = new Array<boolean>(7).fill(false);
        for (const d of w.days) days[WEEKDAYS.indexOf(d)] = true;
        return { days, start, end };
      }),
    };
  }
  const parsed = parseRrule(s.rrule);
  if (!parsed.ok) throw new ScheduleError(parsed.problems.map((p) => ({ path: "rrule", message: p.message })));
  return {
    type: "rrule",
    zone: s.timeZone,
    rule: parsed.rule,
    dtWall: wallMsOf(parseLocalDateTime(s.dtstart)!),
    durationMs: s.durationMinutes * MINUTE_MS,
  };
}

/**
 * The schedule's windows that intersect [from, to), sorted by start, not clipped to the range
 * (a window that began before `from` keeps its real start). Windows may overlap.
 * Throws ScheduleError for an invalid schedule.
 */
export function scheduleWindows(schedule: Schedule, from: EpochMs, to: EpochMs): Interval[] {
  if (!(to > from)) return [];
  const c = compile(schedule);
  const out: Interval[] = [];
  if (c.type === "weekly") {
    // One extra day before: a window from the previous evening may run past midnight.
    const firstDay = Math.floor((from - OFFSET_MARGIN) / DAY_MS) - 1;
    const lastDay = Math.floor((to + OFFSET_MARGIN) / DAY_MS);
    for (let day = firstDay; day <= lastDay; day++) {
      const weekday = weekdayOfDays(day);
      for (const w of c.windows) {
        if (!w.days[weekday]) continue;
        const start = instantOfWallMs(day * DAY_MS + w.start * MINUTE_MS, c.zone);
        if (start >= to) continue;
        const end = instantOfWallMs(day * DAY_MS + w.end * MINUTE_MS, c.zone);
        if (end > from && end > start) out.push({ start, end });
      }
    }
    if (c.windows.length > 1) out.sort((a, b) => a.start - b.start);
    return out;
  }
  const earliestWall = from - OFFSET_MARGIN - c.durationMs;
  const firstDay = Math.floor(earliestWall / DAY_MS);
  const lastDay = Math.floor((to + OFFSET_MARGIN) / DAY_MS);
  const until = c.rule.until?.kind === "utc" ? c.rule.until.instant : Infinity;
  for (const wall of occurrenceWalls(c.rule, c.dtWall, firstDay, lastDay)) {
    if (wall < earliestWall) continue; // cannot reach `from`; skipped without a zone lookup
    const start = instantOfWallMs(wall, c.zone);
    if (start > until || start >= to) break;
    const end = start + c.durationMs;
    if (end > from) out.push({ start, end });
  }
  return out;
}

/** True when `at` lies inside one of the schedule's windows. */
export function isWithinSchedule(schedule: Schedule, at: EpochMs): boolean {
  for (const w of scheduleWindows(schedule, at, at + 1)) {
    if (w.start <= at && at < w.end) return true;
  }
  return false;
}
