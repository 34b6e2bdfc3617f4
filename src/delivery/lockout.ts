// Wrong-PIN lockout: a sliding-window counter per key ("door:front", "source:10.0.0.7"), kept across restarts when given a
// persistence; time from the injected clock.
import type { Clock } from "../access/clock.js";
import type { EpochMs } from "../access/ids.js";

export interface LockoutOptions {
  /** Wrong attempts within the window that trigger the lockout (default 5). */
  attempts: number;
  /** Length of the sliding window, in ms (default 15 minutes). */
  windowMs: number;
}

export type LockoutStatus = { lockedOut: false } | { lockedOut: true; retryAfterMs: number };

/** Where the failure times are kept across restarts (the store's `lockouts`). */
export interface LockoutPersistence {
  load(): Map<string, EpochMs[]>;
  save(key: string, failures: readonly EpochMs[]): void;
}

/**
 * Counts failures per key. A key is locked out while `attempts` failures lie within the last `windowMs`; it frees
 * itself when the oldest of them slides out of the window (so `retryAfterMs` is exact, not a fixed penalty).
 */
export class LockoutCounter {
  private readonly failures = new Map<string, EpochMs[]>();
  private readonly listeners = new Set<(key: string) => void>();

  constructor(
    private readonly clock: Clock,
    /** From `delivery.lockoutAttempts` and `delivery.lockoutWindowMinutes`. */
    private readonly options: LockoutOptions,
    private readonly persistence?: LockoutPersistence,
  ) {
    if (!(Number.isInteger(options.attempts) && options.attempts >= 1)) throw new RangeError("lockout attempts must be an integer >= 1");
    if (!(options.windowMs > 0)) throw new RangeError("lockout window must be positive");
    for (const [key, list] of persistence?.load() ?? []) this.failures.set(key, list);
  }

  /** Calls `listener` with each key a failure has just locked out; returns the unsubscribe. */
  onLockedOut(listener: (key: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether `key` is locked out now, and for how long. */
  status(key: string): LockoutStatus {
    const recent = this.recent(key);
    if (recent.length < this.options.attempts) return { lockedOut: false };
    // The lockout lasts until enough failures have left the window to fall below the threshold.
    const freeing = recent[recent.length - this.options.attempts]!;
    return { lockedOut: true, retryAfterMs: Math.max(1, freeing + this.options.windowMs - this.clock.now()) };
  }

  /** The most restrictive status over several keys (door and source). */
  statusOf(keys: readonly string[]): LockoutStatus {
    let worst: LockoutStatus = { lockedOut: false };
    for (const key of keys) {
      const s = this.status(key);
      if (s.lockedOut && (!worst.lockedOut || s.retryAfterMs > worst.retryAfterMs)) worst = s;
    }
    return worst;
  }

  /** Records one failure for each key; returns the keys this failure just locked out. */
  recordFailure(keys: readonly string[]): string[] {
    const now = this.clock.now();
    const newly: string[] = [];
    for (const key of keys) {
      const before = this.status(key).lockedOut;
      const list = this.recent(key);
      list.push(now);
      this.failures.set(key, list);
      this.persistence?.save(key, list);
      if (!before && this.status(key).lockedOut) newly.push(key);
    }
    for (const key of newly) for (const listener of this.listeners) listener(key);
    return newly;
  }

  /** Failures of `key` still within the window (pruning older ones, so memory stays bounded). */
  private recent(key: string): EpochMs[] {
    const list = this.failures.get(key);
    if (!list) return [];
    const cutoff = this.clock.now() - this.options.windowMs;
    const kept = list.filter((t) => t > cutoff);
    if (kept.length === 0) this.failures.delete(key);
    else this.failures.set(key, kept);
    if (kept.length !== list.length) this.persistence?.save(key, kept);
    return kept;
  }
}
