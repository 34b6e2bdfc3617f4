// Helpers for the recorder's integration tests (real ffmpeg against the real GStreamer RTSP server).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `predicate` every 50 ms; rejects naming `what` after `timeoutMs`. Resolves with the time it took. */
export async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const t0 = Date.now();
  while (!predicate()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
  return Date.now() - t0;
}

export function tempStorage(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `doorstep-${tag}-`));
}

/** The decoded frame times that are present, in order. */
export function decoded(clocks: readonly (number | undefined)[]): number[] {
  return clocks.filter((t): t is number => t !== undefined);
}
