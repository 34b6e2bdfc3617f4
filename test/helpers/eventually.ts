// The one way a test waits for something it cannot subscribe to: poll a probe until it yields, with a deadline that
// names what was awaited. A deadline here is a functional bound (the thing never happened), never a timing assertion.
import { setTimeout as wait } from "node:timers/promises";

export interface EventuallyOptions {
  /** How long before the test fails; default 10 s. */
  timeoutMs?: number;
  /** Pause between probes; default 25 ms. */
  everyMs?: number;
}

/**
 * Probes until `probe` returns something other than `undefined` or `false`, and returns it. A probe that throws counts as
 * "not yet"; its last error is quoted when the deadline passes.
 */
export async function eventually<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, options: EventuallyOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const everyMs = options.everyMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError === undefined ? "" : ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await wait(everyMs);
  }
}
