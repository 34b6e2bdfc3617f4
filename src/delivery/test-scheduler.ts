// The Scheduler's test double: tasks run when a TestClock is moved past them, in time order.
import { settle, type TestClock } from "../access/test-clock.js";
import type { EpochMs } from "../access/ids.js";
import type { Cancel, Scheduler } from "./relock-scheduler.js";

/**
 * Runs each task synchronously at its own instant (the clock reads the task's time while it runs), letting promises
 * settle between tasks, so a relock and the lock's answer interleave as they would in production.
 */
export class TestScheduler implements Scheduler {
  private tasks: { when: EpochMs; seq: number; task: () => void }[] = [];
  private seq = 0;

  constructor(private readonly clock: TestClock) {}

  at(when: EpochMs, task: () => void): Cancel {
    const entry = { when, seq: this.seq++, task };
    this.tasks.push(entry);
    return () => {
      this.tasks = this.tasks.filter((t) => t !== entry);
    };
  }

  pending(): number {
    return this.tasks.length;
  }

  /** Moves the clock by `ms`, running every task that falls due (and letting their promises settle). */
  async advance(ms: number): Promise<void> {
    const target = this.clock.now() + ms;
    for (;;) {
      await settle();
      const due = this.tasks.filter((t) => t.when <= target).sort((a, b) => a.when - b.when || a.seq - b.seq)[0];
      if (!due) break;
      this.tasks = this.tasks.filter((t) => t !== due);
      if (due.when > this.clock.now()) this.clock.set(due.when);
      due.task();
    }
    this.clock.set(target);
    await settle();
  }
}
