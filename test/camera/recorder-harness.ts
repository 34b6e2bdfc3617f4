// Helpers for the recorder's integration tests (real ffmpeg against the real GStreamer RTSP server): waits on what the
// ring holds, never on the time that should have produced it.
import type { RingRecorder } from "../../src/camera/ring-recorder.js";
import { segmentSpan } from "../../src/camera/segment-index.js";
import { eventually } from "../helpers/eventually.js";

/** The decoded frame times that are present, in order. */
export function decoded(clocks: readonly (number | undefined)[]): number[] {
  return clocks.filter((t): t is number => t !== undefined);
}

/** Resolves once the ring holds video from at least `ms` before now (a pre-roll of `ms` can be taken). */
export async function ringHolds(recorder: RingRecorder, ms: number, timeoutMs = 30_000): Promise<void> {
  await eventually(
    `the ring to hold ${ms} ms of video`,
    () => {
      const oldest = recorder.ringSegments()[0];
      return oldest !== undefined && segmentSpan(oldest).start <= Date.now() - ms;
    },
    { timeoutMs },
  );
}

/** Resolves once a segment has appeared that reaches `at` (video up to `at` is on disk). */
export async function recordedUntil(recorder: RingRecorder, at: number, what: string, timeoutMs = 30_000): Promise<void> {
  await eventually(what, () => recorder.ringSegments().some((s) => s.appearedAt >= at), { timeoutMs });
}

