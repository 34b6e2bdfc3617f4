// One Zigbee door lock through zigbee-herdsman. Door Lock commands are sent directly (not through converters) so
// that every response status is checked; events are decoded here from the ZCL fields.
import { timingSafeEqual } from "node:crypto";
import { EventEmitter } from "node:events";
import type { Models, Events as ZhEvents } from "zigbee-herdsman";
import { systemClock, type Clock } from "../access/clock.js";
import type { Interval } from "../access/credential.js";
import type { EpochMs } from "../access/ids.js";
import { DeviceRejectedError, DeviceUnreachableError, DoorstepError, NotFoundError, ValidationError } from "../core/errors.js";
import { prefixed, silentLogger, type Logger } from "../core/logger.js";
import { CommandQueue, withRetry, type Priority } from "./command-queue.js";
import type {
  DoorState, LockCapabilities, LockDriver, LockDriverEvents, LockIdentity, LockState, OperationOptions,
  OperationOutcome, PinUserType, SlotReading, StateChange, WeekDayInterval,
} from "./lock-driver.js";
import { LATE_UNLOCK_WINDOW_MS } from "./lock-driver.js";
import {
  USER_TYPE_CODES, decodeDoorState, decodeEventSource, decodeLockState, decodeOperationKind, decodeProgrammingKind,
  decodeUserStatus, isAllUsersId, stateAfterOperation, statusName, toZigbeeLocalTime,
} from "./zcl-door-lock.js";
import { lockEndpoint, type ZigbeeCoordinator } from "./zigbee-coordinator.js";

export interface HerdsmanLockDriverOptions {
  clock?: Clock;
  logger?: Logger;
  /** Waits before the 2nd, 3rd… attempt of a command that got no answer (ms). A refusal is never retried. */
  retryDelaysMs?: readonly number[];
  /** How long herdsman waits for a response frame (ms). */
  responseTimeoutMs?: number;
  /** After an unlock that missed its deadline finally fails, how long a report of "unlocked" still counts as that late unlock (ms). */
  lateUnlockWindowMs?: number;
  /**
   * The wrong-PIN policy the lock's own keypad enforces, written at start (ZCL wrongCodeEntryLimit 0x0030 and
   * userCodeTemporaryDisableTime 0x0031), so keypad guesses meet the same limit as remote ones. Absent: left as the lock has it.
   */
  keypadLockout?: { wrongCodeEntryLimit: number; userCodeTemporaryDisableTime: number };
  /** Read lockState once at start so the state is not "unknown" until the first report (default true). */
  readStateOnStart?: boolean;
  /** The lock's UTC offset for schedule times (minutes east); default: the host's, which herdsman also serves the lock. */
  offsetMinutes?: (at: EpochMs) => number;
}

import { toDriverError } from "./herdsman-errors.js";

type Payload = Record<string, unknown>;
interface RawCommandEndpoint {
  command(cluster: string, command: string, payload: Payload, options: { disableRecovery?: boolean; timeout?: number }): Promise<unknown>;
}

interface PendingLate {
  requestedAt: EpochMs;
  deadlineAt: EpochMs;
  timer?: NodeJS.Timeout;
}

export class HerdsmanLockDriver implements LockDriver {
  readonly events = new EventEmitter<LockDriverEvents>();
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly queue = new CommandQueue();
  private readonly timers = new Set<NodeJS.Timeout>();
  private endpoint: Models.Endpoint | undefined;
  private info: { identity: LockIdentity; capabilities: LockCapabilities } | undefined;
  private state: LockState = "unknown";
  private door: DoorState = "unknown";
  private battery: number | undefined;
  private available = true;
  private pendingLate: PendingLate | undefined;
  private started = false;

  private readonly onMessage = (m: ZhEvents.MessagePayload) => {
    if (m.device.ieeeAddr === this.ieee) this.handleMessage(m);
  };
  private readonly onLeave = (e: { ieeeAddr: string }) => {
    if (e.ieeeAddr === this.ieee) this.setAvailable(false);
  };
  private readonly onAnnounce = (e: { device: Models.Device }) => {
    if (e.device.ieeeAddr === this.ieee) this.setAvailable(true);
  };

  constructor(
    private readonly coordinator: ZigbeeCoordinator,
    readonly ieee: string,
    private readonly options: HerdsmanLockDriverOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.log = prefixed(options.logger ?? silentLogger, () => `Lock ${this.info?.identity.model ?? "?"} [${ieee}]`);
  }

  get identity(): LockIdentity {
    return this.required().identity;
  }
  get capabilities(): LockCapabilities {
    return this.required().capabilities;
  }

  async start(): Promise<void> {
    const info = this.coordinator.lockInfo(this.ieee);
    const device = this.coordinator.device(this.ieee);
    const endpoint = device && lockEndpoint(device);
    if (!info || !endpoint) throw new NotFoundError(`No paired door lock with IEEE address ${this.ieee}; pair it first.`);
    this.info = info;
    this.endpoint = endpoint;
    const ctl = this.coordinator.herdsman();
    ctl.on("message", this.onMessage);
    ctl.on("deviceLeave", this.onLeave);
    ctl.on("deviceAnnounce", this.onAnnounce);
    this.started = true;
    if (this.options.readStateOnStart ?? true) {
      try {
        const r = await this.queue.run("high", () => this.transmit(() => endpoint.read("closuresDoorLock", ["lockState"]), "read lockState"));
        this.setState(decodeLockState((r as Payload).lockState), "read");
      } catch (error) {
        this.log.warn(`Could not read the lock state at start (${errorText(error)}); it stays unknown until the lock reports.`);
      }
    }
    // After the state read, so the lock's state is known first.
    if (this.options.keypadLockout) await this.writeKeypadLockout(endpoint, this.options.keypadLockout);
  }

  /** Writes the keypad's wrong-code policy; herdsman checks each attribute's status in the Write Attributes Response. */
  private async writeKeypadLockout(endpoint: NonNullable<typeof this.endpoint>, policy: NonNullable<HerdsmanLockDriverOptions["keypadLockout"]>): Promise<void> {
    const attributes = { wrongCodeEntryLimit: clampByte(policy.wrongCodeEntryLimit), userCodeTemporaryDisableTime: clampByte(policy.userCodeTemporaryDisableTime) };
    try {
      await this.queue.run("low", () => this.transmit(() => endpoint.write("closuresDoorLock", attributes), "write the keypad lockout"));
      this.log.debug(`keypad lockout: ${attributes.wrongCodeEntryLimit} wrong codes disable the keypad for ${attributes.userCodeTemporaryDisableTime} s`);
    } catch (error) {
      this.log.warn(`The lock did not take the wrong-PIN limit for its keypad (${errorText(error)}); its own limit stays.`);
    }
  }

  /**
   * Operating mode Vacation (0x0025 = 1: only RF operates the lock, the keypad is ignored) or Normal (0). The lock's
   * SupportedOperatingModes (0x0026) is read first: a lock without Vacation is not written to, and says so.
   */
  async setKeypadEnabled(enabled: boolean): Promise<void> {
    const endpoint = this.endpoint;
    if (!endpoint || !this.started) throw new DeviceUnreachableError("the lock driver is not started");
    const mode = enabled ? OPERATING_MODE_NORMAL : OPERATING_MODE_VACATION;
    if (!enabled) {
      const r = await this.queue.run("high", () => this.transmit(() => endpoint.read("closuresDoorLock", ["supportedOperatingModes"]), "read supportedOperatingModes"));
      const supported = Number((r as Payload).supportedOperatingModes ?? 0);
      if (((supported >> OPERATING_MODE_VACATION) & 1) === 0) {
        throw new DeviceRejectedError(`the lock has no Vacation mode (supported operating modes 0x${supported.toString(16)}): its keypad cannot be turned off`);
      }
    }
    // herdsman checks the Write Attributes Response: a refused mode throws with the lock's ZCL status.
    await this.queue.run("high", () => this.transmit(() => endpoint.write("closuresDoorLock", { operatingMode: mode }), `write operatingMode ${mode}`));
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    const ctl = this.coordinator.herdsman();
    ctl.off("message", this.onMessage);
    ctl.off("deviceLeave", this.onLeave);
    ctl.off("deviceAnnounce", this.onAnnounce);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.pendingLate = undefined;
  }

  getState(): LockState { return this.state; }
  getDoorState(): DoorState { return this.door; }
  getBattery(): number | undefined { return this.battery; }
  isAvailable(): boolean { return this.available; }

  // ── Lock and unlock ──

  lock(options: OperationOptions = {}): Promise<OperationOutcome> {
    return this.operate("lock", options);
  }
  unlock(options: OperationOptions = {}): Promise<OperationOutcome> {
    return this.operate("unlock", options);
  }

  private async operate(kind: "lock" | "unlock", opts: OperationOptions): Promise<OperationOutcome> {
    const caps = this.capabilities;
    if (opts.pin !== undefined) this.validatePin(opts.pin);
    else if (caps.requirePinForRf) throw new ValidationError(`this lock requires a PIN to ${kind} over the air`, "pin");
    opts.signal?.throwIfAborted();
    const command = kind === "lock" ? "lockDoor" : "unlockDoor";
    const requestedAt = this.clock.now();
    const previous = this.state;
    this.setState(kind === "lock" ? "locking" : "unlocking", "command");
    const pin = Buffer.from(opts.pin ?? "", "ascii");
    const sent = this.send("high", command, { pincodevalue: pin }, { recovery: true });

    const settled = sent.then(
      () => {
        this.setState(kind === "lock" ? "locked" : "unlocked", "response");
        return { outcome: "confirmed", state: this.state } as OperationOutcome;
      },
      (error: unknown) => {
        // Refused: the bolt did not move; with no answer at all we cannot tell.
        this.setState(error instanceof DeviceRejectedError ? previous : "unknown", "response");
        throw error;
      },
    );
    if (opts.deadlineMs === undefined && !opts.signal) return settled;

    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const cutoff = new Promise<"deadline">((resolve) => {
      if (opts.deadlineMs !== undefined) timer = this.timer(opts.deadlineMs, () => resolve("deadline"));
      if (opts.signal) {
        onAbort = () => resolve("deadline");
        opts.signal.addEventListener("abort", onAbort, { once: true });
      }
    });
    const winner = await Promise.race([settled.then((v) => v, (e: unknown) => ({ error: e })), cutoff]);
    if (timer) this.clearTimer(timer);
    if (onAbort) opts.signal?.removeEventListener("abort", onAbort);
    if (winner !== "deadline") {
      if ("error" in winner) throw winner.error;
      return winner;
    }
    // The frame may still be on its way (herdsman keeps retrying a sleepy lock); from now on only the lock's word counts.
    const deadlineAt = this.clock.now();
    this.setState("unknown", "deadline");
    this.log.warn(`No answer to ${kind} within ${opts.deadlineMs ?? "the caller's"} ms; the state is unknown until the lock reports.`);
    if (kind === "unlock") {
      const late: PendingLate = { requestedAt, deadlineAt };
      this.pendingLate = late;
      settled.then(
        () => this.noteUnlocked(),
        () => {
          if (this.pendingLate !== late) return;
          late.timer = this.timer(this.options.lateUnlockWindowMs ?? LATE_UNLOCK_WINDOW_MS, () => {
            if (this.pendingLate === late) this.pendingLate = undefined;
          });
        },
      );
    } else {
      settled.catch(() => undefined);
    }
    return { outcome: "timed-out", state: "unknown" };
  }

  /** The lock is unlocked: if an unlock had been given up on, it landed late. */
  private noteUnlocked(): void {
    const late = this.pendingLate;
    if (!late) return;
    this.pendingLate = undefined;
    if (late.timer) this.clearTimer(late.timer);
    const observedAt = this.clock.now();
    this.log.warn(`An unlock reported as timed out reached the lock ${Math.round((observedAt - late.deadlineAt) / 1000)} s after its deadline.`);
    this.events.emit("lateUnlock", { requestedAt: late.requestedAt, deadlineAt: late.deadlineAt, observedAt });
  }

  // ── PINs and schedules ──

  async setPin(slot: number, pin: string, userType: PinUserType = "unrestricted"): Promise<void> {
    this.validateSlot(slot);
    this.validatePin(pin);
    await this.send("low", "setPinCode", {
      userid: slot, userstatus: 1, usertype: USER_TYPE_CODES[userType], pincodevalue: Buffer.from(pin, "ascii"),
    });
  }

  async clearPin(slot: number): Promise<void> {
    this.validateSlot(slot);
    await this.send("low", "clearPinCode", { userid: slot });
  }

  async readSlot(slot: number, compareWith?: string): Promise<SlotReading> {
    this.validateSlot(slot);
    const rsp = await this.send("low", "getPinCode", { userid: slot }, { checkStatus: false });
    const status = decodeUserStatus(rsp.userstatus);
    const code = toBuffer(rsp.pincodevalue);
    if (compareWith === undefined || status === "available" || this.capabilities.masksPinsOnRead || looksMasked(code)) {
      return { slot, status };
    }
    const want = Buffer.from(compareWith, "ascii");
    const matches = code.length === want.length && timingSafeEqual(code, want);
    return { slot, status, pinMatches: matches };
  }

  async setYearDaySchedule(slot: number, interval: Interval, scheduleId = 0): Promise<void> {
    this.validateSlot(slot);
    this.validateSchedule("yearDaySchedules", scheduleId);
    if (!(interval.start < interval.end)) throw new ValidationError("must have start < end", "interval");
    const offset = this.options.offsetMinutes;
    await this.send("low", "setYearDaySchedule", {
      scheduleid: scheduleId, userid: slot,
      zigbeelocalstarttime: toZigbeeLocalTime(interval.start, offset),
      zigbeelocalendtime: toZigbeeLocalTime(interval.end, offset),
    });
  }

  async clearYearDaySchedule(slot: number, scheduleId = 0): Promise<void> {
    this.validateSlot(slot);
    this.validateSchedule("yearDaySchedules", scheduleId);
    await this.send("low", "clearYearDaySchedule", { scheduleid: scheduleId, userid: slot });
  }

  async setWeekDaySchedule(slot: number, s: WeekDayInterval, scheduleId = 0): Promise<void> {
    this.validateSlot(slot);
    this.validateSchedule("weekDaySchedules", scheduleId);
    const okHour = (h: number) => Number.isInteger(h) && h >= 0 && h <= 23;
    const okMinute = (m: number) => Number.isInteger(m) && m >= 0 && m <= 59;
    if (!(Number.isInteger(s.daysMask) && s.daysMask > 0 && s.daysMask < 0x80)) throw new ValidationError("must name at least one day", "daysMask");
    if (!okHour(s.startHour) || !okHour(s.endHour) || !okMinute(s.startMinute) || !okMinute(s.endMinute)) {
      throw new ValidationError("hours must be 0–23 and minutes 0–59", "schedule");
    }
    await this.send("low", "setWeekDaySchedule", {
      scheduleid: scheduleId, userid: slot, daysmask: s.daysMask,
      starthour: s.startHour, startminute: s.startMinute, endhour: s.endHour, endminute: s.endMinute,
    });
  }

  async clearWeekDaySchedule(slot: number, scheduleId = 0): Promise<void> {
    this.validateSlot(slot);
    this.validateSchedule("weekDaySchedules", scheduleId);
    await this.send("low", "clearWeekDaySchedule", { scheduleid: scheduleId, userid: slot });
  }

  // ── Sending ──

  /**
   * Queues one Door Lock command, retries it while the lock does not answer, and checks the response status.
   * Programming commands go without herdsman's own recovery ladder (up to ~17 s of blocking per frame): the
   * retries here and the reconciler's backoff are the ones that count. Lock/unlock keep herdsman's recovery.
   */
  private async send(priority: Priority, command: string, payload: Payload, opts: { recovery?: boolean; checkStatus?: boolean } = {}): Promise<Payload> {
    const endpoint = this.endpoint;
    if (!endpoint || !this.started) throw new DeviceUnreachableError("the lock driver is not started");
    // herdsman types each command's payload; ours are built from the ZCL field names above, so one loose signature.
    const raw = endpoint as unknown as RawCommandEndpoint;
    const rsp = await this.queue.run(priority, async () => {
      try {
        return await withRetry(
          () => this.transmit(() => raw.command("closuresDoorLock", command, payload, {
            disableRecovery: !opts.recovery,
            ...(this.options.responseTimeoutMs !== undefined && { timeout: this.options.responseTimeoutMs }),
          }), command),
          this.options.retryDelaysMs ?? [1_000, 3_000],
          (e) => e instanceof DeviceUnreachableError && this.started,
          { clock: this.clock },
        );
      } catch (error) {
        // Unavailable only once every attempt failed, not on one lost frame.
        if (error instanceof DeviceUnreachableError) this.setAvailable(false);
        throw error;
      }
    });
    const body = (rsp ?? {}) as Payload;
    // A lock that does not support a command answers with a Default Response (cmdId, statusCode) instead.
    const isDefault = typeof body.statusCode === "number" && body.status === undefined;
    if (isDefault || opts.checkStatus !== false) {
      const status = isDefault ? body.statusCode : body.status;
      if (typeof status !== "number") throw new DeviceUnreachableError(`${command}: the lock's answer carried no status`);
      if (status !== 0 || (isDefault && opts.checkStatus === false)) {
        const name = statusName(isDefault ? "default" : command, status);
        this.log.warn(`The lock refused ${command}: ${name}.`);
        throw new DeviceRejectedError(`${command} refused by the lock: ${name}`, status);
      }
    }
    return body;
  }

  /** Runs one herdsman call and turns whatever it throws into our typed errors (never its text: it carries payloads). */
  private async transmit<T>(call: () => Promise<T>, what: string): Promise<T> {
    try {
      const out = await call();
      this.setAvailable(true);
      return out;
    } catch (error) {
      throw toDriverError(error, what);
    }
  }

  // ── Incoming ──

  private handleMessage(m: ZhEvents.MessagePayload): void {
    this.setAvailable(true);
    const data = (m.data ?? {}) as Payload;
    const at = this.clock.now();
    if (m.cluster === "closuresDoorLock") {
      if (m.type === "attributeReport" || m.type === "readResponse") {
        if ("lockState" in data) this.setState(decodeLockState(data.lockState), "report");
        if ("doorState" in data) {
          this.door = decodeDoorState(data.doorState);
          this.events.emit("door", { state: this.door, at });
        }
      } else if (m.type === "commandOperationEventNotification") {
        const code = Number(data.opereventcode);
        const source = decodeEventSource(data.opereventsrc);
        const kind = decodeOperationKind(code);
        const userId = Number(data.userid);
        const carriesUser = source === "keypad" || source === "rfid" || source === "fingerprint";
        // The event's `pin` field is dropped here: it never travels further.
        this.events.emit("operation", { source, kind, code, at, ...(carriesUser && Number.isInteger(userId) && !isAllUsersId(userId) && { slot: userId }) });
        const next = stateAfterOperation(kind);
        if (next) this.setState(next, "event");
      } else if (m.type === "commandProgrammingEventNotification") {
        const code = Number(data.programeventcode);
        const userId = Number(data.userid);
        this.events.emit("programming", {
          source: decodeEventSource(data.programeventsrc), kind: decodeProgrammingKind(code), code, at,
          ...(Number.isInteger(userId) && !isAllUsersId(userId) && { slot: userId }),
        });
      }
    } else if (m.cluster === "genPowerCfg" && (m.type === "attributeReport" || m.type === "readResponse")) {
      const v = data.batteryPercentageRemaining;
      // ZCL reports half-percent steps; 0xFF means "unknown".
      if (typeof v === "number" && v >= 0 && v <= 200) {
        this.battery = Math.round(v / 2);
        this.events.emit("battery", { percent: this.battery, at });
      }
    }
  }

  private setState(state: LockState, cause: StateChange["cause"]): void {
    if (state === "unlocked" && cause !== "command") this.noteUnlocked();
    if (state === this.state) return;
    const previous = this.state;
    this.state = state;
    this.events.emit("state", { state, previous, cause, at: this.clock.now() });
  }

  private setAvailable(available: boolean): void {
    if (available === this.available) return;
    this.available = available;
    if (!available) this.log.warn("The lock is not answering; check its batteries and distance to the coordinator.");
    else this.log.info("The lock is answering again.");
    this.events.emit("availability", { available, at: this.clock.now() });
  }

  // ── Validation ──

  private validatePin(pin: string): void {
    const { minPinLength: min, maxPinLength: max } = this.capabilities;
    if (!/^[0-9]+$/.test(pin)) throw new ValidationError("PIN must be digits only", "pin");
    if (pin.length < min || pin.length > max) throw new ValidationError(`PIN must have ${min}–${max} digits for this lock`, "pin");
  }

  private validateSlot(slot: number): void {
    const caps = this.capabilities;
    if (!Number.isInteger(slot) || slot < 0 || slot >= caps.pinSlots) {
      throw new ValidationError(`must be an integer 0–${caps.pinSlots - 1} on this lock`, "slot");
    }
    if (caps.reservedSlots?.includes(slot)) throw new ValidationError(`slot ${slot} is reserved on this lock`, "slot");
  }

  private validateSchedule(kind: "yearDaySchedules" | "weekDaySchedules", scheduleId: number): void {
    const n = this.capabilities[kind];
    if (n <= 0) throw new ValidationError(`this lock keeps no ${kind === "yearDaySchedules" ? "year-day" : "week-day"} schedules`, "schedule");
    if (!Number.isInteger(scheduleId) || scheduleId < 0 || scheduleId >= n) throw new ValidationError(`must be 0–${n - 1}`, "scheduleId");
  }

  private required(): { identity: LockIdentity; capabilities: LockCapabilities } {
    if (!this.info) throw new DeviceUnreachableError(`the lock driver for ${this.ieee} is not started`);
    return this.info;
  }

  // Real time, not the Clock: the deadline of a Zigbee request to a real lock.
  private timer(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
    return t;
  }

  private clearTimer(t: NodeJS.Timeout): void {
    clearTimeout(t);
    this.timers.delete(t);
  }
}

function errorText(error: unknown): string {
  return error instanceof DoorstepError ? error.message : "unexpected error";
}

function toBuffer(v: unknown): Buffer {
  if (Buffer.isBuffer(v)) return v;
  if (typeof v === "string") return Buffer.from(v, "ascii");
  if (Array.isArray(v)) return Buffer.from(v.filter((x): x is number => typeof x === "number"));
  return Buffer.alloc(0);
}

/** A read-back that hides the code (0xFF bytes or asterisks) cannot be compared. */
function looksMasked(code: Buffer): boolean {
  return code.length > 0 && code.every((b) => b === 0xff || b === 0x2a);
}

/** ZCL Door Lock OperatingMode values (7.3.2.2.17). */
const OPERATING_MODE_NORMAL = 0;
const OPERATING_MODE_VACATION = 1;

/** ZCL uint8 attributes (1..255): the limit a lock can hold, never 0 (which would mean "no limit" on some locks). */
function clampByte(n: number): number {
  return Math.max(1, Math.min(255, Math.round(n)));
}
