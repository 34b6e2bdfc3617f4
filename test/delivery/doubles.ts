// Test doubles of the delivery service's time: a scheduler driven by a ManualClock. The lock and recorder doubles
// live beside their interfaces (src/zigbee/test-lock-driver.ts, src/camera/test-recorder.ts).
import type { ManualClock } from "../../src/access/clock.js";
import type { EpochMs } from "../../src/access/ids.js";
import type { Cancel, Scheduler } from "../../src/delivery/relock-scheduler.js";

/** A shared log of side effects across doubles, to assert their order. */
export type Trace = string[];

/** Runs tasks when the ManualClock is advanced past them, in time order. */
export class ManualScheduler implements Scheduler {
  private tasks: { when: EpochMs; seq: number; task: () => void }[] = [];
  private seq = 0;

  constructor(private readonly clock: ManualClock) {}

  at(when: EpochMs, task: () => void): Cancel {
    const entry = { when, seq: this.seq++, task };
    this.tasks.push(entry);
    return () => { this.tasks = this.tasks.filter((t) => t !== entry); };
  }

  pending(): number { return this.tasks.length; }

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

/** Lets pending promise chains run to completion. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
}
