// The recording gate and the supervision decisions around it: whether a run's frames and segments say video is reaching
// disk, what health that is, when a silent run must be killed, and how long to wait before the next run. Pure: the
// run's facts and the time are passed in; ring-recorder.ts acts on the answers.
import type { EpochMs } from "../access/ids.js";
import { describeFailure } from "./ffmpeg-failure.js";
import type { RecorderFailureReason, RecorderHealth } from "./recorder.js";

/** What the recorder knows of one ffmpeg run, from its progress counter and its playlist. */
export interface RunProgress {
  startedAt: EpochMs;
  frames: number;
  firstFrameAt: EpochMs | undefined;
  lastFrameAt: EpochMs | undefined;
  newestSegmentAt: EpochMs | undefined;
  /** Longest segment so far: a camera with a 4 s GOP makes 4 s segments, and the gate must not flap between them. */
  longestSegmentMs: number;
}

export interface GateTiming {
  /** A frame must have been written within this. */
  gateMs: number;
  segmentSeconds: number;
}

/** "ok" when the gate is open; otherwise what is missing. */
export type GateVerdict = "ok" | "no-frames" | "no-segments" | "starting";

/** Slack on top of the longest segment before segments count as no longer reaching disk: the poll interval and jitter. */
export const SEGMENT_SLACK_MS = 2500;

export function assessGate(run: RunProgress, now: EpochMs, timing: GateTiming): GateVerdict {
  if (run.firstFrameAt === undefined) return "starting";
  if (run.lastFrameAt === undefined || now - run.lastFrameAt >= timing.gateMs) return "no-frames";
  // A segment completes at each keyframe after segmentSeconds; allow a slow camera GOP and the poll interval.
  const staleMs = Math.max(timing.segmentSeconds * 1000, run.longestSegmentMs) + SEGMENT_SLACK_MS;
  // "Recording" means video is reaching disk: the run's first complete segment is required.
  if (run.newestSegmentAt === undefined) return now - run.firstFrameAt > staleMs ? "no-segments" : "starting";
  if (now - run.newestSegmentAt > staleMs) return "no-segments";
  return "ok";
}

/**
 * The health a verdict means, or undefined to keep `current`: while starting after a failure, health keeps saying why
 * (not "connecting") until the gate opens; a stall is reported once per cause.
 */
export function gateHealth(run: RunProgress, verdict: GateVerdict, current: RecorderHealth, timing: GateTiming): RecorderHealth | undefined {
  if (verdict === "ok") return { state: "recording", lastFrameAt: run.lastFrameAt!, newestSegmentAt: run.newestSegmentAt, message: "recording" };
  if (verdict === "starting") {
    if (current.state === "starting" || current.state === "restarting" || current.state === "failed") return undefined;
    return { state: "starting", since: run.startedAt, message: "connecting to the camera's video stream" };
  }
  const since = verdict === "no-frames" ? (run.lastFrameAt ?? run.startedAt) : (run.newestSegmentAt ?? run.firstFrameAt ?? run.startedAt);
  const message =
    verdict === "no-frames"
      ? `no video frame from the camera in the last ${(timing.gateMs / 1000).toFixed(1)} s`
      : "frames arrive but no segment has reached disk: check the disk";
  if (current.state === "stalled" && current.message === message) return undefined;
  return { state: "stalled", since, lastFrameAt: run.lastFrameAt, message };
}

/** Why a run that wrote no frame for `stallRestartMs` must be killed, or undefined while it is alive. */
export function stalledRun(run: RunProgress, now: EpochMs, stallRestartMs: number): "stream-unreachable" | "stream-ended" | undefined {
  const since = run.lastFrameAt ?? run.startedAt;
  if (now - since <= stallRestartMs) return undefined;
  return run.frames === 0 ? "stream-unreachable" : "stream-ended";
}

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

/** A run that recorded this long before it ended is a fresh failure, not a repeat. */
export const FRESH_FAILURE_AFTER_MS = 30_000;

/** After a run ended with `reason`: the failure count, when to try again, and the health to report meanwhile. */
export function afterRunEnded(o: { failures: number; run: RunProgress; reason: RecorderFailureReason; backoff: Backoff }): {
  failures: number;
  retryInMs: number;
  health: RecorderHealth;
} {
  const { run, reason, backoff } = o;
  const ranMs = run.firstFrameAt === undefined ? 0 : (run.lastFrameAt ?? 0) - run.firstFrameAt;
  const failures = (ranMs > FRESH_FAILURE_AFTER_MS ? 0 : o.failures) + 1;
  const retryInMs = Math.min(backoff.maxMs, backoff.initialMs * 2 ** (failures - 1));
  const sentence = describeFailure(reason);
  // These do not cure themselves by a restart: say "failed" at once.
  const sticky = reason === "ffmpeg-missing" || reason === "disk-full" || reason === "auth-failed";
  const health: RecorderHealth =
    sticky || failures >= 3
      ? { state: "failed", reason, retryInMs, message: `${sentence}; retrying in ${Math.ceil(retryInMs / 1000)} s` }
      : { state: "restarting", attempt: failures, retryInMs, reason, message: `${sentence}; restarting ffmpeg in ${Math.ceil(retryInMs / 1000)} s` };
  return { failures, retryInMs, health };
}
