// One command in flight per lock: a sleepy end device answers one frame per poll, and herdsman would otherwise
// interleave our writes with a guest's unlock. User operations ("high") go before queued programming ("low").
import { systemClock, type Clock } from "../access/clock.js";

export type Priority = "high" | "low";

interface Job {
  run: () => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export class CommandQueue {
  private readonly high: Job[] = [];
  private readonly low: Job[] = [];
  private busy = false;

  get size(): number {
    return this.high.length + this.low.length + (this.busy ? 1 : 0);
  }

  run<T>(priority: Priority, fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      (priority === "high" ? this.high : this.low).push({ run: fn, resolve: resolve as (v: unknown) => void, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.busy) return;
    const job = this.high.shift() ?? this.low.shift();
    if (!job) return;
    this.busy = true;
    const done = (settle: () => void) => {
      this.busy = false;
      settle();
      this.pump();
    };
    job.run().then((v) => done(() => job.resolve(v)), (e: unknown) => done(() => job.reject(e)));
  }
}

/** Retries `fn` while `isTransient(error)`, waiting delaysMs[i] on the clock before retry i+1; aborting ends the wait with the last error. */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  delaysMs: readonly number[],
  isTransient: (error: unknown) => boolean,
  options: { signal?: AbortSignal; clock?: Clock } = {},
): Promise<T> {
  const { signal, clock = systemClock } = options;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      const delay = delaysMs[attempt];
      if (delay === undefined || !isTransient(error) || signal?.aborted) throw error;
      const aborted = await clock.delay(delay, { signal }).then(() => false, () => true);
      if (aborted) throw error;
    }
  }
}
