// The simulated camera's PullPoint subscriptions (ONVIF Events §9.1): each has its own address, queue and
// termination time; PullMessages long-polls until a message arrives or the requested Timeout (capped) ends.
// "Silent" makes PullMessages never answer, as the Reolink/Tapo subscriptions that die without a fault do.

import { escapeXml, isoTime } from "./onvif-sim-soap.js";

export interface SimMessage {
  readonly topic: string;
  readonly utcTime: number;
  readonly operation: "Initialized" | "Changed";
  readonly source: readonly [string, string][];
  readonly data: readonly [string, string][];
}

interface Waiter {
  readonly resolve: (messages: SimMessage[]) => void;
  readonly timer: NodeJS.Timeout | undefined;
  readonly limit: number;
}

export interface Subscription {
  readonly id: number;
  terminatesAt: number;
  readonly queue: SimMessage[];
  waiter: Waiter | undefined;
}

export type PullResult =
  | { readonly kind: "messages"; readonly subscription: Subscription; readonly messages: SimMessage[] }
  | { readonly kind: "unknown" }
  | { readonly kind: "silent" };

export const MOTION_TOPIC = "tns1:RuleEngine/CellMotionDetector/Motion";

/** Hikvision's shape for the cell motion detector: the rule's source tokens, then IsMotion. */
export function motionMessage(active: boolean, utcTime: number, operation: SimMessage["operation"]): SimMessage {
  return {
    topic: MOTION_TOPIC,
    utcTime,
    operation,
    source: [
      ["VideoSourceConfigurationToken", "VideoSourceToken"],
      ["VideoAnalyticsConfigurationToken", "VideoAnalyticsToken"],
      ["Rule", "MyMotionDetectorRule"],
    ],
    data: [["IsMotion", active ? "true" : "false"]],
  };
}

export function notificationXml(m: SimMessage): string {
  const items = (list: readonly [string, string][]) =>
    list.map(([n, v]) => `<tt:SimpleItem Name="${escapeXml(n)}" Value="${escapeXml(v)}"/>`).join("");
  return (
    `<wsnt:NotificationMessage>` +
    `<wsnt:Topic Dialect="http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet">${escapeXml(m.topic)}</wsnt:Topic>` +
    `<wsnt:Message><tt:Message UtcTime="${isoTime(m.utcTime)}" PropertyOperation="${m.operation}">` +
    `<tt:Source>${items(m.source)}</tt:Source><tt:Data>${items(m.data)}</tt:Data>` +
    `</tt:Message></wsnt:Message></wsnt:NotificationMessage>`
  );
}

export interface EventServiceOptions {
  /** The camera's clock (skew included). */
  readonly now: () => number;
  /** Longest PullMessages wait, whatever the client asked (real cameras cap it too). */
  readonly maxPullWaitMs: number;
  /** Longest subscription lifetime granted by Create and Renew. */
  readonly maxLifetimeMs: number;
}

export class SimEventService {
  private readonly subs = new Map<number, Subscription>();
  private nextId = 1;
  private silent = false;
  private motionActive = false;
  /** Requests held forever while silent; answered never, closed at stop(). */
  private readonly held = new Set<() => void>();

  constructor(private readonly o: EventServiceOptions) {}

  setSilent(silent: boolean): void {
    this.silent = silent;
  }

  create(requestedMs: number | undefined): Subscription {
    this.expire();
    const now = this.o.now();
    const sub: Subscription = {
      id: this.nextId++,
      terminatesAt: now + Math.min(requestedMs ?? this.o.maxLifetimeMs, this.o.maxLifetimeMs),
      // A new subscription first reports the current state of each property (ONVIF Events §9.2 "Initialized").
      queue: [motionMessage(this.motionActive, now, "Initialized")],
      waiter: undefined,
    };
    this.subs.set(sub.id, sub);
    return sub;
  }

  get(id: number): Subscription | undefined {
    this.expire();
    return this.subs.get(id);
  }

  renew(sub: Subscription, requestedMs: number | undefined): void {
    sub.terminatesAt = this.o.now() + Math.min(requestedMs ?? this.o.maxLifetimeMs, this.o.maxLifetimeMs);
  }

  unsubscribe(sub: Subscription): void {
    this.subs.delete(sub.id);
    this.answer(sub, []);
  }

  /** Long-polls one subscription. */
  pull(id: number, timeoutMs: number, limit: number): Promise<PullResult> {
    const sub = this.get(id);
    if (!sub) return Promise.resolve({ kind: "unknown" });
    if (this.silent) {
      return new Promise((resolve) => this.held.add(() => resolve({ kind: "silent" })));
    }
    if (sub.queue.length > 0 || timeoutMs <= 0) {
      return Promise.resolve({ kind: "messages", subscription: sub, messages: sub.queue.splice(0, limit) });
    }
    this.answer(sub, []); // a second pull on the same subscription ends the first
    return new Promise((resolve) => {
      const wait = Math.min(timeoutMs, this.o.maxPullWaitMs, Math.max(0, sub.terminatesAt - this.o.now()));
      const timer = setTimeout(() => this.answer(sub, []), wait);
      sub.waiter = { resolve: (messages) => resolve({ kind: "messages", subscription: sub, messages }), timer, limit };
    });
  }

  /** Queues a motion edge on every live subscription and wakes their pulls. */
  publishMotion(active: boolean): void {
    this.motionActive = active;
    this.expire();
    const m = motionMessage(active, this.o.now(), "Changed");
    for (const sub of this.subs.values()) {
      sub.queue.push(m);
      if (sub.waiter && !this.silent) this.answer(sub, sub.queue.splice(0, sub.waiter.limit));
    }
  }

  /** How many subscriptions are alive (for tests). */
  get size(): number {
    this.expire();
    return this.subs.size;
  }

  /** Ends every pending and held pull; the HTTP layer closes their sockets. */
  stop(): void {
    for (const sub of this.subs.values()) this.answer(sub, []);
    this.subs.clear();
    for (const release of this.held) release();
    this.held.clear();
  }

  private answer(sub: Subscription, messages: SimMessage[]): void {
    const w = sub.waiter;
    if (!w) return;
    sub.waiter = undefined;
    clearTimeout(w.timer);
    w.resolve(messages);
  }

  private expire(): void {
    const now = this.o.now();
    for (const [id, sub] of this.subs) {
      if (sub.terminatesAt <= now) {
        this.answer(sub, []);
        this.subs.delete(id);
      }
    }
  }
}
