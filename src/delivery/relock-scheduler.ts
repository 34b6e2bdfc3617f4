// Timers keyed to the injected clock: production runs them on setTimeout, tests on TestScheduler (test-scheduler.ts).
// A seam of its own beside Clock.delay: a task runs synchronously at its instant, in order with the lock's answers, and
// the delivery tests step every relock, settle wait and lockout through it; Clock.delay is for code that awaits.
import type { Clock } from "../access/clock.js";
import type { EpochMs } from "../access/ids.js";

/** Cancels a scheduled task; calling it twice is harmless. */
export type Cancel = () => void;

/** Runs a task at an instant of the injected clock. */
export interface Scheduler {
  at(when: EpochMs, task: () => void): Cancel;
}

/** setTimeout-backed scheduler; `stop()` cancels whatever is still pending, so nothing keeps the process alive. */
export class TimerScheduler implements Scheduler {
  private readonly pending = new Set<NodeJS.Timeout>();

  constructor(private readonly clock: Clock) {}

  at(when: EpochMs, task: () => void): Cancel {
    // setTimeout caps at ~24.8 days; a far deadline re-arms itself.
    const MAX = 2_147_000_000;
    let handle: NodeJS.Timeout | undefined;
    const arm = () => {
      const delay = Math.max(0, when - this.clock.now());
      handle = setTimeout(() => {
        this.pending.delete(handle!);
        if (delay > MAX) arm();
        else task();
      }, Math.min(delay, MAX));
      this.pending.add(handle);
    };
    arm();
    return () => {
      if (handle) {
        clearTimeout(handle);
        this.pending.delete(handle);
      }
    };
  }

  stop(): void {
    for (const h of this.pending) clearTimeout(h);
    this.pending.clear();
  }
}

/** One named timer per key (a door's relock, a door's settle wait): arming it again replaces the previous one. */
export class KeyedTimers {
  private readonly cancels = new Map<string, Cancel>();

  constructor(private readonly scheduler: Scheduler) {}

  set(key: string, when: EpochMs, task: () => void): void {
    this.clear(key);
    const cancel = this.scheduler.at(when, () => {
      this.cancels.delete(key);
      task();
    });
    this.cancels.set(key, cancel);
  }

  clear(key: string): void {
    this.cancels.get(key)?.();
    this.cancels.delete(key);
  }

  has(key: string): boolean {
    return this.cancels.has(key);
  }

  clearAll(): void {
    for (const cancel of this.cancels.values()) cancel();
    this.cancels.clear();
  }
}
