// Keeps one door's lock keypad in step with the credential store, through the zigbee SlotReconciler.
// Desired = live credentials with mode keypad|both for this door, each with its active windows over a horizon.
import { activeWindows } from "../access/active-windows.js";
import type { Clock } from "../access/clock.js";
import type { DoorId } from "../access/ids.js";
import { formatError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { Store } from "../store/store.js";
import type { LockDriver } from "../zigbee/lock-driver.js";
import { SlotReconciler, type DesiredCredential } from "../zigbee/slot-reconciler.js";
import { KeyedTimers, type Scheduler } from "./relock-scheduler.js";
import { StoreSlotRepository } from "./store-slot-repository.js";

export interface CredentialSyncOptions {
  doorId: DoorId;
  driver: LockDriver;
  store: Store;
  clock: Clock;
  scheduler: Scheduler;
  logger: Logger;
  /** How far ahead windows are computed; a pass is due again before it runs out (default 7 days). */
  horizonMs?: number;
  /**
   * Longest time between two passes (default 60 s): picks up changes made by another process (the `doorstep guest`
   * CLI on the same storage). A pass only sends the lock what differs, so an idle pass costs no radio frame.
   */
  pollMs?: number;
}

const DEFAULT_HORIZON_MS = 7 * 86_400_000;
const DEFAULT_POLL_MS = 60_000;

/** One door's keypad PIN sync: reconciles on start, on credential changes, at window edges and on programming events. */
export class CredentialSync {
  readonly reconciler: SlotReconciler;
  private readonly timers: KeyedTimers;
  private stopped = true;
  private current: Promise<void> | undefined;
  private readonly onDrift = () => this.schedule();

  constructor(private readonly options: CredentialSyncOptions) {
    this.reconciler = new SlotReconciler({
      lockKey: options.doorId,
      driver: options.driver,
      repository: new StoreSlotRepository(options.store.slots),
      clock: options.clock,
      logger: options.logger,
    });
    this.timers = new KeyedTimers(options.scheduler);
  }

  start(): Promise<void> {
    this.stopped = false;
    this.reconciler.start();
    this.reconciler.events.on("drift", this.onDrift);
    return this.resync();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.clearAll();
    this.reconciler.events.off("drift", this.onDrift);
    await this.reconciler.stop();
  }

  /** The credentials that belong on this lock from now on, read fresh from the store. */
  desired(): DesiredCredential[] {
    const { store, doorId, clock, driver } = this.options;
    const now = clock.now();
    const horizon = now + (this.options.horizonMs ?? DEFAULT_HORIZON_MS);
    const caps = driver.capabilities;
    const out: DesiredCredential[] = [];
    for (const credential of store.credentials.list({ doorId })) {
      if (credential.mode === "remote") continue;
      const usage = store.credentials.usage(credential.id) ?? { uses: 0 };
      const windows = activeWindows(credential, now, horizon, usage);
      if (windows.length === 0) continue;
      const pin = store.credentials.revealPin(credential.id);
      if (pin.length < caps.minPinLength || pin.length > caps.maxPinLength) {
        // Never fatal for the others: this one code cannot live on this lock.
        this.options.logger.warn(`Credential ${credential.id} ("${credential.label}") has a PIN length this lock does not accept; it works remotely only.`);
        continue;
      }
      out.push({ credentialId: credential.id, pin, windows });
    }
    return out;
  }

  /** Resolves once no pass is running (one started meanwhile is waited for too). */
  async idle(): Promise<void> {
    while (this.current) await this.current;
  }

  /** Recomputes the desired set and reconciles now; errors are logged, and a later pass is always scheduled. */
  private resyncLogged(): void {
    this.resync().catch((error: unknown) => this.options.logger.error(`PIN sync failed: ${formatError(error)}`));
  }

  resync(): Promise<void> {
    const run = this.pass().finally(() => {
      if (this.current === run) this.current = undefined;
    });
    this.current = run;
    return run;
  }

  private async pass(): Promise<void> {
    if (this.stopped) return;
    try {
      // A lock not paired yet (or with no keypad) reports no slots: touch nothing until it does.
      if (this.options.driver.capabilities.pinSlots === 0) return;
      this.reconciler.setDesired(this.desired());
      await this.reconciler.reconcile();
    } catch (error) {
      this.options.logger.error(`PIN sync failed: ${formatError(error)}`);
    } finally {
      this.scheduleNext();
    }
  }

  /** A pass soon (without awaiting it): for events that arrive inside other work. */
  schedule(): void {
    if (this.stopped) return;
    this.timers.set("now", this.options.clock.now(), () => this.resyncLogged());
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    const now = this.options.clock.now();
    const poll = now + (this.options.pollMs ?? DEFAULT_POLL_MS);
    const wake = Math.min(this.reconciler.nextWakeAt() ?? poll, poll);
    this.timers.set("wake", Math.max(wake, now + 1), () => this.resyncLogged());
  }
}
