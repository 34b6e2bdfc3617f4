import type { EpochMs } from "./ids.js";

/** Time is injected everywhere so that DST, leap days, expiry and every wait are test cases, not surprises. */
export interface Clock {
  now(): EpochMs;
  /**
   * Resolves once `ms` have passed on this clock. Aborting `signal` rejects with its reason and leaves no timer behind.
   * The one way product code waits; `TestClock` (test-clock.ts) resolves it when a test moves time.
   */
  delay(ms: number, options?: { signal?: AbortSignal | undefined }): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  // The global timer rather than node:timers/promises, so this folder stays free of node imports; same contract.
  delay: (ms, options = {}) =>
    new Promise<void>((resolve, reject) => {
      const { signal } = options;
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortReason(signal!));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};

/** The signal's reason, or an AbortError when it has none. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted", "AbortError");
}
