// The Clock's test double: time moves only when a test says so, and each `delay` resolves when time reaches it.
import { abortReason, type Clock } from "./clock.js";
import type { EpochMs } from "./ids.js";

interface Waiter {
  at: EpochMs;
  seq: number;
  resolve: () => void;
}

/**
 * A clock that only moves when told to. `advance`/`set` resolve the delays they pass, earliest first; the code awaiting
 * them resumes after the call returns (so it reads the new time): await something, or `settle()`, before asserting on
 * what it did. `elapse` instead stops at each due time until the resumed code has run.
 */
export class TestClock implements Clock {
  private waiters: Waiter[] = [];
  private seq = 0;

  constructor(private current: EpochMs = 0) {}

  now(): EpochMs {
    return this.current;
  }

  delay(ms: number, options: { signal?: AbortSignal | undefined } = {}): Promise<void> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { at: this.current + Math.max(0, ms), seq: this.seq++, resolve: () => undefined };
      const onAbort = () => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(abortReason(signal!));
      };
      waiter.resolve = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      // A zero delay is already due: it resolves now, as a real timer would on the next turn.
      if (waiter.at <= this.current) {
        waiter.resolve();
        return;
      }
      this.waiters.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Delays not yet resolved (an aborted one no longer counts). */
  get pending(): number {
    return this.waiters.length;
  }

  /** The instant the earliest pending delay falls due, if any. */
  nextDue(): EpochMs | undefined {
    return this.waiters.reduce<EpochMs | undefined>((min, w) => (min === undefined || w.at < min ? w.at : min), undefined);
  }

  /** Moves to `at` (a time may also go back, which resolves nothing); resolves every delay due on the way, in order. */
  set(at: EpochMs | Date | string): void {
    const target = typeof at === "number" ? at : new Date(at).getTime();
    for (;;) {
      const due = this.waiters.filter((w) => w.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.waiters = this.waiters.filter((w) => w !== due);
      this.current = Math.max(this.current, due.at);
      due.resolve();
    }
    this.current = target;
  }

  advance(ms: number): void {
    this.set(this.current + ms);
  }

  /**
   * Like `advance`, but lets the code each delay resumes run (and arm its next delay) before time moves on, so a loop
   * that waits on this clock goes round once per due time.
   */
  async elapse(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await settle();
      const next = this.nextDue();
      if (next === undefined || next > target) break;
      this.set(next);
    }
    this.set(target);
    await settle();
  }
}

/** Lets pending promise chains run to completion (a few turns of the event loop). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
}
