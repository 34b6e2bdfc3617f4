// Time for the simulated hardware: a clock plus one-shot timers, injectable so tests can step time.

export interface SimTimer {
  cancel(): void;
}

export interface SimScheduler {
  /** Milliseconds since the UNIX epoch. */
  now(): number;
  /** Runs `fn` once after `ms`; timers never keep the process alive. */
  after(ms: number, fn: () => void): SimTimer;
}

/** Wall-clock time and real (unref'd) timers. */
export const realScheduler: SimScheduler = {
  now: () => Date.now(),
  after(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

/** The SimScheduler's test double: time moves only when `advance` is called; due timers fire in time order. */
export class TestSimScheduler implements SimScheduler {
  private timers: { at: number; seq: number; fn: () => void; live: boolean }[] = [];
  private seq = 0;
  constructor(private current = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.current;
  }
  after(ms: number, fn: () => void): SimTimer {
    const t = { at: this.current + Math.max(0, ms), seq: this.seq++, fn, live: true };
    this.timers.push(t);
    return { cancel: () => void (t.live = false) };
  }
  /** Moves time forward, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const end = this.current + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.live && t.at <= end).sort((x, y) => x.at - y.at || x.seq - y.seq)[0];
      if (!due) break;
      due.live = false;
      this.current = due.at;
      due.fn();
    }
    this.timers = this.timers.filter((t) => t.live);
    this.current = end;
  }
  set(at: number): void {
    this.current = at;
  }
}
