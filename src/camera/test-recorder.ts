// The Recorder double for tests: the gate is a flag, visits are remembered rather than recorded, and with a clip
// folder each clip is a small file whose bytes differ per visit (so a clip route's streaming and ranges can be checked).
// The recording itself is tested in test/camera against ffmpeg. Not product code: left out of the package.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { systemClock, type Clock } from "../access/clock.js";
import type { VisitId } from "../access/ids.js";
import { ConflictError, NotFoundError, ValidationError } from "../core/errors.js";
import type { BeginVisitOptions, EndVisitOptions, Recorder, RecorderHealth, VisitClip } from "./recorder.js";

export interface TestRecorderOptions {
  clock?: Clock;
  /** A log shared with other doubles, to assert the order of side effects ("recorder.beginVisit", ...). */
  trace?: string[];
  /** Where clip files are written; without it a clip names a file that does not exist. */
  clipDir?: string;
}

export class TestRecorder implements Recorder {
  recording = true;
  /** The recorder dies the moment a visit begins (between the gate and the unlock). */
  dieOnBegin = false;
  readonly begun = new Map<VisitId, BeginVisitOptions>();
  readonly ended = new Map<VisitId, EndVisitOptions>();
  readonly recovered: VisitId[] = [];
  /** Visits begun by an earlier "process" (survive a simulated crash). */
  readonly onDisk = new Set<VisitId>();
  /** Visits an earlier process was recording when it went away: on disk, recorded by nobody. */
  private readonly abandoned = new Set<VisitId>();
  private readonly clock: Clock;
  private readonly trace: string[];

  constructor(private readonly options: TestRecorderOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.trace = options.trace ?? [];
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  /** A new recorder process on the same storage (the bridge restarted): what the old one was recording is left on disk. */
  restart(): void {
    for (const v of this.openVisits()) this.abandoned.add(v);
  }

  health(): RecorderHealth {
    const now = this.clock.now();
    return this.recording
      ? { state: "recording", lastFrameAt: now, newestSegmentAt: now, message: "recording" }
      : { state: "stalled", since: now, lastFrameAt: undefined, message: "no frames" };
  }

  isRecording(): boolean {
    return this.recording;
  }

  beginVisit(visitId: VisitId, options: BeginVisitOptions): void {
    this.trace.push("recorder.beginVisit");
    checkVisit(visitId, options.preRollMs, "preRollMs");
    if (this.openVisits().includes(visitId)) throw new ConflictError(`visit ${visitId} is already being recorded`);
    if (this.onDisk.has(visitId)) throw new ConflictError(`visit ${visitId} already has a folder; use recoverVisit to assemble it`);
    this.begun.set(visitId, options);
    this.onDisk.add(visitId);
    if (this.dieOnBegin) this.recording = false;
  }

  async endVisit(visitId: VisitId, options: EndVisitOptions): Promise<VisitClip> {
    this.trace.push("recorder.endVisit");
    checkVisit(visitId, options.postRollMs, "postRollMs");
    const begun = this.begun.get(visitId);
    if (!begun || this.ended.has(visitId) || this.abandoned.has(visitId)) throw new NotFoundError(`visit ${visitId} is not being recorded`);
    this.ended.set(visitId, options);
    return this.clip(visitId, begun.preRollMs + options.postRollMs);
  }

  async recoverVisit(visitId: VisitId): Promise<VisitClip> {
    this.trace.push("recorder.recoverVisit");
    checkVisit(visitId, 0, "visitId");
    if (this.openVisits().includes(visitId)) throw new ConflictError(`visit ${visitId} is still being recorded`);
    if (!this.onDisk.has(visitId)) throw new NotFoundError(`visit ${visitId} has no folder`);
    this.recovered.push(visitId);
    return this.clip(visitId, 1000);
  }

  openVisits(): VisitId[] {
    return [...this.begun.keys()].filter((v) => !this.ended.has(v) && !this.abandoned.has(v));
  }

  /** The clip file's content for a visit: 4 KiB that differ per visit and per offset. */
  static clipBytes(visitId: string): Buffer {
    const out = Buffer.alloc(4096);
    for (let i = 0; i < out.length; i++) out[i] = (i * 31 + visitId.charCodeAt(i % visitId.length)) & 0xff;
    return out;
  }

  private clip(visitId: VisitId, durationMs: number): VisitClip {
    const now = this.clock.now();
    const dir = this.options.clipDir;
    let path = `/clips/${visitId}/part-0.mp4`;
    if (dir !== undefined) {
      mkdirSync(dir, { recursive: true });
      path = join(dir, `${visitId}.mp4`);
      writeFileSync(path, TestRecorder.clipBytes(visitId));
    }
    return { visitId, parts: [{ path, durationMs, firstFrameAt: now - durationMs, lastFrameAt: now, segments: 3 }], gaps: [] };
  }
}

/** The same input checks as RingRecorder: a visit id that is a safe folder name, a non-negative roll. */
function checkVisit(visitId: string, rollMs: number, field: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(visitId)) throw new ValidationError("must be 1-128 letters, digits, '.', '_' or '-'", "visitId");
  if (!Number.isFinite(rollMs) || rollMs < 0) throw new ValidationError("must be a non-negative number of milliseconds", field);
}
