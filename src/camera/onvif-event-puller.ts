// The PullPoint loop: CreatePullPointSubscription, PullMessages (long-poll), Renew before the subscription
// terminates, and a watchdog. We run our own loop over the library's primitives instead of its `event`
// listener because that loop cannot be aborted, spins on cameras that answer PullMessages at once, and never
// notices a subscription that stopped answering (agsh #183, #312: Reolink, Tapo).
// Every callback handed to the library is guarded: the library calls it from inside its own try/catch, so a
// throw in it would come back as a second call (or, from the catch block, as an uncaught exception).
// Every wait (backoff, pull pacing, the watchdog, the stop bound) is a delay on the injected Clock.

import { Agent } from "node:http";
import type { Clock } from "../access/clock.js";
import { DeviceRejectedError, InternalError, formatError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { MotionEvent, ResubscribeReason } from "./camera-driver.js";
import { classifyOnvifError, describeNetworkError, type OnvifFailure } from "./onvif-faults.js";
import type { OnvifCam } from "./onvif-module.js";
import { asList, dig, parseMotion, parseSubscriptionTimes, type SubscriptionTimes } from "./onvif-parse.js";

/**
 * The library computes its own termination time from CurrentTime after storing the subscription, and throws a
 * TypeError on a reply without one (lib/events.js `_terminationTime`): "Cannot read properties of undefined
 * (reading 'getTime')", or "response.currentTime.getTime is not a function" when it parsed to something else.
 */
function isMissingCurrentTime(error: unknown, subscription: unknown): boolean {
  return error instanceof TypeError && /getTime/.test(error.message) && !(dig(subscription, "currentTime") instanceof Date);
}

export interface EventPullerOptions {
  readonly cam: OnvifCam;
  readonly logger: Logger;
  readonly clock: Clock;
  /** No answer from the event service for this long: subscribe again. Must exceed the camera's pull wait (PT1M). */
  readonly watchdogMs: number;
  /** First wait after a failed subscription; doubles with every failure in a row, up to maxRetryMs. */
  readonly retryMs: number;
  /** Cap on the wait between subscription attempts (default 5 min). */
  readonly maxRetryMs?: number;
  /** Answers faster than this with no message are paced (cameras that ignore the long-poll Timeout). */
  readonly minPullIntervalMs?: number;
  /** Bound on the Unsubscribe sent at stop(). */
  readonly stopTimeoutMs: number;
  readonly onMotion: (event: MotionEvent) => void;
  readonly onResubscribe: (reason: ResubscribeReason) => void;
  /** The camera refused us or went away: the driver reconnects the whole session. */
  readonly onSessionFailure: (kind: Exclude<OnvifFailure, "rejected">, error: unknown) => void;
}

/** One camera's event subscription, kept alive until stop(). */
export class OnvifEventPuller {
  private generation = 0;
  private running = false;
  private agent: Agent | undefined;
  /** Aborted at stop(): ends the watchdog and any wait. */
  private life: AbortController | undefined;
  /** The pending backoff or pacing wait; a new subscription cancels it. */
  private wait: AbortController | undefined;
  private lastAnswerAt = 0;
  private grantedMs = 0;
  private terminatesAt = 0;
  private failuresInRow = 0;
  /** true once a failure was logged as a warning; the next working pull logs the recovery. */
  private failing = false;

  constructor(private readonly o: EventPullerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    const life = new AbortController();
    this.life = life;
    this.subscribe(undefined); // first: it sets the instant the watchdog counts from
    this.watch(life.signal).catch((e: unknown) => {
      if (!life.signal.aborted) this.o.logger.error(`event watchdog failed: ${formatError(e)}`);
    });
  }

  /** Stops pulling, unsubscribes (bounded by stopTimeoutMs) and closes every socket of the loop. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.generation++;
    this.life?.abort();
    this.wait?.abort();
    this.life = this.wait = undefined;
    const agent = this.agent;
    this.agent = undefined;
    if (this.o.cam.events.subscription) {
      const bound = new AbortController();
      const unsubscribed = new Promise<void>((resolve) => this.o.cam.unsubscribe(() => resolve(), true));
      const late = this.o.clock.delay(this.o.stopTimeoutMs, { signal: bound.signal }).catch(() => undefined);
      await Promise.race([unsubscribed, late]);
      bound.abort();
    }
    agent?.destroy();
  }

  private now(): number {
    return this.o.clock.now();
  }

  private subscribe(reason: ResubscribeReason | undefined): void {
    const gen = ++this.generation;
    this.wait?.abort();
    this.wait = undefined;
    // Destroying the old agent aborts a PullMessages the camera never answered.
    this.agent?.destroy();
    const agent = new Agent({ keepAlive: false });
    this.agent = agent;
    this.lastAnswerAt = this.now();
    this.terminatesAt = this.grantedMs = 0;
    const old = this.o.cam.events.subscription;
    if (old?.subscriptionReference?.address && reason === "quiet") {
      // Cameras allow few pull points: release the quiet one (best effort, through the agent stop() destroys).
      old.subscriptionReference.address.agent = agent;
      this.o.cam.unsubscribe(() => undefined, true);
    }
    delete this.o.cam.events.subscription;
    this.call(gen, "CreatePullPointSubscription", (done) => this.o.cam.createPullPointSubscription(done), (error, result) => {
      // The library stored the subscription before it tripped over the missing CurrentTime: carry on with it.
      const subscription = this.o.cam.events.subscription;
      if (error && !(subscription && isMissingCurrentTime(error, subscription))) return this.failed(gen, "CreatePullPointSubscription", error);
      const address = subscription?.subscriptionReference?.address;
      if (typeof address !== "object" || address === null) {
        return this.failed(gen, "CreatePullPointSubscription", new DeviceRejectedError("no subscription address in the answer"));
      }
      address.agent = agent;
      this.answered(parseSubscriptionTimes(error ? subscription : result, this.now()), true);
      if (reason) this.o.onResubscribe(reason);
      this.o.logger.debug(`event subscription created${reason ? ` (${reason})` : ""}`);
      this.pull(gen);
    });
  }

  private answered(times: SubscriptionTimes | undefined, grant: boolean): void {
    const now = this.now();
    this.lastAnswerAt = now;
    if (!times) return;
    const remaining = times.remainingMs;
    this.terminatesAt = now + remaining;
    if (grant || remaining > this.grantedMs) this.grantedMs = remaining;
  }

  private pull(gen: number): void {
    const startedAt = this.now();
    this.call(gen, "PullMessages", (done) => this.o.cam.pullMessages({ messageLimit: 10 }, done), (error, result) => {
      if (error) return this.failed(gen, "PullMessages", error);
      this.failuresInRow = 0; // only a pull that worked proves the subscription works
      if (this.failing) {
        this.failing = false;
        this.o.logger.info("event subscription working again");
      }
      this.answered(parseSubscriptionTimes(result, this.now()), false);
      const messages = asList(dig(result, "notificationMessage"));
      for (const m of messages) {
        const motion = parseMotion(m, this.now());
        if (!motion) continue;
        try {
          this.o.onMotion(motion);
        } catch (e) {
          this.o.logger.error(`a motion listener failed: ${formatError(e)}`);
        }
      }
      const next = () => (this.shouldRenew() ? this.renew(gen) : this.pull(gen));
      const tooFast = messages.length === 0 && this.now() - startedAt < 200;
      this.after(gen, tooFast ? (this.o.minPullIntervalMs ?? 1000) : 0, next);
    });
  }

  private shouldRenew(): boolean {
    return this.grantedMs > 0 && this.terminatesAt - this.now() < this.grantedMs / 2;
  }

  private renew(gen: number): void {
    this.call(gen, "Renew", (done) => this.o.cam.renew({}, done), (error, result) => {
      if (error) return this.failed(gen, "Renew", error);
      this.answered(parseSubscriptionTimes(result, this.now()), true);
      this.o.logger.debug("event subscription renewed");
      this.pull(gen);
    });
  }

  /**
   * Calls the library with a callback that runs at most once, only while `gen` is current, and whose throws
   * (ours or the library's) become a failed subscription instead of reaching the library's catch blocks.
   */
  private call(
    gen: number,
    operation: string,
    start: (done: (error: Error | null, result: unknown) => void) => void,
    handle: (error: Error | null, result: unknown) => void,
  ): void {
    let called = false;
    const done = (error: Error | null, result: unknown) => {
      if (called) return;
      called = true;
      if (gen !== this.generation) return;
      try {
        handle(error, result);
      } catch (e) {
        this.o.logger.error(`event ${operation}: handling the answer failed: ${formatError(e)}`);
        this.failed(gen, operation, e);
      }
    };
    try {
      start(done);
    } catch (e) {
      done(e instanceof Error ? e : new InternalError(String(e)), undefined);
    }
  }

  private failed(gen: number, operation: string, error: unknown): void {
    if (gen !== this.generation || !this.running) return;
    const kind = classifyOnvifError(error);
    this.generation++;
    this.failuresInRow++;
    // Refused, or the camera is gone (it does not even take a new subscription): the driver reconnects.
    if (kind === "not-authorized" || (kind === "unreachable" && operation === "CreatePullPointSubscription")) {
      this.o.logger.debug(`event ${operation} failed (${kind === "unreachable" ? describeNetworkError(error) : "not authorized"})`);
      this.o.onSessionFailure(kind, error);
      return;
    }
    // A dropped pull connection (Tapo closes it after 10 s, agsh #314) or a fault on the subscription (expired,
    // unknown): a new subscription, at once the first time, then after retryMs doubling up to maxRetryMs.
    // One warning when it starts failing and one line when it works again; the attempts between are debug.
    const cap = this.o.maxRetryMs ?? 300_000;
    const wait = this.failuresInRow === 1 ? 0 : Math.min(cap, this.o.retryMs * 2 ** Math.min(30, this.failuresInRow - 2));
    const why = kind === "unreachable" ? describeNetworkError(error) : formatError(error);
    const line = `event ${operation} failed (${why}); subscribing again${wait ? ` in ${Math.round(wait / 1000)} s` : ""}`;
    if (this.failuresInRow === 1 || this.failing) this.o.logger.debug(line);
    else {
      this.failing = true;
      this.o.logger.warn(`${line}; retrying with backoff up to ${Math.round(cap / 1000)} s, logged again when it works`);
    }
    this.lastAnswerAt = this.now() + wait; // the watchdog waits for the retry
    const reason = this.terminatesAt > 0 && this.now() >= this.terminatesAt ? "expired" : "failed";
    this.after(this.generation, wait, () => this.subscribe(reason));
  }

  /** Runs `next` after `ms` on the clock if `gen` is still current; a new subscription or stop() cancels the wait. */
  private after(gen: number, ms: number, next: () => void): void {
    this.wait?.abort();
    const wait = new AbortController();
    this.wait = wait;
    this.o.clock
      .delay(ms, { signal: wait.signal })
      .then(() => {
        if (gen === this.generation && this.running) next();
      })
      .catch((e: unknown) => {
        if (!wait.signal.aborted) this.o.logger.error(`event loop failed: ${formatError(e)}`);
      });
  }

  /** Sleeps until the subscription would count as quiet (every answer moves that instant on), then subscribes again. */
  private async watch(signal: AbortSignal): Promise<void> {
    while (this.running) {
      const quietFor = this.now() - this.lastAnswerAt;
      if (quietFor <= this.o.watchdogMs) {
        await this.o.clock.delay(this.o.watchdogMs - quietFor + 1, { signal });
        continue;
      }
      this.o.logger.warn(`event subscription quiet for ${Math.round(quietFor / 1000)} s (no answer to PullMessages); subscribing again`);
      this.subscribe("quiet");
    }
  }
}
