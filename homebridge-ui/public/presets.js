// The guest code presets and the form ⇄ credential mapping. Every time is a wall clock in the home's zone.
import { addDays, dateInput, endOfDay, nextWeekday, parseLocal } from "./time.js";

export const DAYS = [
  ["MO", "Mon", "Monday"],
  ["TU", "Tue", "Tuesday"],
  ["WE", "Wed", "Wednesday"],
  ["TH", "Thu", "Thursday"],
  ["FR", "Fri", "Friday"],
  ["SA", "Sat", "Saturday"],
  ["SU", "Sun", "Sunday"],
];

export const KINDS = [
  ["delivery", "Delivery"],
  ["cleaning", "Cleaning"],
  ["pet-care", "Pet care"],
  ["guest", "Guest"],
  ["service", "Service"],
];

/**
 * A form draft: everything the create form shows. `schedule` is "none", "weekly" (windows) or "rrule".
 * validFrom/validUntil are local dates ("YYYY-MM-DD"), the code works from the start of the first to the end of the last.
 */
export function preset(name, { now, timeZone, doors }) {
  const today = dateInput(now, timeZone);
  const base = { doors: doors.slice(0, 1), mode: "keypad", maxUses: "", allowWhenPetsHome: false, windows: [], rrule: "", dtstart: "", durationMinutes: 60 };
  switch (name) {
    case "courier":
      return { ...base, preset: name, label: "Courier", kind: "delivery", validFrom: today, validUntil: today, schedule: "none", maxUses: "1" };
    case "cleaner": {
      const tuesday = nextWeekday(now, 1, timeZone);
      return {
        ...base,
        preset: name,
        label: "Cleaner",
        kind: "cleaning",
        validFrom: today,
        validUntil: dateInput(addDays(now, 89, timeZone), timeZone),
        schedule: "rrule",
        dtstart: `${tuesday}T09:00`,
        rrule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
        durationMinutes: 180,
      };
    }
    case "dog-walker":
      return {
        ...base,
        preset: name,
        label: "Dog walker",
        kind: "pet-care",
        validFrom: today,
        validUntil: dateInput(addDays(now, 29, timeZone), timeZone),
        schedule: "weekly",
        windows: [{ days: ["MO", "TU", "WE", "TH", "FR"], start: "12:00", end: "13:00" }],
        allowWhenPetsHome: true,
      };
    default:
      return {
        ...base,
        preset: "custom",
        label: "",
        kind: "guest",
        validFrom: today,
        validUntil: dateInput(addDays(now, 6, timeZone), timeZone),
        schedule: "weekly",
        windows: [{ days: ["SA"], start: "10:00", end: "18:00" }],
      };
  }
}

/** The POST /v1/credentials body for a draft; throws a sentence naming the field when the draft cannot be sent. */
export function toCredentialInput(draft, { now, timeZone }) {
  const from = parseLocal(draft.validFrom, timeZone);
  const untilDay = parseLocal(draft.validUntil, timeZone);
  if (!draft.label.trim()) throw new FormError("label", "Give the code a name, e.g. “Cleaner”.");
  if (draft.doors.length === 0) throw new FormError("doors", "Choose at least one door.");
  if (from === undefined) throw new FormError("validFrom", "Choose the first day.");
  if (untilDay === undefined) throw new FormError("validUntil", "Choose the last day.");
  const validUntil = endOfDay(untilDay, timeZone);
  if (validUntil <= from) throw new FormError("validUntil", "The last day must not be before the first.");
  const input = {
    label: draft.label.trim(),
    kind: draft.kind,
    doors: draft.doors,
    // A code starting today works from now; one starting later from the start of its first day.
    validFrom: Math.max(from, now),
    validUntil,
    mode: draft.mode,
    allowWhenPetsHome: draft.allowWhenPetsHome,
  };
  if (draft.maxUses !== "" && draft.maxUses !== undefined) {
    const n = Number(draft.maxUses);
    if (!Number.isInteger(n) || n < 1) throw new FormError("maxUses", "Uses must be a whole number of at least 1, or empty for no limit.");
    input.maxUses = n;
  }
  if (draft.schedule === "weekly") {
    const windows = draft.windows.filter((w) => w.days.length > 0);
    if (windows.length === 0) throw new FormError("windows", "Pick at least one day in the weekly schedule.");
    input.schedule = { type: "weekly", timeZone, windows: windows.map((w) => ({ days: [...w.days], start: w.start, end: w.end })) };
  } else if (draft.schedule === "rrule") {
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(draft.dtstart)) throw new FormError("dtstart", "Choose when the first visit starts.");
    if (!draft.rrule.trim()) throw new FormError("rrule", "Write the repetition rule, e.g. FREQ=WEEKLY;BYDAY=TU.");
    const minutes = Number(draft.durationMinutes);
    if (!Number.isInteger(minutes) || minutes < 1) throw new FormError("durationMinutes", "The visit length must be whole minutes.");
    input.schedule = { type: "rrule", timeZone, dtstart: draft.dtstart, rrule: draft.rrule.trim().replace(/^RRULE:/i, ""), durationMinutes: minutes };
  }
  return input;
}

export class FormError extends Error {
  constructor(field, message) {
    super(message);
    this.field = field;
  }
}

/** A sentence for when a credential works, for the guest's message and the list. */
export function describeSchedule(credential) {
  const s = credential.schedule;
  if (!s) return "any time";
  if (s.type === "weekly") {
    return s.windows
      .map((w) => `${w.days.map((d) => DAYS.find(([k]) => k === d)?.[1] ?? d).join(", ")} ${w.start}–${w.end}`)
      .join("; ");
  }
  const start = s.dtstart.slice(11, 16);
  const [hh, mm] = start.split(":").map(Number);
  const endMin = hh * 60 + mm + s.durationMinutes;
  const hours = s.durationMinutes < 1440 ? `${start}–${String(Math.floor(endMin / 60) % 24).padStart(2, "0")}:${String(endMin % 60).padStart(2, "0")}` : `${start} for ${Math.round(s.durationMinutes / 60)} h`;
  return `${describeRrule(s.rrule, s.dtstart)} ${hours}`;
}

function describeRrule(rrule, dtstart) {
  const parts = Object.fromEntries(rrule.split(";").map((p) => p.split("=")));
  const days = (parts.BYDAY ?? "").split(",").filter(Boolean).map((d) => DAYS.find(([k]) => k === d.slice(-2))?.[2] ?? d);
  const interval = Number(parts.INTERVAL ?? 1);
  if (parts.FREQ === "WEEKLY") {
    const every = interval === 2 ? "every other" : interval > 2 ? `every ${interval}th` : "every";
    return `${every} ${days.join(", ") || "week"}`;
  }
  if (parts.FREQ === "DAILY") return interval > 1 ? `every ${interval} days` : "every day";
  if (parts.FREQ === "MONTHLY") return "monthly";
  return `repeating (${rrule}) from ${dtstart.slice(0, 10)}`;
}
