// The always-on recorder for one camera: supervises one ffmpeg copying RTSP into a ring of 1 s fMP4 segments, keeps the
// segment index, and wires visits to it. The gate and restart decisions are recording-gate.ts; which segments a visit
// takes is visit-links.ts (through clip-visit.ts); see ffmpeg-args.ts for the ffmpeg side.
import { spawn, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import fs from "node:fs";
import path from "node:path";
import { systemClock, type Clock } from "../access/clock.js";
import type { EpochMs, VisitId } from "../access/ids.js";
import { ConflictError, DeviceUnreachableError, NotFoundError, ValidationError, formatError } from "../core/errors.js";
import { silentLogger, type Logger } from "../core/logger.js";
import { assembleVisit, readAssembledClip } from "./clip-assemble.js";
import { VisitCapture } from "./clip-visit.js";
import { feedSecretInput } from "../core/ffmpeg-secret-input.js";
import { INIT_NAME, PLAYLIST_NAME, ringArgs, ringInputOptions } from "./ffmpeg-args.js";
import { classifyEnding, describeFailure, type FfmpegEnding } from "./ffmpeg-failure.js";
import { ProgressParser } from "./ffmpeg-progress.js";
import { withParentDeathSignal } from "./ffmpeg-spawn.js";
import { redactSecrets, urlSecrets } from "./ffmpeg-redact.js";
import type {
  BeginVisitOptions,
  EndVisitOptions,
  Recorder,
  RecorderFailureReason,
  RecorderHealth,
  VisitClip,
} from "./recorder.js";
import { afterRunEnded, assessGate, gateHealth, stalledRun, type RunProgress } from "./recording-gate.js";
import { compareSegments, newestAppearedAt, segmentsToPrune, type SegmentRecord } from "./segment-index.js";
import { parsePlaylist } from "./segment-playlist.js";
import { isPinned, preRollStart } from "./visit-links.js";

export interface RingRecorderOptions {
  /** Names the ring folder and prefixes nothing else (the logger carries the door's name). */
  cameraId: string;
  /** rtsp://user:pass@host:port/path. The credentials are never logged. */
  url: string;
  /** Storage root: visits go to `<storagePath>/visits`, and the ring to `<storagePath>/ring/<cameraId>` unless `ringDir`. */
  storagePath: string;
  /** The ring's folder; the bridge puts it in RAM (ring-location.ts), and a visit's segments are then copied to storage. */
  ringDir?: string;
  visitsDir?: string;
  /** The resolved `recording.ffmpegPath`: the config catalogue holds its default. */
  ffmpegPath: string;
  ffprobePath?: string;
  /** "aac" (default) transcodes the camera's audio; "drop" records video only. */
  audio?: "aac" | "drop";
  segmentSeconds?: number;
  /** Ring size: segments older than this many seconds are deleted (`recording.ringSeconds`, default in the config catalogue)... */
  ringSeconds: number;
  /** ...and at most this many bytes (default 256 MiB). */
  ringMaxBytes?: number;
  /** The gate: a frame must have been written within this (default 1500 ms). */
  gateMs?: number;
  /** How often the playlist is read, which bounds the error of each segment's appearance time (default 100 ms). */
  pollMs?: number;
  /** ffmpeg `-stats_period` (default 0.25 s). */
  statsPeriodSeconds?: number;
  /** RTSP socket timeout (default 5 s). */
  socketTimeoutSeconds?: number;
  /** ffmpeg that writes no frame for this long is restarted (default 8 s). */
  stallRestartMs?: number;
  backoff?: { initialMs: number; maxMs: number };
  /** How long endVisit waits past the post-roll for the last segment before assembling what it has (default 10 s). */
  endGraceMs?: number;
  /** Less free space than this on the ring's filesystem counts as a full disk (default 16 MiB). */
  minFreeBytes?: number;
  logger?: Logger;
  clock?: Clock;
}

export interface RecorderGapEvent {
  visitId: VisitId;
  part: number;
  gapMs: number;
  fromAt: EpochMs;
  untilAt: EpochMs;
}

/** Typed events: `health` on every state change, `segment` per complete segment, `gap` when a visit gets a new part. */
export interface RingRecorderEvents {
  health: [RecorderHealth];
  segment: [SegmentRecord];
  gap: [RecorderGapEvent];
}

interface Run extends RunProgress {
  n: number;
  dir: string;
  proc: ChildProcess | undefined;
  /** Highest segment number already recorded (the playlist repeats its last entries on every write). */
  maxSeq: number;
  stderrTail: string;
  /** Set when we ended it ourselves, with the reason to report. */
  killedFor: RecorderFailureReason | undefined;
  ended: boolean;
}

interface OpenVisit {
  capture: VisitCapture;
  /** Set by endVisit; aborted when the clip is complete (or the recorder stops), which ends its wait. */
  ending: AbortController | undefined;
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const SEG_NAME = /^seg_(\d+)\.m4s$/;
const RUN_NAME = /^run-(\d+)$/;

/**
 * One always-on ffmpeg per camera writing `<ringDir>/run-<n>/seg_<seq>.m4s` (a new run directory per ffmpeg start, so a
 * restart never overwrites older segments and each run keeps its own init.mp4). Health comes from ffmpeg's `-progress`
 * frame counter and from complete segments appearing in the playlist; a segment's wall-clock time is when we saw it appear.
 */
export class RingRecorder extends EventEmitter<RingRecorderEvents> implements Recorder {
  private readonly o: Required<Omit<RingRecorderOptions, "logger" | "clock">>;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly secrets: string[];
  private running = false;
  private run: Run | undefined;
  private runCounter = 0;
  private segments: SegmentRecord[] = [];
  private readonly visits = new Map<VisitId, OpenVisit>();
  private state: RecorderHealth = { state: "stopped", message: "the recorder is stopped" };
  private failures = 0;
  /** Aborted by stop(): ends the poll loop. */
  private polling: AbortController | undefined;
  /** Aborted when a pending restart is no longer wanted (stop, or a new source). */
  private restartWait: AbortController | undefined;
  private diskCheckAt = 0;
  private readyWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];

  constructor(options: RingRecorderOptions) {
    super();
    const segmentSeconds = options.segmentSeconds ?? 1;
    this.o = {
      cameraId: options.cameraId,
      url: options.url,
      storagePath: options.storagePath,
      ringDir: options.ringDir ?? path.join(options.storagePath, "ring", options.cameraId),
      visitsDir: options.visitsDir ?? path.join(options.storagePath, "visits"),
      ffmpegPath: options.ffmpegPath,
      ffprobePath: options.ffprobePath ?? "ffprobe",
      audio: options.audio ?? "aac",
      segmentSeconds,
      ringSeconds: options.ringSeconds,
      ringMaxBytes: options.ringMaxBytes ?? 256 * 1024 * 1024,
      gateMs: options.gateMs ?? 1500,
      pollMs: options.pollMs ?? 100,
      statsPeriodSeconds: options.statsPeriodSeconds ?? 0.25,
      socketTimeoutSeconds: options.socketTimeoutSeconds ?? 5,
      stallRestartMs: options.stallRestartMs ?? 8000,
      backoff: options.backoff ?? { initialMs: 500, maxMs: 30_000 },
      endGraceMs: options.endGraceMs ?? 10_000,
      minFreeBytes: options.minFreeBytes ?? 16 * 1024 * 1024,
    };
    this.log = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemClock;
    this.secrets = urlSecrets(options.url);
  }

  /** Starts recording (returns once ffmpeg is spawned, not when frames arrive: see `ready`). Aborting the signal stops it. */
  async start(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.running) return;
    if (!SAFE_NAME.test(this.o.cameraId)) throw new ValidationError("must be letters, digits, '.', '_' or '-'", "cameraId");
    if (options.signal?.aborted) return;
    fs.mkdirSync(this.o.ringDir, { recursive: true, mode: 0o700 });
    fs.mkdirSync(this.o.visitsDir, { recursive: true, mode: 0o700 });
    this.adoptOldRuns();
    this.running = true;
    options.signal?.addEventListener("abort", () => this.stop().catch((error: unknown) => this.log.error(`recorder stop failed: ${formatError(error)}`)), { once: true });
    this.polling = new AbortController();
    this.poll(this.polling.signal).catch((error: unknown) => this.log.error(`recorder poll loop failed: ${formatError(error)}`));
    this.spawnRun();
  }

  /** Resolves when frames are being recorded; rejects if the recorder is stopped first. */
  get ready(): Promise<void> {
    if (this.isRecording()) return Promise.resolve();
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  /** Waits until the gate is open, or rejects after `timeoutMs` with the health sentence. */
  async waitUntilRecording(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const done = new AbortController();
    const timeout = this.clock.delay(timeoutMs, { signal: signal ? AbortSignal.any([signal, done.signal]) : done.signal }).then(() => {
      throw new DeviceUnreachableError(`camera ${this.o.cameraId} is not recording: ${this.state.message}`);
    });
    try {
      const ready = this.ready;
      ready.catch(() => undefined); // a later stop() must not surface as an unhandled rejection
      await Promise.race([ready, timeout]);
    } finally {
      done.abort();
    }
  }

  /**
   * Records from another address (the camera moved its stream): ffmpeg is restarted on it as a new run, and open
   * visits keep taking segments from the new run, so their clips span the change.
   */
  async changeSource(url: string): Promise<void> {
    if (url === this.o.url) return;
    this.o.url = url;
    this.secrets.push(...urlSecrets(url));
    if (!this.running) return;
    this.restartWait?.abort();
    const old = this.run;
    this.run = undefined; // its ending is no failure: onEnded ignores a run that is no longer current
    if (old?.proc && !old.ended) await terminate(old.proc, 3000);
    if (old) this.scanRun(old);
    this.failures = 0;
    if (this.running) this.spawnRun();
  }

  /** Stops ffmpeg (letting it finish its segment) and the timers. Open visits stay open and can still be ended. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.polling?.abort();
    this.restartWait?.abort();
    const run = this.run;
    if (run?.proc && !run.ended) await terminate(run.proc, 3000);
    if (run) this.scanRun(run);
    this.setHealth({ state: "stopped", message: "the recorder is stopped" });
    for (const w of this.readyWaiters.splice(0)) w.reject(new DeviceUnreachableError(`camera ${this.o.cameraId}: recorder stopped`));
    for (const v of this.visits.values()) v.ending?.abort();
  }

  health(): RecorderHealth {
    return this.state;
  }

  /** The pid of the running ffmpeg, for diagnostics and benchmarks. */
  ffmpegPid(): number | undefined {
    return this.run?.ended === false ? this.run.proc?.pid : undefined;
  }

  /** Facts about the current ffmpeg run (for diagnostics and benchmarks). */
  runStats(): { run: number; startedAt: EpochMs; firstFrameAt: EpochMs | undefined; lastFrameAt: EpochMs | undefined; frames: number } | undefined {
    const r = this.run;
    return r && { run: r.n, startedAt: r.startedAt, firstFrameAt: r.firstFrameAt, lastFrameAt: r.lastFrameAt, frames: r.frames };
  }

  /** The gate: ffmpeg wrote a frame within `gateMs`, and complete segments are reaching disk. */
  isRecording(): boolean {
    return this.running && this.run !== undefined && !this.run.ended && assessGate(this.run, this.clock.now(), this.o) === "ok";
  }

  /** Segments the ring holds now, oldest first (a copy). */
  ringSegments(): SegmentRecord[] {
    return [...this.segments].sort(compareSegments);
  }

  openVisits(): VisitId[] {
    return [...this.visits.keys()];
  }

  /** Starts a visit: links the segments from `now - preRollMs` into `<visitsDir>/<visitId>/part-1` and keeps linking. */
  beginVisit(visitId: VisitId, options: BeginVisitOptions): void {
    checkVisitId(visitId);
    if (!Number.isFinite(options.preRollMs) || options.preRollMs < 0) {
      throw new ValidationError("must be a non-negative number of milliseconds", "preRollMs");
    }
    if (this.visits.has(visitId)) throw new ConflictError(`visit ${visitId} is already being recorded`);
    const dir = path.join(this.o.visitsDir, visitId);
    if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) {
      throw new ConflictError(`visit ${visitId} already has a folder; use recoverVisit to assemble it`);
    }
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const capture = new VisitCapture(visitId, dir, preRollStart(this.clock.now(), options.preRollMs));
    this.visits.set(visitId, { capture, ending: undefined });
    for (const s of this.ringSegments()) this.offer(visitId, capture, s);
    this.log.info(`visit ${visitId}: recording with ${(options.preRollMs / 1000).toFixed(1)} s pre-roll`);
  }

  /**
   * Keeps recording for `postRollMs`, then assembles each part into an MP4. Resolves with the parts, their wall-clock
   * span and the gaps between them. A camera still sending frames is waited for at most `endGraceMs` past the post-roll; one that sends none is not.
   */
  async endVisit(visitId: VisitId, options: EndVisitOptions): Promise<VisitClip> {
    checkVisitId(visitId);
    if (!Number.isFinite(options.postRollMs) || options.postRollMs < 0) {
      throw new ValidationError("must be a non-negative number of milliseconds", "postRollMs");
    }
    const open = this.visits.get(visitId);
    if (!open) throw new NotFoundError(`visit ${visitId} is not being recorded`);
    if (open.ending) throw new ConflictError(`visit ${visitId} is already ending`);
    open.capture.until = this.clock.now() + options.postRollMs;
    const ending = new AbortController();
    open.ending = ending;
    if (!this.running || open.capture.isSatisfiedBy(newestAppearedAt(this.segments))) ending.abort();
    try {
      await this.clock.delay(options.postRollMs, { signal: ending.signal });
      // At the end of the post-roll a camera that sends no frames will send no late segment either: waiting the
      // grace then only delays the relocked visit (and a shutdown, which Homebridge cuts after 5 s).
      if (this.isRecording()) await this.clock.delay(this.o.endGraceMs, { signal: ending.signal });
      this.log.warn(`visit ${visitId}: no segment reached the end of the post-roll; keeping what was recorded`);
    } catch {
      // Aborted: the segment reaching the end of the post-roll appeared, or the recorder stopped.
    }
    this.visits.delete(visitId);
    return this.assemble(visitId, open.capture.until);
  }

  /** Assembles whatever a visit folder holds (after a crash, or to rebuild its clips). */
  async recoverVisit(visitId: VisitId): Promise<VisitClip> {
    checkVisitId(visitId);
    if (this.visits.has(visitId)) throw new ConflictError(`visit ${visitId} is still being recorded`);
    const dir = path.join(this.o.visitsDir, visitId);
    if (!fs.existsSync(dir)) throw new NotFoundError(`visit ${visitId} has no folder`);
    return readAssembledClip(dir) ?? this.assemble(visitId);
  }

  // --- ffmpeg runs -------------------------------------------------------------------------------------------------

  private spawnRun(): void {
    if (!this.running) return;
    this.runCounter += 1;
    const n = this.runCounter;
    const run: Run = {
      n,
      dir: path.join(this.o.ringDir, `run-${String(n).padStart(6, "0")}`),
      proc: undefined,
      startedAt: this.clock.now(),
      frames: 0,
      firstFrameAt: undefined,
      lastFrameAt: undefined,
      newestSegmentAt: undefined,
      longestSegmentMs: 0,
      maxSeq: -1,
      stderrTail: "",
      killedFor: undefined,
      ended: false,
    };
    this.run = run;
    // While retrying after a failure, health keeps saying why (not "connecting") until frames reach disk again.
    if (this.state.state !== "restarting" && this.state.state !== "failed") {
      this.setHealth({ state: "starting", since: run.startedAt, message: "connecting to the camera's video stream" });
    }
    // Do not start on a full disk: ffmpeg would count frames while writing empty files.
    const free = freeSpace(this.o.ringDir);
    if (free !== undefined && free < this.o.minFreeBytes) {
      run.killedFor = "disk-full";
      this.onEnded(run, { exitCode: null, signal: null, stderrTail: "", frames: 0, freeBytes: free });
      return;
    }
    try {
      fs.mkdirSync(run.dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      this.onEnded(run, { exitCode: null, signal: null, stderrTail: String(code), frames: 0 });
      return;
    }
    const args = ringArgs({
      runDir: run.dir,
      segmentSeconds: this.o.segmentSeconds,
      audio: this.o.audio,
      statsPeriodSeconds: this.o.statsPeriodSeconds,
      socketTimeoutSeconds: this.o.socketTimeoutSeconds,
    });
    const guarded = withParentDeathSignal(this.o.ffmpegPath, args);
    const proc = spawn(guarded.command, guarded.args, { stdio: ["pipe", "pipe", "pipe"] });
    run.proc = proc;
    feedSecretInput(proc.stdin, this.o.url, ringInputOptions({ socketTimeoutSeconds: this.o.socketTimeoutSeconds }));
    const parser = new ProgressParser((r) => {
      if (r.frame > run.frames) {
        const now = this.clock.now();
        run.frames = r.frame;
        run.lastFrameAt = now;
        run.firstFrameAt ??= now;
      }
    });
    proc.stdout?.on("data", (chunk: Buffer) => parser.feed(chunk));
    proc.stderr?.on("data", (chunk: Buffer) => {
      run.stderrTail = (run.stderrTail + this.redact(chunk.toString())).slice(-4000);
    });
    let spawnErrorCode: string | undefined;
    proc.on("error", (error: NodeJS.ErrnoException) => {
      spawnErrorCode = error.code;
      // 'exit' may not follow a failed spawn.
      if (proc.pid === undefined) this.onEnded(run, { spawnErrorCode, exitCode: null, signal: null, stderrTail: run.stderrTail, frames: 0 });
    });
    proc.on("exit", (exitCode, signal) => {
      this.onEnded(run, { spawnErrorCode, exitCode, signal, stderrTail: run.stderrTail, frames: run.frames });
    });
    this.log.debug(`ffmpeg run ${n} started for ${this.redact(this.o.url)}`);
  }

  private onEnded(run: Run, ending: FfmpegEnding): void {
    if (run.ended) return;
    run.ended = true;
    this.scanRun(run);
    if (!this.running || run !== this.run) return;
    const free = freeSpace(this.o.ringDir);
    const reason = run.killedFor ?? classifyEnding({ ...ending, freeBytes: free, minFreeBytes: this.o.minFreeBytes });
    const next = afterRunEnded({ failures: this.failures, run, reason, backoff: this.o.backoff });
    this.failures = next.failures;
    const { retryInMs } = next;
    const tail = ending.stderrTail.trim().split("\n").slice(-2).join(" | ");
    this.log.warn(
      `recording stopped: ${describeFailure(reason)}; retrying in ${(retryInMs / 1000).toFixed(1)} s` +
        (tail ? ` (ffmpeg: ${this.redact(tail)})` : "") +
        (this.visits.size > 0 ? `; open visits: ${[...this.visits.keys()].join(", ")}` : ""),
    );
    this.setHealth(next.health);
    const restart = new AbortController();
    this.restartWait = restart;
    this.clock
      .delay(retryInMs, { signal: restart.signal })
      .then(
        () => this.spawnRun(),
        () => undefined, // cancelled by stop() or changeSource()
      )
      .catch((error: unknown) => this.log.error(`ffmpeg restart failed: ${formatError(error)}`));
  }

  // --- the poll loop -----------------------------------------------------------------------------------------------

  /** Reads the ring every `pollMs` until `signal` aborts. */
  private async poll(signal: AbortSignal): Promise<void> {
    for (;;) {
      try {
        await this.clock.delay(this.o.pollMs, { signal });
      } catch {
        return; // stopped
      }
      try {
        this.tick();
      } catch (error) {
        this.log.error(`recorder poll failed: ${this.redact(formatError(error))}`);
      }
    }
  }

  private tick(): void {
    const run = this.run;
    if (!run || !this.running) return;
    if (!run.ended) {
      this.scanRun(run);
      this.watchdog(run);
    }
    if (!run.ended) this.updateHealth(run);
    this.finishSatisfiedVisits();
  }

  /** Reads the run's playlist and records every newly complete segment, with the time we first saw it. */
  private scanRun(run: Run): void {
    let text: string;
    try {
      text = fs.readFileSync(path.join(run.dir, PLAYLIST_NAME), "utf8");
    } catch {
      return;
    }
    const now = this.clock.now();
    for (const entry of parsePlaylist(text)) {
      const m = SEG_NAME.exec(entry.name);
      if (!m || Number(m[1]) <= run.maxSeq) continue;
      const file = path.join(run.dir, entry.name);
      let bytes: number;
      try {
        bytes = fs.statSync(file).size;
      } catch {
        continue;
      }
      run.maxSeq = Number(m[1]);
      run.longestSegmentMs = Math.max(run.longestSegmentMs, entry.durationMs);
      const seg: SegmentRecord = { run: run.n, seq: Number(m[1]), name: entry.name, path: file, durationMs: entry.durationMs, appearedAt: now, bytes };
      run.newestSegmentAt = now;
      this.segments.push(seg);
      for (const [id, v] of this.visits) this.offer(id, v.capture, seg);
      this.emit("segment", seg);
    }
    this.prune();
  }

  private offer(visitId: VisitId, capture: VisitCapture, seg: SegmentRecord): void {
    try {
      const result = capture.take(seg, path.join(path.dirname(seg.path), INIT_NAME));
      if (result.missing) this.log.error(`visit ${visitId}: segment ${seg.name} was gone before it could be kept`);
      const gap = result.started?.gap;
      if (gap) {
        const part = result.started!.part;
        this.log.warn(
          `visit ${visitId}: recording resumed after a ${(gap.gapMs / 1000).toFixed(1)} s gap; the clip continues in part ${part}`,
        );
        this.emit("gap", { visitId, part, ...gap });
      }
    } catch (error) {
      this.log.error(`visit ${visitId}: could not keep segment ${seg.name}: ${this.redact(formatError(error))}`);
    }
  }

  private prune(): void {
    const limits = { keepSince: this.clock.now() - this.o.ringSeconds * 1000, maxBytes: this.o.ringMaxBytes };
    const doomed = segmentsToPrune(this.segments, limits, (s) => isPinned([...this.visits.values()].map((v) => v.capture.links), s));
    if (doomed.length === 0) return;
    const gone = new Set(doomed);
    for (const s of doomed) fs.rmSync(s.path, { force: true });
    this.segments = this.segments.filter((s) => !gone.has(s));
    // A finished run whose segments are all gone: remove its folder (init.mp4 and playlist).
    const live = new Set(this.segments.map((s) => s.run));
    for (const s of doomed) {
      if (s.run !== this.run?.n && !live.has(s.run)) fs.rmSync(path.dirname(s.path), { recursive: true, force: true });
    }
  }

  private watchdog(run: Run): void {
    const now = this.clock.now();
    const stalled = stalledRun(run, now, this.o.stallRestartMs);
    if (stalled) {
      run.killedFor = stalled;
      this.log.warn(`no video frame for ${((now - (run.lastFrameAt ?? run.startedAt)) / 1000).toFixed(1)} s; restarting ffmpeg`);
      run.proc?.kill("SIGKILL");
      return;
    }
    // Frames counted but no segment reaching disk: ffmpeg keeps counting on a full disk, writing empty files.
    if (assessGate(run, now, this.o) === "no-segments" && now - this.diskCheckAt > 1000) {
      this.diskCheckAt = now;
      const free = freeSpace(this.o.ringDir);
      if (free !== undefined && free < this.o.minFreeBytes) {
        run.killedFor = "disk-full";
        run.proc?.kill("SIGKILL");
      }
    }
  }

  private updateHealth(run: Run): void {
    const verdict = assessGate(run, this.clock.now(), this.o);
    const next = gateHealth(run, verdict, this.state, this.o);
    if (next) this.setHealth(next);
    if (verdict === "ok") for (const w of this.readyWaiters.splice(0)) w.resolve();
  }

  private setHealth(next: RecorderHealth): void {
    const prev = this.state;
    this.state = next;
    const changed = prev.state !== next.state || prev.message !== next.message;
    if (!changed) return;
    if (next.state === "recording") this.log.info("recording");
    else if (next.state === "stalled" || next.state === "restarting" || next.state === "failed") this.log.warn(`recorder ${next.state}: ${next.message}`);
    else this.log.debug(`recorder ${next.state}: ${next.message}`);
    this.emit("health", next);
  }

  private finishSatisfiedVisits(): void {
    const newest = newestAppearedAt(this.segments);
    for (const v of this.visits.values()) if (v.ending && v.capture.isSatisfiedBy(newest)) v.ending.abort();
  }

  // --- clips -------------------------------------------------------------------------------------------------------

  private async assemble(visitId: VisitId, untilAt?: EpochMs): Promise<VisitClip> {
    const clip = await assembleVisit(path.join(this.o.visitsDir, visitId), visitId, { ...this.o, segmentMs: this.o.segmentSeconds * 1000 }, untilAt);
    const { parts, gaps } = clip;
    if (parts.length === 0) this.log.error(`visit ${visitId}: no video was recorded`);
    else {
      const seconds = parts.reduce((s, p) => s + p.durationMs, 0) / 1000;
      this.log.info(
        `visit ${visitId}: clip of ${seconds.toFixed(1)} s in ${parts.length} part(s)` +
          (gaps.length ? `, gaps ${gaps.map((g) => `${(g.gapMs / 1000).toFixed(1)} s`).join(", ")}` : ""),
      );
    }
    return clip;
  }

  // --- housekeeping ------------------------------------------------------------------------------------------------

  /** Segments left by an earlier process join the ring (so they are pruned in turn); new runs number after them. */
  private adoptOldRuns(): void {
    for (const name of fs.readdirSync(this.o.ringDir)) {
      const m = RUN_NAME.exec(name);
      if (!m) continue;
      const n = Number(m[1]);
      this.runCounter = Math.max(this.runCounter, n);
      const dir = path.join(this.o.ringDir, name);
      if (this.segments.some((s) => s.run === n)) continue;
      for (const file of fs.readdirSync(dir)) {
        const sm = SEG_NAME.exec(file);
        if (!sm) continue;
        const st = fs.statSync(path.join(dir, file));
        this.segments.push({
          run: n, seq: Number(sm[1]), name: file, path: path.join(dir, file),
          durationMs: this.o.segmentSeconds * 1000, appearedAt: st.mtimeMs, bytes: st.size,
        });
      }
    }
  }

  private redact(text: string): string {
    return redactSecrets(text, this.secrets);
  }
}

function checkVisitId(visitId: string): void {
  if (!SAFE_NAME.test(visitId)) throw new ValidationError("must be 1-128 letters, digits, '.', '_' or '-'", "visitId");
}

function freeSpace(dir: string): number | undefined {
  try {
    const s = fs.statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

/**
 * SIGTERM (ffmpeg finishes its segment and playlist), then SIGKILL after `graceMs`. A real timer, not the clock: it is a
 * deadline on a real process, which a test clock would never let pass.
 */
function terminate(proc: ChildProcess, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      resolve();
      return;
    }
    // Real time, not the Clock: a grace period for a real process to exit.
    const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
    proc.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    proc.kill("SIGTERM");
  });
}
