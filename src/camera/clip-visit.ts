// One open visit's capture: hard-links the ring's segments into the visit folder as they appear, a part per ffmpeg run.
import fs from "node:fs";
import path from "node:path";
import type { EpochMs, VisitId } from "../access/ids.js";
import { segmentSpan, type SegmentRecord } from "./segment-index.js";

/** One line of a part's `segments.jsonl` manifest: enough to rebuild the clip's wall-clock times after a crash. */
export interface ManifestEntry {
  name: string;
  run: number;
  seq: number;
  durationMs: number;
  appearedAt: EpochMs;
}

export const MANIFEST_NAME = "segments.jsonl";
export const PART_INIT_NAME = "init.mp4";

export interface PartStarted {
  part: number;
  /** Set when this is not the first part: the time between the previous part's last frame and this part's first. */
  gap?: { fromAt: EpochMs; untilAt: EpochMs; gapMs: number };
}

interface OpenPart {
  index: number;
  run: number;
  dir: string;
  lastAppearedAt: EpochMs;
}

/** Folder layout: `<visitsDir>/<visitId>/part-<n>/{init.mp4, seg_*.m4s, segments.jsonl}`. */
export class VisitCapture {
  /** Wall-clock end of the wanted span; Infinity while the visit is open. */
  until: EpochMs = Infinity;
  private readonly linked = new Set<string>();
  private current: OpenPart | undefined;
  private partCount = 0;

  constructor(
    readonly visitId: VisitId,
    readonly dir: string,
    /** Wall-clock start of the wanted span: the visit's start minus its pre-roll. */
    readonly from: EpochMs,
  ) {}

  /** True if the segment falls in the wanted span and is not yet in the visit folder. */
  needs(s: SegmentRecord): boolean {
    const span = segmentSpan(s);
    return span.end > this.from && span.start < this.until && !this.linked.has(key(s));
  }

  /** True once a segment has appeared that reaches the end of the wanted span. */
  isSatisfiedBy(newestAppearedAt: EpochMs | undefined): boolean {
    return newestAppearedAt !== undefined && newestAppearedAt >= this.until;
  }

  parts(): number {
    return this.partCount;
  }

  /**
   * Links `s` (and its run's init.mp4 for a new part) into the visit folder. Returns the part it started, if it started one.
   * Throws only for real I/O failures; a segment the ring already deleted (ENOENT) is reported as `missing`.
   */
  take(s: SegmentRecord, initPath: string): { started?: PartStarted; missing?: boolean } {
    if (!this.needs(s)) return {};
    let started: PartStarted | undefined;
    if (this.current === undefined || this.current.run !== s.run) {
      const previous = this.current;
      this.partCount += 1;
      const dir = path.join(this.dir, `part-${this.partCount}`);
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      linkOrCopy(initPath, path.join(dir, PART_INIT_NAME));
      this.current = { index: this.partCount, run: s.run, dir, lastAppearedAt: s.appearedAt };
      started = { part: this.partCount };
      if (previous) {
        const untilAt = segmentSpan(s).start;
        started.gap = { fromAt: previous.lastAppearedAt, untilAt, gapMs: Math.max(0, untilAt - previous.lastAppearedAt) };
      }
    }
    const part = this.current;
    try {
      linkOrCopy(s.path, path.join(part.dir, s.name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { ...(started ? { started } : {}), missing: true };
      throw error;
    }
    const entry: ManifestEntry = { name: s.name, run: s.run, seq: s.seq, durationMs: s.durationMs, appearedAt: s.appearedAt };
    fs.appendFileSync(path.join(part.dir, MANIFEST_NAME), JSON.stringify(entry) + "\n", { mode: 0o600 });
    this.linked.add(key(s));
    part.lastAppearedAt = s.appearedAt;
    return started ? { started } : {};
  }
}

function key(s: SegmentRecord): string {
  return `${s.run}/${s.seq}`;
}

/** A hard link shares the bytes with the ring (no copy, survives the ring's deletion); across filesystems, copy. */
export function linkOrCopy(from: string, to: string): void {
  try {
    fs.linkSync(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return;
    if (code === "EXDEV" || code === "EPERM") {
      fs.copyFileSync(from, to);
      return;
    }
    throw error;
  }
}
