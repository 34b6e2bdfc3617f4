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

/** setTimeout's longest delay (about 24.8 days); a longer one would fire at once, so it is waited for in steps. */
const MAX_TIMER_MS = 2_147_483_647;

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
      const until = Date.now() + Math.max(0, ms);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortReason(signal!));
      };
      const arm = () => {
        const left = until - Date.now();
        timer = setTimeout(() => {
          if (left > MAX_TIMER_MS) return arm();
          signal?.removeEventListener("abort", onAbort);
          resolve();
        }, Math.min(Math.max(0, left), MAX_TIMER_MS));
      };
      arm();
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};

/** The signal's reason, or an AbortError when it has none. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted", "AbortError");
}
