// A configured door lock that may not be paired yet. It is "unavailable" (and its state "unknown") until the
// coordinator has interviewed it, then it is the herdsman driver. The delivery service holds this from the start,
// so a lock that joins later needs no restart.
import { EventEmitter } from "node:events";
import type { Clock } from "../access/clock.js";
import type { Interval } from "../access/credential.js";
import { DeviceUnreachableError, formatError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import { HerdsmanLockDriver, type HerdsmanLockDriverOptions } from "../zigbee/herdsman-lock-driver.js";
import type {
  DoorState,
  LockCapabilities,
  LockDriver,
  LockDriverEvents,
  LockIdentity,
  LockState,
  OperationOptions,
  OperationOutcome,
  PinUserType,
  SlotReading,
  WeekDayInterval,
} from "../zigbee/lock-driver.js";
import type { ZigbeeCoordinator } from "../zigbee/zigbee-coordinator.js";

/** Until the lock is interviewed: the widest PIN limits and no slots, so nothing is written to a lock we don't know. */
const UNPAIRED_CAPABILITIES: LockCapabilities = { pinSlots: 0, minPinLength: 4, maxPinLength: 8, yearDaySchedules: 0, weekDaySchedules: 0 };
const EVENT_NAMES: (keyof LockDriverEvents)[] = ["state", "operation", "programming", "lateUnlock", "availability", "battery", "door"];

export class PairedLock implements LockDriver {
  readonly events = new EventEmitter<LockDriverEvents>();
  private inner: HerdsmanLockDriver | undefined;
  private attaching: Promise<void> | undefined;

  constructor(
    private readonly coordinator: ZigbeeCoordinator,
    readonly ieee: string,
    private readonly doorName: string,
    private readonly logger: Logger,
    private readonly clock: Clock,
    /** The wrong-PIN policy the lock's keypad is given when the driver attaches. */
    private readonly keypadLockout?: HerdsmanLockDriverOptions["keypadLockout"],
  ) {}

  get identity(): LockIdentity {
    return this.inner?.identity ?? { ieee: this.ieee, vendor: "unknown", model: "not paired", description: "Not paired yet", supported: false };
  }
  get capabilities(): LockCapabilities {
    return this.inner?.capabilities ?? UNPAIRED_CAPABILITIES;
  }
  get paired(): boolean {
    return this.inner !== undefined;
  }

  /** Attaches to the lock if the coordinator knows it; safe to call again after an interview. */
  attach(): Promise<void> {
    if (this.inner || !this.coordinator.lockInfo(this.ieee)) return Promise.resolve();
    this.attaching ??= (async () => {
      const driver = new HerdsmanLockDriver(this.coordinator, this.ieee, {
        clock: this.clock,
        logger: this.logger,
        ...(this.keypadLockout && { keypadLockout: this.keypadLockout }),
      });
      try {
        await driver.start();
      } catch (error) {
        this.logger.error(`Cannot use the lock ${this.ieee}: ${formatError(error)}`);
        return;
      } finally {
        this.attaching = undefined;
      }
      const relay = this.events as unknown as EventEmitter;
      for (const name of EVENT_NAMES) (driver.events as unknown as EventEmitter).on(name, (...args: unknown[]) => relay.emit(name, ...args));
      this.inner = driver;
      this.logger.info(`Lock ${driver.identity.vendor} ${driver.identity.model} ready (${driver.capabilities.pinSlots} PIN slots).`);
      this.events.emit("availability", { available: driver.isAvailable(), at: this.clock.now() });
      this.events.emit("state", { state: driver.getState(), previous: "unknown", cause: "read", at: this.clock.now() });
    })();
    return this.attaching;
  }

  async stop(): Promise<void> {
    await this.inner?.stop();
  }

  getState(): LockState {
    return this.inner?.getState() ?? "unknown";
  }
  getDoorState(): DoorState {
    return this.inner?.getDoorState() ?? "unknown";
  }
  getBattery(): number | undefined {
    return this.inner?.getBattery();
  }
  isAvailable(): boolean {
    return this.inner?.isAvailable() ?? false;
  }

  lock(options?: OperationOptions): Promise<OperationOutcome> {
    return this.driver().lock(options);
  }
  unlock(options?: OperationOptions): Promise<OperationOutcome> {
    return this.driver().unlock(options);
  }
  setPin(slot: number, pin: string, userType?: PinUserType): Promise<void> {
    return this.driver().setPin(slot, pin, userType);
  }
  clearPin(slot: number): Promise<void> {
    return this.driver().clearPin(slot);
  }
  readSlot(slot: number, compareWith?: string): Promise<SlotReading> {
    return this.driver().readSlot(slot, compareWith);
  }
  setYearDaySchedule(slot: number, interval: Interval, scheduleId?: number): Promise<void> {
    return this.driver().setYearDaySchedule(slot, interval, scheduleId);
  }
  clearYearDaySchedule(slot: number, scheduleId?: number): Promise<void> {
    return this.driver().clearYearDaySchedule(slot, scheduleId);
  }
  setWeekDaySchedule(slot: number, schedule: WeekDayInterval, scheduleId?: number): Promise<void> {
    return this.driver().setWeekDaySchedule(slot, schedule, scheduleId);
  }
  clearWeekDaySchedule(slot: number, scheduleId?: number): Promise<void> {
    return this.driver().clearWeekDaySchedule(slot, scheduleId);
  }
  setKeypadEnabled(enabled: boolean): Promise<void> {
    return this.driver().setKeypadEnabled(enabled);
  }

  private driver(): HerdsmanLockDriver {
    if (!this.inner) throw new DeviceUnreachableError(`${this.doorName}: the lock ${this.ieee} is not paired yet (permit joining and wake the lock).`);
    return this.inner;
  }
}
