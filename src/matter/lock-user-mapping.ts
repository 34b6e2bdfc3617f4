// The mapping between a Matter lock user (user record, PIN, schedules) and a Doorstep guest credential, both ways.
// Pure: no matter.js state, no I/O, time and zone passed in. Matter's schedule times are *local* wall-clock time of the
// configured zone; matter.js hands epoch-s fields over as UNIX seconds, so a year-day time t means "the wall clock in
// the zone reads the UTC fields of t".
import { createHash } from "node:crypto";
import type { Credential, Weekday, WeeklyWindow } from "../access/credential.js";
import type { EpochMs } from "../access/ids.js";
import { instantOfWallMs, utcOffsetMs } from "../access/time-zone.js";

/** Matter DoorLock UserType (spec 5.2.6.x), the values this bridge interprets. */
export const UserType = {
  Unrestricted: 0,
  YearDaySchedule: 1,
  WeekDaySchedule: 2,
  Programming: 3,
  NonAccess: 4,
  Forced: 5,
  Disposable: 6,
  Expiring: 7,
  ScheduleRestricted: 8,
  RemoteOnly: 9,
} as const;

/** Matter DoorLock UserStatus. */
export const UserStatus = { Available: 0, OccupiedEnabled: 1, OccupiedDisabled: 3 } as const;

/** Days as Matter's DaysMaskBitmap names them, in bit order (bit 0 = Sunday). */
export const MATTER_DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"] as const;
export type MatterDay = (typeof MATTER_DAYS)[number];
export type DaysMask = Partial<Record<MatterDay, boolean>>;
const RRULE_DAY: Record<MatterDay, Weekday> = { sunday: "SU", monday: "MO", tuesday: "TU", wednesday: "WE", thursday: "TH", friday: "FR", saturday: "SA" };

export interface MatterYearDay {
  /** UNIX-seconds encoding of local wall-clock time (see the header). */
  localStartTime: number;
  localEndTime: number;
}

export interface MatterWeekDay {
  daysMask: DaysMask;
  startHour: number;
  startMinute: number;
  endHour: number;
  endMinute: number;
}

/** A Matter user as the mapping needs it. */
export interface MatterUserView {
  userIndex: number;
  userName: string;
  userStatus: number;
  userType: number;
  /** The PIN as digits, when the user has one. */
  pin?: string;
  yearDay: readonly MatterYearDay[];
  weekDay: readonly MatterWeekDay[];
}

export interface MappingContext {
  doorId: string;
  timeZone: string;
  now: EpochMs;
  /** The configured longest credential span (days): also the end of a Matter user without a year-day schedule. */
  maxCredentialDays: number;
  /** Matter ExpiringUserTimeout (minutes): how long an ExpiringUser's code lasts after its first use. */
  expiringUserTimeoutMinutes: number;
}

/** The credential request a Matter user stands for, or why it gives no access at all (no credential is kept). */
export type Projection = { kind: "credential"; input: CredentialRequest } | { kind: "no-access"; why: string };

/** The subset of the credential input (see access/credential-input.ts) that a Matter user determines. */
export interface CredentialRequest {
  label: string;
  kind: "guest";
  doors: string[];
  pin: string;
  validFrom: EpochMs;
  validUntil: EpochMs;
  schedule?: { type: "weekly"; timeZone: string; windows: WeeklyWindow[] };
  maxUses?: number;
  expiresAfterFirstUseMinutes?: number;
  mode: "keypad" | "remote" | "both";
}

/** Local wall-clock seconds (UNIX-encoded, see the header) → the instant in `zone`. */
export function localSecondsToInstant(seconds: number, timeZone: string): EpochMs {
  return instantOfWallMs(seconds * 1000, timeZone);
}

/** An instant → local wall-clock seconds in `zone` (UNIX-encoded), rounded down. */
export function instantToLocalSeconds(instant: EpochMs, timeZone: string): number {
  return Math.floor((instant + utcOffsetMs(instant, timeZone)) / 1000);
}

const two = (n: number) => String(n).padStart(2, "0");

/** Matter week-day schedule → a weekly window of the access core ("HH:MM" local). */
export function weekDayToWindow(s: MatterWeekDay): WeeklyWindow {
  return {
    days: MATTER_DAYS.filter((d) => s.daysMask[d]).map((d) => RRULE_DAY[d]),
    start: `${two(s.startHour)}:${two(s.startMinute)}`,
    end: `${two(s.endHour)}:${two(s.endMinute)}`,
  };
}

/**
 * What a Matter user gives access to. Fail closed: a user that is disabled, has no PIN, is a schedule user without a
 * schedule, or is a programming/non-access user gives none. Several year-day schedules are not offered
 * (numberOfYearDaySchedulesSupportedPerUser = 1), so one interval bounds the credential exactly.
 */
export function projectUser(user: MatterUserView, ctx: MappingContext): Projection {
  if (user.pin === undefined) return { kind: "no-access", why: "has no PIN" };
  if (user.userStatus !== UserStatus.OccupiedEnabled) return { kind: "no-access", why: "is disabled" };
  if (user.userType === UserType.Programming || user.userType === UserType.NonAccess) return { kind: "no-access", why: "is not an access user" };
  const needsYearDay = user.userType === UserType.YearDaySchedule;
  const needsWeekDay = user.userType === UserType.WeekDaySchedule;
  if (needsYearDay && user.yearDay.length === 0) return { kind: "no-access", why: "is a year-day schedule user without a year-day schedule" };
  if (needsWeekDay && user.weekDay.length === 0) return { kind: "no-access", why: "is a week-day schedule user without a week-day schedule" };
  if (user.userType === UserType.ScheduleRestricted && user.yearDay.length === 0 && user.weekDay.length === 0) {
    return { kind: "no-access", why: "is a schedule-restricted user without a schedule" };
  }

  const span = ctx.maxCredentialDays * 86_400_000;
  let validFrom = ctx.now;
  let validUntil = ctx.now + span;
  const yearDay = user.yearDay[0];
  if (yearDay) {
    const start = localSecondsToInstant(yearDay.localStartTime, ctx.timeZone);
    const end = localSecondsToInstant(yearDay.localEndTime, ctx.timeZone);
    if (end <= ctx.now) return { kind: "no-access", why: "has a year-day schedule that is over" };
    // A window that began in the past counts from now, so a long-running schedule stays within the maximum span.
    validFrom = Math.max(start, ctx.now) as EpochMs;
    validUntil = end;
  }
  const request: CredentialRequest = {
    label: user.userName.trim() || `Matter user ${user.userIndex}`,
    kind: "guest",
    doors: [ctx.doorId],
    pin: user.pin,
    validFrom,
    validUntil,
    mode: user.userType === UserType.RemoteOnly ? "remote" : "both",
  };
  if (user.weekDay.length > 0) request.schedule = { type: "weekly", timeZone: ctx.timeZone, windows: user.weekDay.map(weekDayToWindow) };
  if (user.userType === UserType.Disposable) request.maxUses = 1;
  if (user.userType === UserType.Expiring) request.expiresAfterFirstUseMinutes = ctx.expiringUserTimeoutMinutes;
  return { kind: "credential", input: request };
}

/** How a credential made through the API or CLI shows as a Matter user. */
export interface MirroredUser {
  userName: string;
  userType: number;
  userStatus: number;
  yearDay: MatterYearDay;
  weekDay: MatterWeekDay[];
}

/** Matter's UserName is at most 10 characters (spec 5.2.10.32). */
export const MAX_USER_NAME = 10;

/**
 * A stored credential as a Matter user. Its validity becomes the year-day schedule and its weekly windows the week-day
 * schedules (a window across midnight is split in two; windows beyond `maxWeekDay` and RRULE schedules cannot be
 * shown and are left out — the bridge still enforces them).
 */
export function mirrorCredential(credential: Credential, live: boolean, timeZone: string, maxWeekDay: number): MirroredUser {
  const weekDay: MatterWeekDay[] = [];
  if (credential.schedule?.type === "weekly") {
    for (const w of credential.schedule.windows) {
      const [sh, sm] = w.start.split(":").map(Number) as [number, number];
      const [eh, em] = w.end.split(":").map(Number) as [number, number];
      const mask: DaysMask = {};
      for (const d of MATTER_DAYS) if (w.days.includes(RRULE_DAY[d])) mask[d] = true;
      if (eh * 60 + em > sh * 60 + sm && eh < 24) {
        weekDay.push({ daysMask: mask, startHour: sh, startMinute: sm, endHour: eh, endMinute: em });
      } else {
        weekDay.push({ daysMask: mask, startHour: sh, startMinute: sm, endHour: 23, endMinute: 59 });
        if (eh * 60 + em > 0 && eh < 24) {
          const next: DaysMask = {};
          MATTER_DAYS.forEach((d, i) => {
            if (mask[d]) next[MATTER_DAYS[(i + 1) % 7]!] = true;
          });
          weekDay.push({ daysMask: next, startHour: 0, startMinute: 0, endHour: eh, endMinute: em });
        }
      }
    }
  }
  const userType =
    credential.mode === "remote"
      ? UserType.RemoteOnly
      : credential.maxUses === 1
        ? UserType.Disposable
        : credential.expiresAfterFirstUseMinutes !== undefined
          ? UserType.Expiring
          : weekDay.length > 0
            ? UserType.ScheduleRestricted
            : UserType.YearDaySchedule;
  return {
    userName: credential.label.slice(0, MAX_USER_NAME),
    userType,
    userStatus: live ? UserStatus.OccupiedEnabled : UserStatus.OccupiedDisabled,
    yearDay: {
      localStartTime: instantToLocalSeconds(credential.validFrom, timeZone),
      localEndTime: instantToLocalSeconds(credential.validUntil, timeZone),
    },
    weekDay: weekDay.slice(0, maxWeekDay),
  };
}

/** ASCII digits of a PIN credential, or undefined when it is not 4–8 digits (a mirrored user's placeholder is not). */
export function pinText(bytes: Uint8Array): string | undefined {
  if (bytes.length < 4 || bytes.length > 8) return undefined;
  for (const b of bytes) if (b < 0x30 || b > 0x39) return undefined;
  return String.fromCharCode(...bytes);
}

/** A credential's terms as a credential input, its PIN left out (amend keeps it): how a failed edit is put back. */
export function termsInput(c: Credential): Record<string, unknown> {
  return {
    label: c.label,
    kind: c.kind,
    doors: c.doors,
    validFrom: c.validFrom,
    validUntil: c.validUntil,
    mode: c.mode,
    allowWhenPetsHome: c.allowWhenPetsHome,
    requireRecording: c.requireRecording,
    ...(c.schedule && { schedule: c.schedule }),
    ...(c.maxUses !== undefined && { maxUses: c.maxUses }),
    ...(c.expiresAfterFirstUseMinutes !== undefined && { expiresAfterFirstUseMinutes: c.expiresAfterFirstUseMinutes }),
  };
}

/** A digest of the Matter view, the PIN only hashed: equal views need no new credential. */
export function viewFingerprint(view: MatterUserView): string {
  return createHash("sha256").update(JSON.stringify({ ...view, pin: view.pin ?? null })).digest("base64url");
}

/** The state of a credential the mapping needs to decide what to do with it. */
export interface CredentialState {
  id: string;
  revokedAt?: EpochMs;
  /** Can still be used (not expired, not spent). */
  live: boolean;
}

/**
 * How a changed Matter user reaches its credential. `amend`: the PIN of a live code is kept, so the code changes in
 * place (and a failed edit puts its terms back: the guest never loses the code they hold). `create`: a new credential,
 * the old one revoked first when it holds the same PIN (two codes cannot share one), or after the new one is on the
 * keypad when the PIN changed (the old code works until the new one does).
 */
export type EditPlan<C extends CredentialState> =
  | { kind: "amend"; old: C }
  | { kind: "create"; revokeOld: "before" | "after"; old: C }
  | { kind: "create"; revokeOld: "no" };

export function editPlan<C extends CredentialState>(old: C | undefined, samePin: boolean): EditPlan<C> {
  if (!old || old.revokedAt !== undefined) return { kind: "create", revokeOld: "no" };
  if (samePin) return old.live ? { kind: "amend", old } : { kind: "create", revokeOld: "before", old };
  return { kind: "create", revokeOld: "after", old };
}

/** Which credential a Matter user stands for: made in Matter ("matter") or mirrored from the store ("store"). */
export interface LinkView {
  userIndex: number;
  credentialId: string;
  origin: string;
}

export interface MirrorPlan<C extends CredentialState> {
  /** Users mirrored from a credential that is gone, revoked, spent or expired: removed from Matter. */
  remove: number[];
  /** Users made in Matter whose credential is spent, expired or revoked elsewhere: kept, disabled (as a used DisposableUser). */
  disable: number[];
  /** Live credentials no user stands for yet, to show as new users, in order. */
  add: C[];
}

/** Brings the Matter users in line with the door's credentials (those made elsewhere, and what became of Matter's own). */
export function mirrorPlan<C extends CredentialState>(links: readonly LinkView[], credentials: readonly C[]): MirrorPlan<C> {
  const byId = new Map(credentials.map((c) => [c.id, c]));
  const alive = (c: C | undefined) => c !== undefined && c.revokedAt === undefined && c.live;
  const remove = links.filter((l) => l.origin === "store" && !alive(byId.get(l.credentialId))).map((l) => l.userIndex);
  const disable = links.filter((l) => l.origin === "matter" && !alive(byId.get(l.credentialId))).map((l) => l.userIndex);
  const kept = new Set(links.filter((l) => !remove.includes(l.userIndex)).map((l) => l.credentialId));
  const add = credentials.filter((c) => !kept.has(c.id) && alive(c));
  return { remove, disable, add };
}
