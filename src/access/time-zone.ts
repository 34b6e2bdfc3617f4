// Local wall clock <-> instant for IANA time zones, using only Intl.DateTimeFormat.
//
// DST rules (the same everywhere in Doorstep):
// - A local time that does not exist (inside a spring-forward gap) maps to the first
//   instant after the gap, i.e. the moment the clock jumps: a window set to start at
//   02:30 on a day the clock goes 02:00 -> 03:00 starts at 03:00.
// - A local time that occurs twice (fall-back) maps to its first occurrence.
// Both follow from one principle: a local time T maps to the first instant at which
// the wall clock reads T or later.
import type { EpochMs } from "./ids.js";
import {
  DAY_MS, type LocalDateTime, formatLocalDateTime, localFromWallMs, wallMsOf, weekdayOfDays,
} from "./civil.js";

/** A time zone name that Intl does not know (or that is not an IANA zone name). */
export class UnknownTimeZoneError extends RangeError {
  constructor(readonly zone: string) {
    super(`Unknown time zone "${zone}": expected an IANA zone name such as "Europe/Berlin"`);
    this.name = "UnknownTimeZoneError";
  }
}

/** A wall-clock reading in a zone, with the ISO weekday (0 = Monday ... 6 = Sunday) and the day number. */
export interface WallClock extends Required<LocalDateTime> {
  weekday: number;
  /** Days since 1970-01-01 of the local date. */
  days: number;
}

const HOUR = 3_600_000;
/** Bounded so that a long-running bridge does not grow without limit. */
const MAX_CACHED_HOURS = 100_000;

interface Zone {
  name: string;
  /** The canonical spelling; resolvedOptions() is slow enough to matter, so it is read once. */
  canonical: string;
  format: Intl.DateTimeFormat;
  /** UTC hour bucket -> offset (ms) valid for the whole hour, or null when a transition falls inside it. */
  hours: Map<number, number | null>;
}

const zones = new Map<string, Zone>();

function zone(name: string): Zone {
  const cached = zones.get(name);
  if (cached) return cached;
  // Fixed offsets such as "+01:00" are accepted by Intl but ignore DST: not IANA zones, refused.
  if (typeof name !== "string" || name === "" || /^[+-]/.test(name)) throw new UnknownTimeZoneError(String(name));
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: name, hourCycle: "h23", era: "short",
      year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric",
    });
  } catch {
    throw new UnknownTimeZoneError(name);
  }
  const created: Zone = { name, canonical: format.resolvedOptions().timeZone, format, hours: new Map() };
  zones.set(name, created);
  return created;
}

/** The canonical spelling of a zone name ("europe/berlin" -> "Europe/Berlin"); throws UnknownTimeZoneError. */
export function canonicalTimeZone(name: string): string {
  return zone(name).canonical;
}

/** True when `name` is a zone Doorstep can use. */
export function isValidTimeZone(name: string): boolean {
  try {
    zone(name);
    return true;
  } catch {
    return false;
  }
}

/** Throws UnknownTimeZoneError unless `name` is usable. */
export function assertTimeZone(name: string): void {
  zone(name);
}

/** The zone's UTC offset at a whole second, straight from Intl. */
function exactOffset(z: Zone, second: number): number {
  const instant = second * 1000;
  let year = 0, month = 0, day = 0, hour = 0, minute = 0, sec = 0, bc = false;
  for (const part of z.format.formatToParts(instant)) {
    switch (part.type) {
      case "year": year = Number(part.value); break;
      case "month": month = Number(part.value); break;
      case "day": day = Number(part.value); break;
      case "hour": hour = Number(part.value) % 24; break;
      case "minute": minute = Number(part.value); break;
      case "second": sec = Number(part.value); break;
      case "era": bc = part.value.startsWith("B"); break;
    }
  }
  if (bc) year = 1 - year;
  return wallMsOf({ year, month, day, hour, minute, second: sec }) - instant;
}

/**
 * UTC offset (ms, east positive) of `zone` at `instant`. Cached per UTC hour: an hour whose
 * two ends agree has no transition inside it (tzdb never has two transitions within an hour);
 * hours with a transition are answered exactly.
 */
export function utcOffsetMs(instant: EpochMs, zoneName: string): number {
  const z = zone(zoneName);
  const bucket = Math.floor(instant / HOUR);
  let known = z.hours.get(bucket);
  if (known === undefined) {
    const first = exactOffset(z, bucket * 3600);
    const last = exactOffset(z, bucket * 3600 + 3599);
    known = first === last ? first : null;
    if (z.hours.size >= MAX_CACHED_HOURS) z.hours.clear();
    z.hours.set(bucket, known);
  }
  return known ?? exactOffset(z, Math.floor(instant / 1000));
}

/** The wall clock in `zone` at `instant`. */
export function wallClockAt(instant: EpochMs, zoneName: string): WallClock {
  const wall = instant + utcOffsetMs(instant, zoneName);
  const local = localFromWallMs(wall);
  const days = Math.floor(wall / DAY_MS);
  return { ...local, weekday: weekdayOfDays(days), days };
}

/**
 * The instant at which the wall clock in `zone` first reads `wall` (wall ms) or later:
 * gap -> the end of the gap, repeated hour -> the first occurrence (see the header).
 */
export function instantOfWallMs(wall: number, zoneName: string): EpochMs {
  // Offsets lie within [-14 h, +14 h], so every instant showing `wall` lies within a day of it;
  // tzdb never has two transitions within two days, so two offsets cover all candidates.
  const before = utcOffsetMs(wall - DAY_MS, zoneName);
  const after = utcOffsetMs(wall + DAY_MS, zoneName);
  if (before === after) return wall - before;
  const early = wall - before;
  const late = wall - after;
  const earlyOk = utcOffsetMs(early, zoneName) === before;
  const lateOk = utcOffsetMs(late, zoneName) === after;
  if (earlyOk && lateOk) return Math.min(early, late);
  if (earlyOk) return early;
  if (lateOk) return late;
  // In the gap: the transition lies in (late, early]; find its second by bisection.
  let lo = Math.floor(late / 1000);
  let hi = Math.ceil(early / 1000);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (utcOffsetMs(mid * 1000, zoneName) === after) hi = mid;
    else lo = mid;
  }
  return hi * 1000;
}

/** The instant of a local date-time in `zone`, by the DST rules in the header. */
export function instantOf(local: LocalDateTime, zoneName: string): EpochMs {
  return instantOfWallMs(wallMsOf(local), zoneName);
}

const WEEKDAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;

/** "Tue 2026-12-01 09:00 Europe/Berlin": for messages to people. */
export function formatInstant(instant: EpochMs, zoneName: string): string {
  const wall = wallClockAt(instant, zoneName);
  return `${WEEKDAY_NAMES[wall.weekday]} ${formatLocalDateTime(wall)} ${zoneName}`;
}

