// One open visit's capture: hard-links the ring's segments into the visit folder as they appear, a part per ffmpeg run.
import fs from "node:fs";
import path from "node:path";
import type { EpochMs, VisitId } from "../access/ids.js";
import type { SegmentRecord } from "./segment-index.js";
import { VisitLinks, type PartStarted } from "./visit-links.js";

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

/** Folder layout: `<visitsDir>/<visitId>/part-<n>/{init.mp4, seg_*.m4s, segments.jsonl}`; which segment goes where is `VisitLinks`. */
export class VisitCapture {
  readonly links: VisitLinks;

  constructor(
    readonly visitId: VisitId,
    readonly dir: string,
    /** Wall-clock start of the wanted span: the visit's start minus its pre-roll. */
    from: EpochMs,
  ) {
    this.links = new VisitLinks(from);
  }

  /** Wall-clock end of the wanted span; Infinity while the visit is open. */
  get until(): EpochMs {
    return this.links.until;
  }

  set until(at: EpochMs) {
    this.links.until = at;
  }

  /** True if the segment falls in the wanted span and is not yet in the visit folder. */
  needs(s: SegmentRecord): boolean {
    return this.links.wants(s);
  }

  /** True once a segment has appeared that reaches the end of the wanted span. */
  isSatisfiedBy(newestAppearedAt: EpochMs | undefined): boolean {
    return this.links.isSatisfiedBy(newestAppearedAt);
  }

  parts(): number {
    return this.links.parts();
  }

  /**
   * Links `s` (and its run's init.mp4 for a new part) into the visit folder. Returns the part it started, if it started one.
   * Throws only for real I/O failures; a segment the ring already deleted (ENOENT) is reported as `missing`.
   */
  take(s: SegmentRecord, initPath: string): { started?: PartStarted; missing?: boolean } {
    if (!this.links.wants(s)) return {};
    const placement = this.links.place(s);
    const partDir = path.join(this.dir, `part-${placement.part}`);
    if (placement.started) {
      fs.mkdirSync(partDir, { recursive: true, mode: 0o700 });
      linkOrCopy(initPath, path.join(partDir, PART_INIT_NAME));
      this.links.opened(placement, s);
    }
    const started = placement.started ? { started: placement.started } : {};
    try {
      linkOrCopy(s.path, path.join(partDir, s.name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { ...started, missing: true };
      throw error;
    }
    const entry: ManifestEntry = { name: s.name, run: s.run, seq: s.seq, durationMs: s.durationMs, appearedAt: s.appearedAt };
    fs.appendFileSync(path.join(partDir, MANIFEST_NAME), JSON.stringify(entry) + "\n", { mode: 0o600 });
    this.links.linked(s);
    return started;
  }
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
