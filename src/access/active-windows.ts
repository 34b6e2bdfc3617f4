import type { Credential, CredentialUsage, Interval } from "./credential.js";
import type { EpochMs } from "./ids.js";
import { effectiveUntil } from "./liveness.js";
import { scheduleWindows } from "./schedule.js";

const UNUSED: CredentialUsage = { uses: 0 };

/** Sorts and merges intervals that overlap or touch, so [a,b) + [b,c) becomes [a,c). */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else out.push({ start: i.start, end: i.end });
  }
  return out;
}

/**
 * The [start, end) intervals within [from, to) in which `credential` may open a door: its
 * validity [validFrom, effectiveUntil) intersected with its schedule, merged and sorted.
 * Empty when revoked or out of uses. Door, mode and household switches are not considered:
 * this is what the lock slot reconciler needs to know when a PIN must be on the lock.
 */
export function activeWindows(credential: Credential, from: EpochMs, to: EpochMs, usage: CredentialUsage = UNUSED): Interval[] {
  if (credential.revokedAt !== undefined) return [];
  if (credential.maxUses !== undefined && usage.uses >= credential.maxUses) return [];
  const start = Math.max(from, credential.validFrom);
  const end = Math.min(to, effectiveUntil(credential, usage));
  if (!(end > start)) return [];
  if (!credential.schedule) return [{ start, end }];
  const clipped = scheduleWindows(credential.schedule, start, end).map((w) => ({
    start: Math.max(w.start, start),
    end: Math.min(w.end, end),
  }));
  return mergeIntervals(clipped);
}
