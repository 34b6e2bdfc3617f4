// Stops hammering a lock that keeps failing: after `threshold` consecutive transport failures the breaker opens for
// `cooldownMs`, then lets one attempt through (half-open); success closes it, failure re-opens it.
import type { Clock } from "../access/clock.js";
import type { EpochMs } from "../access/ids.js";

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker. */
  threshold: number;
  /** How long it stays open, in ms. */
  cooldownMs: number;
}

export class CircuitBreaker {
  private failures = 0;
  private openUntil: EpochMs | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly options: CircuitBreakerOptions = { threshold: 5, cooldownMs: 60_000 },
  ) {}

  /** True when a command may be sent now. */
  allows(): boolean {
    return this.openUntil === undefined || this.clock.now() >= this.openUntil;
  }

  /** When the breaker will let a command through again, if it is open. */
  reopensAt(): EpochMs | undefined {
    return this.openUntil !== undefined && this.clock.now() < this.openUntil ? this.openUntil : undefined;
  }

  get state(): "closed" | "open" | "half-open" {
    if (this.openUntil === undefined) return "closed";
    return this.clock.now() < this.openUntil ? "open" : "half-open";
  }

  recordSuccess(): void {
    this.failures = 0;
    this.openUntil = undefined;
  }

  recordFailure(): void {
    this.failures += 1;
    // A failure while half-open re-opens at once: the one probe we allowed did not get through.
    if (this.failures >= this.options.threshold || this.openUntil !== undefined) {
      this.openUntil = this.clock.now() + this.options.cooldownMs;
    }
  }
}
