// Dates and times in the home's time zone (not the browser's): the bridge enforces schedules in that zone, so the
// console shows and takes every time there, DST included.

/** The parts of an instant as a wall clock in `timeZone`. */
export function wallClock(epochMs, timeZone) {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    weekday: "short",
  }).formatToParts(new Date(epochMs));
  const get = (type) => parts.find((p) => p.type === type)?.value ?? "";
  return {
    year: Number(get("year")),
    month: Number(get("month")),
    day: Number(get("day")),
    hour: Number(get("hour")),
    minute: Number(get("minute")),
    second: Number(get("second")),
    weekday: get("weekday"),
  };
}

/** The instant a wall-clock time in `timeZone` names (a time skipped or repeated at a DST change resolves to one nearby instant). */
export function zonedToEpoch({ year, month, day, hour = 0, minute = 0 }, timeZone) {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  const offsetAt = (t) => {
    const w = wallClock(t, timeZone);
    return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(t / 1000) * 1000;
  };
  const guess = asUtc - offsetAt(asUtc);
  const offset = offsetAt(guess);
  // Differs only within a DST change: the offset at the answer is the one that names it.
  return offset === offsetAt(asUtc) ? guess : asUtc - offset;
}

const pad = (n) => String(n).padStart(2, "0");

/** "YYYY-MM-DD" of an instant in the zone (for <input type=date>). */
export function dateInput(epochMs, timeZone) {
  const w = wallClock(epochMs, timeZone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}`;
}

/** "YYYY-MM-DDTHH:MM" of an instant in the zone (for <input type=datetime-local> and RRULE dtstart). */
export function dateTimeInput(epochMs, timeZone) {
  const w = wallClock(epochMs, timeZone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}

/** Parses "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM" as a wall clock in the zone. */
export function parseLocal(value, timeZone, defaultTime = "00:00") {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$/.exec(value ?? "");
  if (!m) return undefined;
  const [hh, mm] = m[4] !== undefined ? [m[4], m[5]] : defaultTime.split(":");
  return zonedToEpoch({ year: +m[1], month: +m[2], day: +m[3], hour: +hh, minute: +mm }, timeZone);
}

/** The start of the day after the instant's day, in the zone (a one-day code ends at midnight). */
export function endOfDay(epochMs, timeZone) {
  const w = wallClock(epochMs, timeZone);
  return zonedToEpoch({ year: w.year, month: w.month, day: w.day + 1 }, timeZone);
}

/** Adds whole calendar days in the zone (so a day across DST is still a day). */
export function addDays(epochMs, days, timeZone) {
  const w = wallClock(epochMs, timeZone);
  return zonedToEpoch({ year: w.year, month: w.month, day: w.day + days, hour: w.hour, minute: w.minute }, timeZone);
}

const DAY_INDEX = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

/** The next date (today included) that falls on weekday 0=Monday … 6=Sunday, as "YYYY-MM-DD". */
export function nextWeekday(epochMs, weekday, timeZone) {
  const w = wallClock(epochMs, timeZone);
  const ahead = (weekday - DAY_INDEX[w.weekday] + 7) % 7;
  return dateInput(addDays(epochMs, ahead, timeZone), timeZone);
}

export function formatDateTime(epochMs, timeZone) {
  if (epochMs === undefined || epochMs === null) return "—";
  return new Intl.DateTimeFormat(undefined, { timeZone, dateStyle: "medium", timeStyle: "short" }).format(new Date(epochMs));
}

export function formatTime(epochMs, timeZone) {
  if (epochMs === undefined || epochMs === null) return "—";
  return new Intl.DateTimeFormat(undefined, { timeZone, timeStyle: "medium" }).format(new Date(epochMs));
}

export function formatDate(epochMs, timeZone) {
  return new Intl.DateTimeFormat(undefined, { timeZone, weekday: "long", day: "numeric", month: "long" }).format(new Date(epochMs));
}

/** "3 min ago", "in 2 h" — relative to now. */
export function relative(epochMs, now = Date.now()) {
  const s = Math.round((epochMs - now) / 1000);
  const abs = Math.abs(s);
  const fmt = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  if (abs < 60) return fmt.format(s, "second");
  if (abs < 3600) return fmt.format(Math.round(s / 60), "minute");
  if (abs < 86400) return fmt.format(Math.round(s / 3600), "hour");
  return fmt.format(Math.round(s / 86400), "day");
}
