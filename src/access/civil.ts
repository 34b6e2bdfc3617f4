// Proleptic Gregorian calendar arithmetic on plain numbers, independent of any time zone.
// A "day number" counts days since 1970-01-01; a "wall ms" is a local wall-clock reading
// encoded as if it were UTC (day number * 86_400_000 + time of day), so that local
// date-times can be compared and stepped without touching the host's time zone.

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** A calendar date; `month` is 1-12. */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/** A local wall-clock reading (no zone attached); `second` defaults to 0. */
export interface LocalDateTime extends LocalDate {
  hour: number;
  minute: number;
  second?: number;
}

/** Days since 1970-01-01 for a civil date (H. Hinnant's algorithm; valid for any year). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The civil date of a day number. */
export function civilFromDays(days: number): LocalDate {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** ISO weekday index of a day number: 0 = Monday ... 6 = Sunday (the order of WEEKDAYS). */
export function weekdayOfDays(days: number): number {
  // 1970-01-01 was a Thursday (index 3).
  return (((days + 3) % 7) + 7) % 7;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export function isValidDate(year: number, month: number, day: number): boolean {
  return (
    Number.isInteger(year) && Number.isInteger(month) && Number.isInteger(day) &&
    month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
  );
}

/** Encodes a local date-time as wall ms. */
export function wallMsOf(t: LocalDateTime): number {
  return daysFromCivil(t.year, t.month, t.day) * DAY_MS + t.hour * HOUR_MS + t.minute * MINUTE_MS + (t.second ?? 0) * 1000;
}

/** Decodes wall ms (milliseconds are dropped). */
export function localFromWallMs(wall: number): Required<LocalDateTime> {
  const days = Math.floor(wall / DAY_MS);
  const rest = wall - days * DAY_MS;
  const { year, month, day } = civilFromDays(days);
  return {
    year, month, day,
    hour: Math.floor(rest / HOUR_MS),
    minute: Math.floor((rest % HOUR_MS) / MINUTE_MS),
    second: Math.floor((rest % MINUTE_MS) / 1000),
  };
}

const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after midnight for "HH:MM" (00:00-23:59), or undefined when malformed. "24:00" only when `allowEndOfDay`. */
export function parseTimeOfDay(text: string, allowEndOfDay = false): number | undefined {
  if (allowEndOfDay && text === "24:00") return 24 * 60;
  const m = TIME_OF_DAY.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

/** Parses local "YYYY-MM-DDTHH:MM", rejecting impossible dates such as 2027-02-29. */
export function parseLocalDateTime(text: string): LocalDateTime | undefined {
  const m = LOCAL_DATE_TIME.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  return isValidDate(year, month, day) ? { year, month, day, hour, minute } : undefined;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

/** "YYYY-MM-DD HH:MM" for a local date-time. */
export function formatLocalDateTime(t: LocalDateTime): string {
  return `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)} ${pad(t.hour)}:${pad(t.minute)}`;
}
