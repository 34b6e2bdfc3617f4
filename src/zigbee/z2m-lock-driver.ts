// One door lock through an existing Zigbee2MQTT, over its MQTT broker. Zigbee2MQTT answers no command: every outcome
// here is the lock's own word as Zigbee2MQTT relays it — a lock_state report or an operation event for lock/unlock,
// a one-slot read-back (`users`) for PIN writes — and Zigbee2MQTT's error log line for a command it could not deliver.
import { timingSafeEqual } from "node:crypto";
import { EventEmitter } from "node:events";
import { systemClock, type Clock } from "../access/clock.js";
import type { EpochMs } from "../access/ids.js";
import { DeviceRejectedError, DeviceUnreachableError, formatError, ValidationError } from "../core/errors.js";
import { prefixed, silentLogger, type Logger } from "../core/logger.js";
import { CommandQueue } from "./command-queue.js";
import type {
  DoorState, LockCapabilities, LockDriver, LockDriverEvents, LockIdentity, LockState, OperationEvent, OperationOptions,
  OperationOutcome, PinUserType, SlotReading, StateChange,
} from "./lock-driver.js";
import { LATE_UNLOCK_WINDOW_MS } from "./lock-driver.js";
import type { Z2mConnection } from "./z2m-connection.js";
import { findDevice, lockProfile, parseDevices, type Z2mDevice, type Z2mDeviceRef, type Z2mLockProfile } from "./z2m-exposes.js";
import {
  READ_STATE_COMMAND, asObject, clearPinCommand, decodeDeviceMessage, decodeOnline, isPublishFailure, lockCommand, parseJson,
  readSlotCommand, setPinCommand, stateAfter, z2mTopics, type DeviceMessage, type SlotStatus,
} from "./z2m-payload.js";

export interface Z2mLockDriverOptions {
  connection: Z2mConnection;
  /** Zigbee2MQTT's base topic (its `mqtt.base_topic`, default "zigbee2mqtt"). */
  baseTopic: string;
  device: Z2mDeviceRef;
  /** Slot count when neither the exposes nor Doorstep's device table know it. */
  pinSlots?: number;
  clock?: Clock;
  logger?: Logger;
  /** How long a lock/unlock without a caller deadline waits for the lock's state (ms, default 15000). */
  commandTimeoutMs?: number;
  /** How long a PIN write or slot read waits for the lock's read-back (ms, default 15000). */
  slotTimeoutMs?: number;
  /** State reads, one a second, after Zigbee2MQTT comes online before its `online` is trusted anyway (default 8). */
  readyProbes?: number;
  /** How long a slot read-back that repeats Zigbee2MQTT's cached value waits for a different answer (ms, default 1000). */
  readSettleMs?: number;
  /** After an unlock gave up, how long a report of "unlocked" still counts as that late unlock (ms, default 60000). */
  lateUnlockWindowMs?: number;
}

const NOT_FOUND_CAPABILITIES: LockCapabilities = { pinSlots: 0, minPinLength: 4, maxPinLength: 8, yearDaySchedules: 0, weekDaySchedules: 0 };

interface StateWaiter {
  target: "locked" | "unlocked";
  /** The lock was there already: a read-back showing the same state counts. */
  acceptSame: boolean;
  resolve: () => void;
  reject: (error: Error) => void;
}

interface SlotWaiter {
  slot: number;
  /** Zigbee2MQTT's cached `users.N` when the read was asked: every later message repeats it until the answer changes it. */
  cached: SlotStatus | undefined;
  settle?: NodeJS.Timeout;
  resolve: (r: { status: SlotStatus; pin?: string }) => void;
  reject: (error: Error) => void;
}

interface PendingLate {
  requestedAt: EpochMs;
  deadlineAt: EpochMs;
  timer?: NodeJS.Timeout;
}

export class Z2mLockDriver implements LockDriver {
  readonly events = new EventEmitter<LockDriverEvents>();
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly conn: Z2mConnection;
  private readonly base: string;
  private readonly queue = new CommandQueue();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly stateWaiters = new Set<StateWaiter>();
  private slotWaiter: SlotWaiter | undefined;
  /** `users.N` statuses as Zigbee2MQTT last relayed them (it caches and repeats them). */
  private readonly cachedUsers = new Map<number, SlotStatus>();
  private device: Z2mDevice | undefined;
  private profile: Z2mLockProfile | undefined;
  private subscribedName: string | undefined;
  private state: LockState = "unknown";
  /** The last lock_state Zigbee2MQTT relayed; it repeats it from its cache in every later message. */
  private reported: LockState | undefined;
  private door: DoorState = "unknown";
  private battery: number | undefined;
  private bridgeOnline = false;
  /** Set while a live `online` waits for Zigbee2MQTT to relay the lock again. */
  private probing: NodeJS.Timeout | undefined;
  /** The device's availability topic, when Zigbee2MQTT's availability feature is on (else undefined: not known). */
  private deviceOnline: boolean | undefined;
  private available = false;
  private pendingLate: PendingLate | undefined;
  private started = false;

  private readonly onMessage = (topic: string, payload: Buffer, retained: boolean) => this.handle(topic, payload, retained);
  private readonly onConnected = () => this.refreshAvailability();
  private readonly onDisconnected = () => {
    // Zigbee2MQTT's own `offline` will may never reach us: without the broker the bridge is unknown.
    this.bridgeOnline = false;
    this.stopProbing();
    this.refreshAvailability();
  };

  constructor(private readonly options: Z2mLockDriverOptions) {
    this.clock = options.clock ?? systemClock;
    this.conn = options.connection;
    this.base = options.baseTopic;
    const ref = options.device;
    this.log = prefixed(options.logger ?? silentLogger, () => `Lock ${ref.kind === "ieee" ? ref.ieee : ref.name} (Zigbee2MQTT)`);
  }

  get identity(): LockIdentity {
    const ref = this.options.device;
    return this.profile?.identity ?? {
      ieee: ref.kind === "ieee" ? ref.ieee : "unknown", vendor: "unknown", model: "not found in Zigbee2MQTT", description: "Not found yet", supported: false,
    };
  }
  get capabilities(): LockCapabilities {
    return this.profile?.capabilities ?? NOT_FOUND_CAPABILITIES;
  }
  /** The device's current friendly name, once Zigbee2MQTT has listed it. */
  get friendlyName(): string | undefined {
    return this.device?.friendlyName;
  }

  /** Subscribes to the bridge topics; the lock becomes available when Zigbee2MQTT lists it and says it is online. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.conn.events.on("message", this.onMessage);
    this.conn.events.on("connected", this.onConnected);
    this.conn.events.on("disconnected", this.onDisconnected);
    await this.conn.subscribe(z2mTopics.bridgeState(this.base));
    await this.conn.subscribe(z2mTopics.bridgeDevices(this.base));
    await this.conn.subscribe(z2mTopics.bridgeLogging(this.base));
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.conn.events.off("message", this.onMessage);
    this.conn.events.off("connected", this.onConnected);
    this.conn.events.off("disconnected", this.onDisconnected);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const stopped = new DeviceUnreachableError("the lock driver stopped");
    for (const w of [...this.stateWaiters]) w.reject(stopped);
    this.slotWaiter?.reject(stopped);
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
    if (opts.pin !== undefined) this.validatePin(opts.pin);
    opts.signal?.throwIfAborted();
    const name = this.ready();
    const target = kind === "lock" ? "locked" : "unlocked";
    const requestedAt = this.clock.now();
    const previous = this.state;
    const acceptSame = this.reported === target;
    const commandTimeoutMs = this.options.commandTimeoutMs ?? 15_000;
    const confirmed = this.waitForState(target, acceptSame, opts.deadlineMs === undefined ? commandTimeoutMs : Math.max(opts.deadlineMs, commandTimeoutMs));
    this.setState(kind === "lock" ? "locking" : "unlocking", "command");
    const settled = (async () => {
      await this.conn.publish(z2mTopics.set(this.base, name), lockCommand(kind, opts.pin));
      // A lock already in the target state reports no change: ask for its state so its own word still settles the call.
      if (acceptSame) await this.conn.publish(z2mTopics.get(this.base, name), READ_STATE_COMMAND);
      await confirmed;
      return { outcome: "confirmed", state: this.state } as OperationOutcome;
    })().catch((error: unknown) => {
      this.dropWaiter(confirmed);
      this.setState(error instanceof DeviceRejectedError ? previous : "unknown", "response");
      throw error;
    });
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
    // Zigbee2MQTT may still deliver the frame (it retries a sleepy lock): from now on only the lock's word counts.
    const deadlineAt = this.clock.now();
    this.setState("unknown", "deadline");
    this.log.warn(`No confirmation of ${kind} within ${opts.deadlineMs ?? "the caller's"} ms; the state is unknown until the lock reports.`);
    if (kind === "unlock") {
      const late: PendingLate = { requestedAt, deadlineAt };
      this.pendingLate = late;
      settled.then(
        () => undefined, // the report that settled it also ran noteUnlocked
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

  private waitForState(target: "locked" | "unlocked", acceptSame: boolean, timeoutMs: number): Promise<void> {
    let waiter!: StateWaiter;
    const p = new Promise<void>((resolve, reject) => {
      const timer = this.timer(timeoutMs, () => finish(() => reject(new DeviceUnreachableError(`the lock did not report the ${target === "locked" ? "lock" : "unlock"} within ${timeoutMs / 1000} s`))));
      const finish = (fn: () => void) => {
        this.clearTimer(timer);
        this.stateWaiters.delete(waiter);
        fn();
      };
      waiter = { target, acceptSame, resolve: () => finish(resolve), reject: (e) => finish(() => reject(e)) };
    });
    this.stateWaiters.add(waiter);
    this.waiterOf.set(p, waiter);
    return p;
  }
  private readonly waiterOf = new WeakMap<Promise<void>, StateWaiter>();
  private dropWaiter(p: Promise<void>): void {
    const w = this.waiterOf.get(p);
    if (w && this.stateWaiters.has(w)) w.reject(new DeviceUnreachableError("abandoned"));
    p.catch(() => undefined);
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

  // ── PINs ──

  /** `set pin_code`, then a one-slot read-back: resolves only when the lock shows the slot enabled (and the PIN, when exposed, equal). */
  async setPin(slot: number, pin: string, userType: PinUserType = "unrestricted"): Promise<void> {
    this.validateSlot(slot);
    this.validatePin(pin);
    if (userType === "year-day" || userType === "week-day") throw new ValidationError("Zigbee2MQTT keeps no lock schedules; the bridge enforces the window", "userType");
    await this.queue.run("low", async () => {
      const name = this.ready();
      await this.expectNoFailure("pin_code", () => this.conn.publish(z2mTopics.set(this.base, name), setPinCommand(slot, pin, userType)));
      const r = await this.readBack(name, slot);
      if (r.status !== "enabled") throw new DeviceRejectedError(`setPinCode not taken by the lock: slot ${slot} reads back ${r.status}`);
      if (r.pin !== undefined && !this.profile?.capabilities.masksPinsOnRead && !samePin(r.pin, pin)) {
        throw new DeviceRejectedError(`setPinCode: slot ${slot} reads back a different code`);
      }
    });
  }

  async clearPin(slot: number): Promise<void> {
    this.validateSlot(slot);
    await this.queue.run("low", async () => {
      const name = this.ready();
      await this.expectNoFailure("pin_code", () => this.conn.publish(z2mTopics.set(this.base, name), clearPinCommand(slot)));
      const r = await this.readBack(name, slot);
      if (r.status !== "available") throw new DeviceRejectedError(`clearPinCode not taken by the lock: slot ${slot} reads back ${r.status}`);
    });
  }

  async readSlot(slot: number, compareWith?: string): Promise<SlotReading> {
    this.validateSlot(slot);
    return this.queue.run("low", async () => {
      const r = await this.readBack(this.ready(), slot);
      if (compareWith === undefined || r.status === "available" || r.pin === undefined || this.capabilities.masksPinsOnRead || /^[*]+$/.test(r.pin)) {
        return { slot, status: r.status };
      }
      return { slot, status: r.status, pinMatches: samePin(r.pin, compareWith) };
    });
  }

  setYearDaySchedule(): Promise<void> {
    return Promise.reject(new ValidationError("this lock keeps no year-day schedules through Zigbee2MQTT", "schedule"));
  }
  clearYearDaySchedule(): Promise<void> {
    return Promise.reject(new ValidationError("this lock keeps no year-day schedules through Zigbee2MQTT", "schedule"));
  }
  setWeekDaySchedule(): Promise<void> {
    return Promise.reject(new ValidationError("this lock keeps no week-day schedules through Zigbee2MQTT", "schedule"));
  }
  clearWeekDaySchedule(): Promise<void> {
    return Promise.reject(new ValidationError("this lock keeps no week-day schedules through Zigbee2MQTT", "schedule"));
  }

  /** Publishes, and fails fast when Zigbee2MQTT logs that it could not deliver that key to this device. */
  private async expectNoFailure(key: string, publish: () => Promise<void>): Promise<void> {
    // Zigbee2MQTT handles one device's messages in order: a failure line for this key arrives before the answer to the read after it.
    this.failureKey = key;
    await publish();
  }
  private failureKey: string | undefined;

  /** `get {"pin_code":{"user":N}}` and the `users.N` it brings back. */
  private readBack(name: string, slot: number): Promise<{ status: SlotStatus; pin?: string }> {
    const timeoutMs = this.options.slotTimeoutMs ?? 15_000;
    return new Promise((resolve, reject) => {
      const timer = this.timer(timeoutMs, () => done(() => reject(new DeviceUnreachableError(`slot ${slot}: the lock did not answer the read-back within ${timeoutMs / 1000} s`))));
      const done = (fn: () => void) => {
        this.clearTimer(timer);
        if (waiter.settle) this.clearTimer(waiter.settle);
        if (this.slotWaiter === waiter) this.slotWaiter = undefined;
        this.failureKey = undefined;
        fn();
      };
      const waiter: SlotWaiter = { slot, cached: this.cachedUsers.get(slot), resolve: (r) => done(() => resolve(r)), reject: (e) => done(() => reject(e)) };
      this.slotWaiter = waiter;
      this.conn.publish(z2mTopics.get(this.base, name), readSlotCommand(slot)).catch((e: unknown) => waiter.reject(e instanceof Error ? e : new DeviceUnreachableError("publish failed")));
    });
  }

  // ── Incoming ──

  private handle(topic: string, payload: Buffer, retained = false): void {
    const name = this.device?.friendlyName;
    if (topic === z2mTopics.bridgeState(this.base)) {
      const online = decodeOnline(payload);
      if (online === undefined) return;
      if (!online) {
        if (this.bridgeOnline) this.log.warn("Zigbee2MQTT is offline; the lock is unavailable until it is back.");
        this.bridgeOnline = false;
        this.stopProbing();
      } else if (retained) {
        // A retained `online` is a Zigbee2MQTT that has been running: it takes commands.
        this.bridgeOnline = true;
      } else if (!this.bridgeOnline) {
        // A live `online` comes before Zigbee2MQTT subscribes to commands (and, after a restart, before its
        // extensions run): the lock is available once Zigbee2MQTT relays something of it again.
        this.startProbing();
      }
      this.refreshAvailability();
    } else if (topic === z2mTopics.bridgeDevices(this.base)) {
      this.onDevices(parseDevices(parseJson(payload)));
    } else if (topic === z2mTopics.bridgeLogging(this.base)) {
      const body = asObject(parseJson(payload));
      if (!body || !name) return;
      if (isPublishFailure(body, name, "state")) {
        for (const w of [...this.stateWaiters]) w.reject(new DeviceUnreachableError("Zigbee2MQTT could not deliver the command to the lock"));
      }
      if (this.slotWaiter && this.failureKey && isPublishFailure(body, name, this.failureKey)) {
        this.slotWaiter.reject(new DeviceUnreachableError("Zigbee2MQTT could not deliver the PIN command to the lock"));
      }
    } else if (name && topic === z2mTopics.availability(this.base, name)) {
      if (this.probing) this.onBridgeReady();
      const online = decodeOnline(payload);
      this.deviceOnline = payload.length === 0 ? undefined : online;
      this.refreshAvailability();
    } else if (name && topic === z2mTopics.device(this.base, name)) {
      if (this.probing) this.onBridgeReady();
      const body = asObject(parseJson(payload));
      if (body) this.onDeviceMessage(decodeDeviceMessage(body, this.clock.now()));
    }
  }

  /** Asks for the lock's state every second (a few times) until Zigbee2MQTT relays something of the lock. */
  private startProbing(): void {
    if (this.probing) return;
    let tries = 0;
    const probe = () => {
      const name = this.device?.friendlyName;
      if (++tries > (this.options.readyProbes ?? 8)) {
        // Nothing came back (the lock may be asleep): trust Zigbee2MQTT's `online` after all.
        this.onBridgeReady();
        return;
      }
      if (name) void this.conn.publish(z2mTopics.get(this.base, name), READ_STATE_COMMAND).catch(() => undefined);
      this.probing = this.timer(1_000, probe);
    };
    this.probing = this.timer(0, probe);
  }

  private stopProbing(): void {
    if (this.probing) this.clearTimer(this.probing);
    this.probing = undefined;
  }

  private onBridgeReady(): void {
    this.stopProbing();
    if (!this.bridgeOnline) this.log.info("Zigbee2MQTT is online.");
    this.bridgeOnline = true;
    this.refreshAvailability();
  }

  private onDevices(devices: Z2mDevice[]): void {
    const found = findDevice(devices, this.options.device);
    const before = this.device;
    this.device = found;
    if (!found) {
      if (before) this.log.warn("Zigbee2MQTT no longer lists the lock; pair it in Zigbee2MQTT again.");
      else this.log.warn("Zigbee2MQTT does not list this lock (yet); pair it in Zigbee2MQTT, then it is picked up.");
      this.profile = undefined;
      this.follow(undefined).catch((error: unknown) => this.log.warn(`Cannot unsubscribe from the lock's topics: ${formatError(error)}`));
      this.refreshAvailability();
      return;
    }
    const profile = lockProfile(found, this.options.pinSlots);
    const first = !this.profile;
    this.profile = profile;
    if (first) {
      const slots = profile.slotsFrom === "none" && profile.capabilities.pinSlots === 0
        ? "no PIN slots known: set lock.pinSlots for this door to use its keypad"
        : `${profile.capabilities.pinSlots} PIN slots (from ${profile.slotsFrom})`;
      this.log.info(`Found ${profile.identity.vendor} ${profile.identity.model} as "${found.friendlyName}": ${slots}.`);
    }
    this.follow(found.friendlyName).then(() => {
      if (first || before?.friendlyName !== found.friendlyName) {
        return this.conn.publish(z2mTopics.get(this.base, found.friendlyName), READ_STATE_COMMAND).catch(() => undefined);
      }
    }).catch((error: unknown) => this.log.warn(`Cannot subscribe to the lock's topics: ${formatError(error)}`));
    this.refreshAvailability();
  }

  /** (Re)subscribes to the device's topics under its current friendly name. */
  private async follow(name: string | undefined): Promise<void> {
    const old = this.subscribedName;
    if (old === name) return;
    this.subscribedName = name;
    this.reported = undefined;
    this.deviceOnline = undefined;
    if (old !== undefined) {
      await this.conn.unsubscribe(z2mTopics.device(this.base, old)).catch(() => undefined);
      await this.conn.unsubscribe(z2mTopics.availability(this.base, old)).catch(() => undefined);
    }
    if (name !== undefined) {
      await this.conn.subscribe(z2mTopics.device(this.base, name));
      await this.conn.subscribe(z2mTopics.availability(this.base, name));
    }
  }

  private onDeviceMessage(m: DeviceMessage): void {
    if (m.operation) this.onOperation(m.operation);
    if (m.programming) this.events.emit("programming", m.programming);
    if (m.lockState) {
      const fresh = m.lockState !== this.reported;
      this.reported = m.lockState;
      if (fresh) this.setState(m.lockState, "report");
      else for (const w of [...this.stateWaiters]) if (w.acceptSame && w.target === m.lockState) {
        this.setState(m.lockState, "read");
        w.resolve();
      }
    }
    if (m.doorState && m.doorState !== this.door) {
      this.door = m.doorState;
      this.events.emit("door", { state: this.door, at: this.clock.now() });
    }
    if (m.battery !== undefined && m.battery !== this.battery) {
      this.battery = m.battery;
      this.events.emit("battery", { percent: m.battery, at: this.clock.now() });
    }
    const w = this.slotWaiter;
    const user = w && m.users.find((u) => u.slot === w.slot);
    for (const u of m.users) this.cachedUsers.set(u.slot, u.status);
    if (!w || !user) return;
    const answer = { status: user.status, ...(user.pin !== undefined && { pin: user.pin }) };
    // A value different from the cached one is the lock's answer. The same value may be the cache repeated by an
    // unrelated message, or an answer that changed nothing: it stands once no different answer follows shortly.
    if (user.status !== w.cached) w.resolve(answer);
    else w.settle ??= this.timer(this.options.readSettleMs ?? 1_000, () => w.resolve(answer));
  }

  private onOperation(e: OperationEvent): void {
    this.events.emit("operation", e);
    const next = stateAfter(e);
    if (next) this.setState(next, "event");
    if (e.source === "rf" && (e.kind === "unlock-failure-invalid-pin" || e.kind === "lock-failure-invalid-pin" ||
      e.kind === "unlock-failure-invalid-schedule" || e.kind === "lock-failure-invalid-schedule")) {
      for (const w of [...this.stateWaiters]) w.reject(new DeviceRejectedError(`the lock refused the command (${e.kind})`, e.code));
    }
  }

  private setState(state: LockState, cause: StateChange["cause"]): void {
    if (state === "unlocked" && cause !== "command") this.noteUnlocked();
    if (cause !== "command" && cause !== "deadline" && cause !== "response") {
      for (const w of [...this.stateWaiters]) if (w.target === state) w.resolve();
    }
    if (state === this.state) return;
    const previous = this.state;
    this.state = state;
    this.events.emit("state", { state, previous, cause, at: this.clock.now() });
  }

  private refreshAvailability(): void {
    const available = this.started && this.conn.connected && this.bridgeOnline && this.device !== undefined &&
      this.device.supported && !this.device.disabled && this.deviceOnline !== false;
    if (available === this.available) return;
    this.available = available;
    if (available) this.log.info("The lock is available through Zigbee2MQTT.");
    else this.log.warn("The lock is unavailable (broker, Zigbee2MQTT or the lock itself is not answering).");
    this.events.emit("availability", { available, at: this.clock.now() });
  }

  // ── Validation ──

  /** The friendly name to address, or DeviceUnreachableError when nothing can be sent right now (nothing is queued). */
  private ready(): string {
    const name = this.device?.friendlyName;
    if (!this.started || !name) throw new DeviceUnreachableError("the lock is not known to Zigbee2MQTT yet");
    if (!this.available) throw new DeviceUnreachableError("the lock is unavailable through Zigbee2MQTT");
    return name;
  }

  private validatePin(pin: string): void {
    const { minPinLength: min, maxPinLength: max } = this.capabilities;
    if (!/^[0-9]+$/.test(pin)) throw new ValidationError("PIN must be digits only", "pin");
    if (pin.length < min || pin.length > max) throw new ValidationError(`PIN must have ${min}–${max} digits for this lock`, "pin");
  }

  private validateSlot(slot: number): void {
    const caps = this.capabilities;
    if (!Number.isInteger(slot) || slot < 0 || slot >= caps.pinSlots) {
      throw new ValidationError(caps.pinSlots === 0 ? "this lock has no known PIN slots" : `must be an integer 0–${caps.pinSlots - 1} on this lock`, "slot");
    }
    if (caps.reservedSlots?.includes(slot)) throw new ValidationError(`slot ${slot} is reserved on this lock`, "slot");
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

function samePin(a: string, b: string): boolean {
  const x = Buffer.from(a, "ascii");
  const y = Buffer.from(b, "ascii");
  return x.length === y.length && timingSafeEqual(x, y);
}

