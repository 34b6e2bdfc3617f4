// The recorder contract: what the delivery flow needs from a camera's recording, independent of ffmpeg.
import type { EpochMs, VisitId } from "../access/ids.js";

/** Why recording is not possible; each has a sentence in `describeFailure`. */
export type RecorderFailureReason =
  | "ffmpeg-missing"
  | "stream-unreachable"
  | "auth-failed"
  | "disk-full"
  | "stream-ended"
  | "ffmpeg-crashed";

/** The recorder's health, with a sentence a person can act on. */
export type RecorderHealth =
  | { state: "stopped"; message: string }
  | { state: "starting"; since: EpochMs; message: string }
  | { state: "recording"; lastFrameAt: EpochMs; newestSegmentAt: EpochMs | undefined; message: string }
  | { state: "stalled"; since: EpochMs; lastFrameAt: EpochMs | undefined; message: string }
  | { state: "restarting"; attempt: number; retryInMs: number; reason: RecorderFailureReason; message: string }
  | { state: "failed"; reason: RecorderFailureReason; retryInMs: number | undefined; message: string };

/** One continuous stretch of a visit's video (a recorder restart starts a new part). */
export interface ClipPart {
  /** The assembled MP4 (H.264 copied from the camera, faststart). */
  path: string;
  /** As ffprobe reports it. */
  durationMs: number;
  /** Wall-clock time of the first and last frame, from when each segment appeared on disk. */
  firstFrameAt: EpochMs;
  lastFrameAt: EpochMs;
  segments: number;
}

/** A break between two parts of one visit. */
export interface ClipGap {
  afterPart: number;
  fromAt: EpochMs;
  untilAt: EpochMs;
  gapMs: number;
}

export interface VisitClip {
  visitId: VisitId;
  parts: ClipPart[];
  gaps: ClipGap[];
}

export interface BeginVisitOptions {
  /** How much already-recorded video to take from before now. */
  preRollMs: number;
}

export interface EndVisitOptions {
  /** How long to keep recording after now. */
  postRollMs: number;
}

/** What the delivery flow uses; RingRecorder implements it. */
export interface Recorder {
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): RecorderHealth;
  /** The gate: true only if a frame was written in the last 1.5 s and segments are reaching disk. */
  isRecording(): boolean;
  beginVisit(visitId: VisitId, options: BeginVisitOptions): void;
  endVisit(visitId: VisitId, options: EndVisitOptions): Promise<VisitClip>;
  /** After a crash: assemble whatever a visit folder holds. */
  recoverVisit(visitId: VisitId): Promise<VisitClip>;
  openVisits(): VisitId[];
}
