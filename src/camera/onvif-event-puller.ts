// The PullPoint loop: CreatePullPointSubscription, PullMessages (long-poll), Renew before the subscription
// terminates, and a watchdog. We run our own loop over the library's primitives instead of its `event`
// listener because that loop cannot be aborted, spins on cameras that answer PullMessages at once, and never
// notices a subscription that stopped answering (agsh #183, #312: Reolink, Tapo).

import { Agent } from "node:http";
import type { Clock } from "../access/clock.js";
import { formatError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { MotionEvent, ResubscribeReason } from "./camera-driver.js";
import { classifyOnvifError, describeNetworkError, type OnvifFailure } from "./onvif-faults.js";
import type { OnvifCam } from "./onvif-module.js";
import { asList, dig, parseMotion, parseSubscriptionTimes, type SubscriptionTimes } from "./onvif-parse.js";

export interface EventPullerOptions {
  readonly cam: OnvifCam;
  readonly logger: Logger;
  readonly clock: Clock;
  /** No answer from the event service for this long: subscribe again. Must exceed the camera's pull wait (PT1M). */
  readonly watchdogMs: number;
  /** Wait after a failed subscription before trying again. */
  readonly retryMs: number;
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
  private watchdog: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastAnswerAt = 0;
  private grantedMs = 0;
  private terminatesAt = 0;
  private failuresInRow = 0;

  constructor(private readonly o: EventPullerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.watchdog = setInterval(() => this.checkQuiet(), Math.max(50, Math.min(1000, this.o.watchdogMs / 4)));
    this.subscribe(undefined);
  }

  /** Stops pulling, unsubscribes (bounded by stopTimeoutMs) and closes every socket of the loop. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.generation++;
    clearInterval(this.watchdog);
    clearTimeout(this.timer);
    this.watchdog = this.timer = undefined;
    const agent = this.agent;
    this.agent = undefined;
    if (this.o.cam.events.subscription) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.o.stopTimeoutMs);
        this.o.cam.unsubscribe(() => {
          clearTimeout(t);
          resolve();
        }, true);
      });
    }
    agent?.destroy();
  }

  private now(): number {
    return this.o.clock.now();
  }

  private subscribe(reason: ResubscribeReason | undefined): void {
    const gen = ++this.generation;
    clearTimeout(this.timer);
    this.timer = undefined;
    // Destroying the old agent aborts a PullMessages the camera never answered.
    this.agent?.destroy();
    const agent = new Agent({ keepAlive: false });
    this.agent = agent;
    this.lastAnswerAt = this.now();
    this.terminatesAt = this.grantedMs = 0;
    const old = this.o.cam.events.subscription;
    if (old && reason === "quiet") {
      // Cameras allow few pull points: release the quiet one (best effort, through the agent stop() destroys).
      old.subscriptionReference.address.agent = agent;
      this.o.cam.unsubscribe(() => undefined, true);
    }
    delete this.o.cam.events.subscription;
    this.o.cam.createPullPointSubscription((error, result) => {
      if (gen !== this.generation) return;
      if (error) return this.failed(gen, "CreatePullPointSubscription", error);
      const address = this.o.cam.events.subscription?.subscriptionReference.address;
      if (!address) return this.failed(gen, "CreatePullPointSubscription", new Error("no subscription address in the answer"));
      address.agent = agent;
      this.answered(parseSubscriptionTimes(result), true);
      if (reason) this.o.onResubscribe(reason);
      this.o.logger.debug(`event subscription created${reason ? ` (${reason})` : ""}`);
      this.pull(gen);
    });
  }

  private answered(times: SubscriptionTimes | undefined, grant: boolean): void {
    const now = this.now();
    this.lastAnswerAt = now;
    if (!times) return;
    // Both times are on the camera's clock; only their difference is meaningful here.
    const remaining = times.terminationTime.getTime() - times.currentTime.getTime();
    this.terminatesAt = now + remaining;
    if (grant || remaining > this.grantedMs) this.grantedMs = remaining;
  }

  private pull(gen: number): void {
    const startedAt = this.now();
    this.o.cam.pullMessages({ messageLimit: 10 }, (error, result) => {
      if (gen !== this.generation) return;
      if (error) return this.failed(gen, "PullMessages", error);
      this.failuresInRow = 0; // only a pull that worked proves the subscription works
      this.answered(parseSubscriptionTimes(result), false);
      const messages = asList(dig(result, "notificationMessage"));
      for (const m of messages) {
        const motion = parseMotion(m, this.now());
        if (motion) this.o.onMotion(motion);
      }
      const next = () => (this.shouldRenew() ? this.renew(gen) : this.pull(gen));
      const tooFast = messages.length === 0 && this.now() - startedAt < 200;
      this.timer = setTimeout(next, tooFast ? (this.o.minPullIntervalMs ?? 1000) : 0);
    });
  }

  private shouldRenew(): boolean {
    return this.grantedMs > 0 && this.terminatesAt - this.now() < this.grantedMs / 2;
  }

  private renew(gen: number): void {
    this.o.cam.renew({}, (error, result) => {
      if (gen !== this.generation) return;
      if (error) return this.failed(gen, "Renew", error);
      this.answered(parseSubscriptionTimes(result), true);
      this.o.logger.debug("event subscription renewed");
      this.pull(gen);
    });
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
    // unknown): a new subscription, at once the first time, after retryMs when it keeps failing.
    const wait = this.failuresInRow === 1 ? 0 : this.o.retryMs;
    const why = kind === "unreachable" ? describeNetworkError(error) : formatError(error);
    const line = `event ${operation} failed (${why}); subscribing again${wait ? ` in ${Math.round(wait / 1000)} s` : ""}`;
    if (this.failuresInRow === 1) this.o.logger.debug(line);
    else this.o.logger.warn(line);
    this.lastAnswerAt = this.now() + wait; // the watchdog waits for the retry
    const reason = this.terminatesAt > 0 && this.now() >= this.terminatesAt ? "expired" : "failed";
    this.timer = setTimeout(() => this.subscribe(reason), wait);
  }

  private checkQuiet(): void {
    if (!this.running) return;
    const quietFor = this.now() - this.lastAnswerAt;
    if (quietFor <= this.o.watchdogMs) return;
    this.o.logger.warn(`event subscription quiet for ${Math.round(quietFor / 1000)} s (no answer to PullMessages); subscribing again`);
    this.subscribe("quiet");
  }
}
