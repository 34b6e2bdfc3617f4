// Strict parsing of CLI option values: a bad value is a UsageError naming the flag (exit 2), never a silent NaN.
import type { WeeklyWindow, Weekday } from "../access/credential.js";
import { WEEKDAYS } from "../access/credential.js";
import { UsageError } from "./io.js";

export function parseWholeNumber(flag: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`must be a whole number from ${min} to ${max}`, flag);
  }
  return Number(value);
}

/** An instant for --at/--from/--until: ISO 8601 with an offset or Z ("2026-12-01T09:00:00+01:00"). */
export function parseIsoInstant(flag: string, value: string): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(value) || Number.isNaN(Date.parse(value))) {
    throw new UsageError('must be an ISO 8601 date-time with an offset, e.g. "2026-12-01T09:00:00+01:00" or "2026-12-01T08:00:00Z"', flag);
  }
  return Date.parse(value);
}

/** `--weekly "MO,TU,FR 09:00-12:30"`: days, then a local start-end; end <= start crosses midnight. */
export function parseWeeklyWindow(value: string): WeeklyWindow {
  const m = /^\s*([A-Za-z,]+)\s+(\d{2}:\d{2})-(\d{2}:\d{2})\s*$/.exec(value);
  if (!m) throw new UsageError('must look like "MO,TU,FR 09:00-12:30"', "--weekly");
  const days = m[1]!.toUpperCase().split(",").filter(Boolean);
  const bad = days.filter((d) => !(WEEKDAYS as readonly string[]).includes(d));
  if (bad.length > 0) throw new UsageError(`unknown day ${bad.join(", ")} (use ${WEEKDAYS.join(",")})`, "--weekly");
  return { days: days as Weekday[], start: m[2]!, end: m[3]! };
}

/** Which flag sets which credential field, so validation errors name what the user typed. */
export const FLAG_FOR_FIELD: Record<string, string> = {
  label: "--label",
  kind: "--kind",
  doors: "--door",
  pin: "--pin",
  validFrom: "--from",
  validUntil: "--until",
  schedule: "--weekly/--rrule",
  maxUses: "--max-uses",
  expiresAfterFirstUseMinutes: "--expires-after-first-use",
  mode: "--mode",
  allowWhenPetsHome: "--allow-when-pets-home",
  requireRecording: "--no-require-recording",
};

export function flagForPath(path: string): string {
  const field = /^[A-Za-z]+/.exec(path)?.[0] ?? path;
  const flag = FLAG_FOR_FIELD[field];
  return flag ? `${flag} (${path})` : path;
}
