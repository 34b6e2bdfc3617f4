// Test doubles of the delivery service's dependencies (never of the service itself): a lock with a motor and scripted
// answers, a recorder whose gate and visits are observable, driven by a TestClock.
import { EventEmitter } from "node:events";
import type { TestClock } from "../../src/access/test-clock.js";
import type { Interval } from "../../src/access/credential.js";
import type { EpochMs, VisitId } from "../../src/access/ids.js";
import type { BeginVisitOptions, EndVisitOptions, Recorder, RecorderHealth, VisitClip } from "../../src/camera/recorder.js";
import { DeviceRejectedError, DeviceUnreachableError } from "../../src/core/errors.js";
import type {
  DoorState, LockCapabilities, LockDriver, LockDriverEvents, LockIdentity, LockState, OperationEvent, OperationOptions,
  OperationOutcome, PinUserType, SlotReading, WeekDayInterval,
} from "../../src/zigbee/lock-driver.js";

/** A shared log of side effects across doubles, to assert their order. */
export type Trace = string[];

/** What the next lock/unlock command does; "hold": nothing until release() answers it. */
export type Answer = "confirm" | "time-out" | "reject" | "unreachable" | "hold";

/** A Kwikset-like keypad lock: 30 PIN slots, no in-lock schedules. */
export const KEYPAD_LOCK: LockCapabilities = { pinSlots: 30, minPinLength: 4, maxPinLength: 8, yearDaySchedules: 0, weekDaySchedules: 0 };

/** A lock with a bolt and a PIN table: state, state events, scripted lock/unlock answers, a log of PIN commands. */
export class TestLock implements LockDriver {
  readonly events = new EventEmitter<LockDriverEvents>();
  readonly identity: LockIdentity = { ieee: "0x00000000000000aa", vendor: "Test", model: "TEST-LOCK", description: "test double", supported: true };
  capabilities: LockCapabilities = KEYPAD_LOCK;
  state: LockState = "locked";
  available = true;
  readonly pins = new Map<number, { pin: string; type: PinUserType }>();
  /** PIN-table commands received, e.g. "setPin 0", "clearPin 0". */
  readonly commands: string[] = [];
  readonly unlockAnswers: Answer[] = [];
  readonly lockAnswers: Answer[] = [];
  unlocks = 0;
  locks = 0;
  /** Called as the unlock command is sent, to observe what was committed before it. */
  onUnlock: (() => void) | undefined;
  /** The next this-many PIN-table commands are lost on the air (DeviceUnreachableError). */
  droppedPinFrames = 0;
  /** When a PIN-table frame was last lost. */
  lastDroppedAt: EpochMs | undefined;
  private readonly held: { target: LockState; resolve: (o: OperationOutcome) => void; reject: (e: unknown) => void }[] = [];

  constructor(private readonly trace: Trace, private readonly clock: TestClock) {}

  getState(): LockState { return this.state; }
  getDoorState(): DoorState { return "closed"; }
  getBattery(): number | undefined { return 90; }
  isAvailable(): boolean { return this.available; }

  async unlock(_options?: OperationOptions): Promise<OperationOutcome> {
    this.unlocks++;
    this.trace.push("lock.unlock");
    this.onUnlock?.();
    return this.answer(this.unlockAnswers.shift() ?? "confirm", "unlocked");
  }

  async lock(_options?: OperationOptions): Promise<OperationOutcome> {
    this.locks++;
    this.trace.push("lock.lock");
    return this.answer(this.lockAnswers.shift() ?? "confirm", "locked");
  }

  async setPin(slot: number, pin: string, type: PinUserType = "unrestricted"): Promise<void> {
    this.commands.push(`setPin ${slot}`);
    this.dropFrame();
    // Like most locks: a code may live in one slot only (ZCL status 0x03 DUPLICATE_CODE).
    for (const [s, p] of this.pins) if (s !== slot && p.pin === pin) throw new DeviceRejectedError(`duplicate in slot ${s}`, 3);
    this.pins.set(slot, { pin, type });
  }
  async clearPin(slot: number): Promise<void> {
    this.commands.push(`clearPin ${slot}`);
    this.dropFrame();
    this.pins.delete(slot);
  }
  async readSlot(slot: number, compareWith?: string): Promise<SlotReading> {
    this.commands.push(`readSlot ${slot}`);
    const p = this.pins.get(slot);
    return p ? { slot, status: "enabled", ...(compareWith !== undefined && { pinMatches: p.pin === compareWith }) } : { slot, status: "available" };
  }
  async setYearDaySchedule(slot: number, _interval: Interval): Promise<void> { this.commands.push(`setYearDay ${slot}`); }
  async clearYearDaySchedule(slot: number): Promise<void> { this.commands.push(`clearYearDay ${slot}`); }
  async setWeekDaySchedule(slot: number, _schedule: WeekDayInterval): Promise<void> { this.commands.push(`setWeekDay ${slot}`); }
  async clearWeekDaySchedule(slot: number): Promise<void> { this.commands.push(`clearWeekDay ${slot}`); }

  /** The lock reports a state by itself (a report, the late landing of a command). */
  report(state: LockState): void {
    const previous = this.state;
    this.state = state;
    this.events.emit("state", { state, previous, cause: "report", at: this.clock.now() });
  }

  /** Someone typed a code on the keypad and the lock opened for slot `slot`. */
  keypadUnlock(slot: number | undefined): void {
    this.report("unlocked");
    const e: OperationEvent = { source: "keypad", kind: "unlock", code: 2, at: this.clock.now(), ...(slot !== undefined && { slot }) };
    this.events.emit("operation", e);
  }

  private dropFrame(): void {
    if (this.droppedPinFrames <= 0) return;
    this.droppedPinFrames--;
    this.lastDroppedAt = this.clock.now();
    throw new DeviceUnreachableError("the frame was lost");
  }

  /** Commands held so far ("hold"). */
  get holding(): number {
    return this.held.length;
  }

  /** Answers every held command as `answer`. */
  release(answer: Exclude<Answer, "hold">): void {
    for (const h of this.held.splice(0)) this.answer(answer, h.target).then(h.resolve, h.reject);
  }

  private async answer(answer: Answer, target: LockState): Promise<OperationOutcome> {
    if (answer === "hold") return new Promise((resolve, reject) => this.held.push({ target, resolve, reject }));
    await Promise.resolve();
    switch (answer) {
      case "confirm":
        this.report(target);
        return { outcome: "confirmed", state: target };
      case "time-out":
        this.state = "unknown";
        return { outcome: "timed-out", state: "unknown" };
      case "reject":
        throw new DeviceRejectedError("the lock answered FAILURE", 1);
      case "unreachable":
        throw new DeviceUnreachableError("the lock did not answer");
    }
  }
}

/** A recorder whose gate is a flag; it records what the flow asked of it. */
export class TestRecorder implements Recorder {
  recording = true;
  /** The recorder dies the moment a visit begins (between the gate and the unlock). */
  dieOnBegin = false;
  readonly begun = new Map<VisitId, BeginVisitOptions>();
  readonly ended = new Map<VisitId, EndVisitOptions>();
  readonly recovered: VisitId[] = [];
  /** Visits begun by an earlier "process" (survive a simulated crash). */
  readonly onDisk = new Set<VisitId>();

  constructor(private readonly trace: Trace, private readonly clock: TestClock) {}

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  health(): RecorderHealth {
    return this.recording
      ? { state: "recording", lastFrameAt: this.clock.now(), newestSegmentAt: this.clock.now(), message: "recording" }
      : { state: "stalled", since: this.clock.now(), lastFrameAt: undefined, message: "no frames" };
  }
  isRecording(): boolean { return this.recording; }
  beginVisit(visitId: VisitId, options: BeginVisitOptions): void {
    this.trace.push("recorder.beginVisit");
    this.begun.set(visitId, options);
    this.onDisk.add(visitId);
    if (this.dieOnBegin) this.recording = false;
  }
  async endVisit(visitId: VisitId, options: EndVisitOptions): Promise<VisitClip> {
    this.trace.push("recorder.endVisit");
    if (!this.begun.has(visitId)) throw new Error(`no such visit ${visitId}`);
    this.ended.set(visitId, options);
    return this.clip(visitId, this.begun.get(visitId)!.preRollMs + options.postRollMs);
  }
  async recoverVisit(visitId: VisitId): Promise<VisitClip> {
    this.trace.push("recorder.recoverVisit");
    if (!this.onDisk.has(visitId)) throw new Error(`nothing on disk for ${visitId}`);
    this.recovered.push(visitId);
    return this.clip(visitId, 1000);
  }
  openVisits(): VisitId[] { return [...this.begun.keys()].filter((v) => !this.ended.has(v)); }

  private clip(visitId: VisitId, durationMs: number): VisitClip {
    const now = this.clock.now();
    return { visitId, parts: [{ path: `/clips/${visitId}/part-0.mp4`, durationMs, firstFrameAt: now - durationMs, lastFrameAt: now, segments: 3 }], gaps: [] };
  }
}
