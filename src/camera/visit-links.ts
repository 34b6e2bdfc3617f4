// Which ring segments belong to a visit, and in which part: the visit's span is [start - pre-roll, end + post-roll), a
// new part starts with each ffmpeg run, and the hole between parts is measured. Pure: times come in, nothing is read.
import type { EpochMs } from "../access/ids.js";
import { segmentSpan, type SegmentRecord } from "./segment-index.js";

export interface PartStarted {
  part: number;
  /** Set when this is not the first part: the time between the previous part's last frame and this part's first. */
  gap?: { fromAt: EpochMs; untilAt: EpochMs; gapMs: number };
}

/** Where a segment goes: `started` is set when it opens a new part (its run differs from the part being filled). */
export interface Placement {
  part: number;
  run: number;
  started?: PartStarted;
}

/** The wall-clock start of a visit's wanted span. */
export function preRollStart(beganAt: EpochMs, preRollMs: number): EpochMs {
  return beganAt - preRollMs;
}

/** One visit's bookkeeping: what it wants, what it already holds, and the part being filled. */
export class VisitLinks {
  /** Wall-clock end of the wanted span; Infinity while the visit is open. */
  until: EpochMs = Infinity;
  private readonly taken = new Set<string>();
  private current: { part: number; run: number; lastAppearedAt: EpochMs } | undefined;

  /** `from`: wall-clock start of the wanted span (see `preRollStart`). */
  constructor(readonly from: EpochMs) {}

  /** True if the segment overlaps the wanted span and is not yet linked. */
  wants(s: SegmentRecord): boolean {
    const span = segmentSpan(s);
    return span.end > this.from && span.start < this.until && !this.taken.has(key(s));
  }

  /** True once a segment has appeared that reaches the end of the wanted span. */
  isSatisfiedBy(newestAppearedAt: EpochMs | undefined): boolean {
    return newestAppearedAt !== undefined && newestAppearedAt >= this.until;
  }

  /** Parts started so far. */
  parts(): number {
    return this.current?.part ?? 0;
  }

  /** Where `s` would go; changes nothing (the caller links the files, then calls `linked`). */
  place(s: SegmentRecord): Placement {
    const previous = this.current;
    if (previous !== undefined && previous.run === s.run) return { part: previous.part, run: s.run };
    const part = (previous?.part ?? 0) + 1;
    if (previous === undefined) return { part, run: s.run, started: { part } };
    const untilAt = segmentSpan(s).start;
    return { part, run: s.run, started: { part, gap: { fromAt: previous.lastAppearedAt, untilAt, gapMs: Math.max(0, untilAt - previous.lastAppearedAt) } } };
  }

  /** A new part's folder exists: segments of its run now go there. */
  opened(placement: Placement, s: SegmentRecord): void {
    this.current = { part: placement.part, run: placement.run, lastAppearedAt: s.appearedAt };
  }

  /** `s` is in the visit folder: it is not wanted again, and the part's last frame moves to it. */
  linked(s: SegmentRecord): void {
    this.taken.add(key(s));
    if (this.current) this.current.lastAppearedAt = s.appearedAt;
  }
}

/** True if any of the visits still wants the segment: the ring must not delete it yet. */
export function isPinned(visits: Iterable<VisitLinks>, s: SegmentRecord): boolean {
  for (const v of visits) if (v.wants(s)) return true;
  return false;
}

function key(s: SegmentRecord): string {
  return `${s.run}/${s.seq}`;
}
