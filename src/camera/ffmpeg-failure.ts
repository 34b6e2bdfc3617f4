// Turns the way an ffmpeg run ended into one reason a person can act on.
import type { RecorderFailureReason } from "./recorder.js";

export interface FfmpegEnding {
  /** Set when the process could not be started at all (ENOENT: no such binary). */
  spawnErrorCode?: string | undefined;
  exitCode: number | null;
  signal: string | null;
  /** The last lines ffmpeg wrote to stderr (already redacted). */
  stderrTail: string;
  /** Free bytes on the ring's filesystem, if known. */
  freeBytes?: number | undefined;
  /** Below this, the disk counts as full (default DISK_FULL_THRESHOLD_BYTES). */
  minFreeBytes?: number | undefined;
  /** Frames written by this run before it ended. */
  frames: number;
}

const MISSING_VIA_EXEC = /failed to execute .*(No such file or directory|Permission denied)|exec: .*(not found|Permission denied)/i;
const DISK_FULL = /No space left on device|ENOSPC|Disk quota exceeded/i;
const AUTH = /401 Unauthorized|403 Forbidden|authorization failed/i;
const UNREACHABLE =
  /Connection refused|Connection timed out|No route to host|Network is unreachable|Name or service not known|Temporary failure in name resolution|503 Service Unavailable|404 Not Found|Server returned 5XX|Server returned 4XX|Immediate exit requested|Invalid data found when processing input|Input\/output error|timed out/i;

/** Free space below this counts as a full disk even if ffmpeg said something else. */
export const DISK_FULL_THRESHOLD_BYTES = 256 * 1024;

export function classifyEnding(e: FfmpegEnding): RecorderFailureReason {
  if (e.spawnErrorCode === "ENOENT" || e.spawnErrorCode === "EACCES") return "ffmpeg-missing";
  // Started through setpriv (see ffmpeg-spawn.ts): it reports the failed exec itself and exits 127.
  if (e.exitCode === 127 && MISSING_VIA_EXEC.test(e.stderrTail)) return "ffmpeg-missing";
  if (DISK_FULL.test(e.stderrTail)) return "disk-full";
  if (e.freeBytes !== undefined && e.freeBytes < (e.minFreeBytes ?? DISK_FULL_THRESHOLD_BYTES)) return "disk-full";
  if (AUTH.test(e.stderrTail)) return "auth-failed";
  if (e.signal === "SIGKILL" || e.signal === "SIGSEGV" || e.signal === "SIGABRT") return "ffmpeg-crashed";
  if (e.frames === 0 && UNREACHABLE.test(e.stderrTail)) return "stream-unreachable";
  if (e.frames === 0) return "stream-unreachable";
  return "stream-ended";
}

const SENTENCES: Record<RecorderFailureReason, string> = {
  "ffmpeg-missing": "ffmpeg could not be started: install ffmpeg or set the path to it",
  "stream-unreachable": "the camera's video stream could not be reached: check the camera is on and the network",
  "auth-failed": "the camera refused the video stream's credentials: check the camera username and password",
  "disk-full": "the disk holding recordings is full: free space or lower retention",
  "stream-ended": "the camera's video stream stopped",
  "ffmpeg-crashed": "ffmpeg stopped unexpectedly",
};

export function describeFailure(reason: RecorderFailureReason): string {
  return SENTENCES[reason];
}
