// What the ring holds, and which segments a visit or the pruner wants. Pure: times are passed in.
import type { EpochMs } from "../access/ids.js";

/** One complete 1 s segment of the ring. */
export interface SegmentRecord {
  /** The ffmpeg run it belongs to (a restart starts a new run, with its own init.mp4). */
  run: number;
  /** Its place within the run. */
  seq: number;
  name: string;
  path: string;
  durationMs: number;
  /**
   * Wall-clock time we first saw it complete in the playlist: about its last frame's time.
   * ffmpeg's PROGRAM-DATE-TIME runs late by its probe backlog (measured 1.7-2 s), so it is not used.
   */
  appearedAt: EpochMs;
  bytes: number;
}

/** The wall-clock span a segment covers, estimated from when it appeared. */
export function segmentSpan(s: SegmentRecord): { start: EpochMs; end: EpochMs } {
  return { start: s.appearedAt - s.durationMs, end: s.appearedAt };
}

/**
 * Segments that overlap [from, until): any segment that ends after `from` and starts before `until`.
 * The first one may start before `from`, so a clip always covers its whole pre-roll.
 */
export function selectSegments(segments: readonly SegmentRecord[], from: EpochMs, until: EpochMs = Infinity): SegmentRecord[] {
  return segments
    .filter((s) => {
      const span = segmentSpan(s);
      return span.end > from && span.start < until;
    })
    .sort(compareSegments);
}

export function compareSegments(a: SegmentRecord, b: SegmentRecord): number {
  return a.run - b.run || a.seq - b.seq;
}

export interface RingLimits {
  /** Segments that appeared before this are old enough to go (now minus the ring's length in time). */
  keepSince: EpochMs;
  maxBytes: number;
}

/**
 * The segments to delete so the ring stays within its time span and byte limit, oldest first. A segment for which
 * `isPinned` is true (an open visit still needs it) is never chosen, even if that leaves the ring over its limits.
 */
export function segmentsToPrune(
  segments: readonly SegmentRecord[],
  limits: RingLimits,
  isPinned: (s: SegmentRecord) => boolean = () => false,
): SegmentRecord[] {
  const ordered = [...segments].sort(compareSegments);
  let bytes = ordered.reduce((sum, s) => sum + s.bytes, 0);
  const out: SegmentRecord[] = [];
  for (const s of ordered) {
    const tooOld = s.appearedAt < limits.keepSince;
    if (!tooOld && bytes <= limits.maxBytes) continue;
    if (isPinned(s)) continue;
    out.push(s);
    bytes -= s.bytes;
  }
  return out;
}

/** When the newest segment appeared, if the ring holds any. */
export function newestAppearedAt(segments: readonly SegmentRecord[]): EpochMs | undefined {
  let newest: EpochMs | undefined;
  for (const s of segments) if (newest === undefined || s.appearedAt > newest) newest = s.appearedAt;
  return newest;
}
