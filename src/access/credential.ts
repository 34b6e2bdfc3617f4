import type { CredentialId, DoorId, EpochMs, ProviderId } from "./ids.js";

export const CREDENTIAL_KINDS = ["delivery", "cleaning", "pet-care", "guest", "service"] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

export const ACCESS_MODES = ["keypad", "remote", "both"] as const;
export type AccessMode = (typeof ACCESS_MODES)[number];

/** ISO weekday names as RFC 5545 spells them. */
export const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * A weekly window in local wall-clock time: `start`/`end` are "HH:MM".
 * `end <= start` means the window crosses midnight into the next day.
 */
export interface WeeklyWindow {
  days: Weekday[];
  start: string;
  end: string;
}

export type Schedule =
  | { type: "weekly"; timeZone: string; windows: WeeklyWindow[] }
  /** `dtstart` is local wall-clock "YYYY-MM-DDTHH:MM" in `timeZone`; `rrule` is the RRULE value without the "RRULE:" prefix. */
  | { type: "rrule"; timeZone: string; dtstart: string; rrule: string; durationMinutes: number };

/** A guest credential as stored, without its PIN (which only the store can decrypt). */
export interface Credential {
  id: CredentialId;
  label: string;
  kind: CredentialKind;
  doors: DoorId[];
  validFrom: EpochMs;
  /** Exclusive. */
  validUntil: EpochMs;
  schedule?: Schedule;
  maxUses?: number;
  expiresAfterFirstUseMinutes?: number;
  mode: AccessMode;
  allowWhenPetsHome: boolean;
  requireRecording: boolean;
  /** The provider that owns it; absent for credentials the owner created. */
  providerId?: ProviderId;
  createdAt: EpochMs;
  revokedAt?: EpochMs;
}

/** A validated credential request, before the store gives it an id, a PIN (when none was asked for) and an owner. */
export type NewCredential = Omit<Credential, "id" | "createdAt" | "revokedAt" | "providerId"> & {
  /** The PIN the requester chose; absent means the store generates one. */
  pin?: string;
};

/** How a credential has been used so far: kept beside it, updated by the delivery flow. */
export interface CredentialUsage {
  uses: number;
  firstUsedAt?: EpochMs;
}

/** A half-open interval [start, end). */
export interface Interval {
  start: EpochMs;
  end: EpochMs;
}
