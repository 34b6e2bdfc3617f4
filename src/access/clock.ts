import type { EpochMs } from "./ids.js";

/** Time is injected everywhere so that DST, leap days and expiry are test cases, not surprises. */
export interface Clock {
  now(): EpochMs;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to; for tests and simulations. */
export class ManualClock implements Clock {
  constructor(private current: EpochMs = 0) {}
  now(): EpochMs {
    return this.current;
  }
  set(at: EpochMs | Date | string): void {
    this.current = typeof at === "number" ? at : new Date(at).getTime();
  }
  advance(ms: number): void {
    this.current += ms;
  }
}
