// The wrong-PIN lockout reaching the lock's own keypad: while a door is locked out (wrong PINs from the API, Matter or
// the keypad itself), its keypad is turned off (ZCL operating mode Vacation: remote operation still works, so the owner
// and the relock are unaffected), and turned on again when the lockout ends. The lock's answer is checked; a lock
// that cannot turn its keypad off is an alert, never silence.
import { formatError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import { raiseAlert, type DeliveryContext } from "./delivery-context.js";
import type { DoorRuntime } from "./door-runtime.js";
import type { Cancel } from "./relock-scheduler.js";

/** When a write the lock did not take is tried again (ms). */
const RETRY_MS = 30_000;

export class KeypadLockout {
  /** What the lock last confirmed: true = keypad off. Unknown at start, so the first sync always writes. */
  private keypadOff: boolean | undefined;
  private running = false;
  private chain: Promise<void> = Promise.resolve();
  private cancelTimer: Cancel | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly ctx: DeliveryContext,
    private readonly door: DoorRuntime,
  ) {}

  get log(): Logger {
    return this.door.log;
  }

  private get key(): string {
    return `door:${this.door.id}`;
  }

  /** Brings the keypad in line with the (persisted) lockout now, and on every new lockout of this door. */
  start(): Promise<void> {
    this.running = true;
    this.unsubscribe = this.ctx.lockout.onLockedOut((key) => {
      if (key === this.key) this.syncLogged();
    });
    return this.sync();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.cancelTimer?.();
    await this.chain;
  }

  /** One write at a time; each looks at the lockout afresh. */
  private syncLogged(): void {
    this.sync().catch((error: unknown) => this.log.error(`Keypad lockout sync failed: ${formatError(error)}`));
  }

  sync(): Promise<void> {
    this.chain = this.chain.then(() => this.apply());
    return this.chain;
  }

  private async apply(): Promise<void> {
    if (!this.running) return;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    const status = this.ctx.lockout.status(this.key);
    const wanted = status.lockedOut;
    if (wanted !== this.keypadOff) {
      const driver = this.door.driver;
      if (!driver.setKeypadEnabled) {
        if (wanted) raiseAlert(this.ctx, this.door.id, "Wrong-PIN lockout: this lock cannot turn its keypad off, so the keypad still opens with a valid code.");
        this.keypadOff = wanted;
      } else {
        try {
          await driver.setKeypadEnabled(!wanted);
          this.keypadOff = wanted;
          this.ctx.store.audit.append({ type: "door.keypad", actor: "system", doorId: this.door.id, details: { enabled: !wanted, reason: "lockout" } });
          this.log.info(`Keypad ${wanted ? "off for the wrong-PIN lockout" : "on again"}.`);
        } catch (error) {
          // A keypad left on during a lockout is worth a person's attention; one not turned back on is logged and retried.
          if (wanted) raiseAlert(this.ctx, this.door.id, `Wrong-PIN lockout: the lock did not turn its keypad off (${formatError(error)}); retrying.`);
          else this.log.warn(`The lock did not turn its keypad on (${formatError(error)}); retrying.`);
          this.later(RETRY_MS);
          return;
        }
      }
    }
    if (status.lockedOut) this.later(status.retryAfterMs);
  }

  private later(ms: number): void {
    if (!this.running) return;
    this.cancelTimer = this.ctx.scheduler.at(this.ctx.clock.now() + ms, () => this.syncLogged());
  }
}
