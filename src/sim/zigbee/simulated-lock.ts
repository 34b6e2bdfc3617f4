// A simulated Zigbee door lock: genBasic / genPowerCfg / genIdentify / Door Lock servers and a Time client on
// one endpoint, speaking ZCL frames over the coordinator's link. Everything it receives is logged with the raw
// bytes, for golden checks and for "the lock never received an unlock frame".
import { EventEmitter } from "node:events";
import {
  DoorLockCluster,
  type DoorLockEvent,
  type DoorLockSnapshot,
  type KeypadOutcome,
  LockState,
  type SetPinStatus,
  ZIGBEE_EPOCH_MS,
} from "./door-lock-cluster.js";
import type { LockProfile } from "./lock-profiles.js";
import type { SimScheduler } from "./scheduler.js";
import type { BindingEntry, SimDevice, SimEndpoint, SimLink } from "./sim-device.js";
import {
  ClusterId,
  DEVICE_ID_DOOR_LOCK,
  DoorLockRsp,
  OPERATION_EVENT_LAYOUT,
  PROFILE_HA,
  PROGRAMMING_EVENT_LAYOUT,
  TimeAttr,
  attributeByName,
  doorLockCommand,
  findAttribute,
} from "./zcl-clusters.js";
import {
  type ReadRecord,
  ZclDataType,
  ZclDecodeError,
  ZclDirection,
  type ZclFields,
  type ZclFrame,
  ZclFrameType,
  ZclGlobal,
  ZclStatus,
  type ZclValue,
  decodeAttributeRecords,
  decodeConfigureReporting,
  decodeReadAttributes,
  decodeReadAttributesResponse,
  decodeZclFields,
  decodeZclFrame,
  encodeAttributeRecords,
  encodeDefaultResponse,
  encodeReadAttributes,
  encodeReadAttributesResponse,
  encodeStatusRecords,
  encodeZclFields,
  encodeZclFrame,
} from "./zcl-frame.js";

const UNSUPPORTED_CLUSTER = 0xc3;

/** One ZCL frame the lock received over the air. PINs appear only in `raw`, never in `fields`. */
export interface ReceivedCommand {
  readonly seq: number;
  readonly atMs: number;
  readonly clusterId: number;
  readonly frameType: "global" | "specific";
  readonly commandId: number;
  /** e.g. "unlockDoor", "read", "configReport". */
  readonly name: string;
  readonly tsn: number;
  /** The ZCL frame exactly as received (header + payload). */
  readonly raw: Buffer;
  /** Decoded fields with any PIN replaced by "<n digits>". */
  readonly fields: Record<string, unknown>;
}

export interface ReceivedCommandJson {
  readonly seq: number;
  readonly at: string;
  readonly cluster: string;
  readonly frameType: "global" | "specific";
  readonly command: string;
  readonly commandId: number;
  readonly tsn: number;
  readonly rawHex: string;
  readonly fields: Record<string, unknown>;
}

/** One ZCL frame the lock sent. */
export interface SentFrame {
  readonly atMs: number;
  readonly clusterId: number;
  readonly frameType: "global" | "specific";
  readonly commandId: number;
  readonly name: string;
  readonly raw: Buffer;
}

/** Observable state of a simulated lock (for tests and the control endpoint). */
export interface SimulatedLockState extends DoorLockSnapshot {
  readonly id: string;
  readonly profile: string;
  readonly ieee: string;
  readonly nwk: number;
  readonly joined: boolean;
  readonly batteryPercent: number;
}

export interface SimulatedLockEvents {
  commandReceived: [ReceivedCommand];
  frameSent: [SentFrame];
  lockStateChanged: [LockState];
  doorLockEvent: [DoorLockEvent];
  clockSynced: [number];
}

export interface SimulatedLockOptions {
  readonly id: string;
  readonly profile: LockProfile;
  readonly ieee: string;
  readonly nwk: number;
  readonly scheduler: SimScheduler;
  /** Delay between a command's response and the events it causes (motor time), ms. Default 20. */
  readonly eventDelayMs?: number;
  /** Size of the received-command log ring. Default 2000. */
  readonly logLimit?: number;
}

const GLOBAL_NAMES: Record<number, string> = {
  [ZclGlobal.READ]: "read",
  [ZclGlobal.READ_RSP]: "readRsp",
  [ZclGlobal.WRITE]: "write",
  [ZclGlobal.WRITE_UNDIV]: "writeUndiv",
  [ZclGlobal.WRITE_RSP]: "writeRsp",
  [ZclGlobal.WRITE_NO_RSP]: "writeNoRsp",
  [ZclGlobal.CONFIG_REPORT]: "configReport",
  [ZclGlobal.CONFIG_REPORT_RSP]: "configReportRsp",
  [ZclGlobal.REPORT]: "report",
  [ZclGlobal.DEFAULT_RSP]: "defaultRsp",
  [ZclGlobal.DISCOVER]: "discover",
};

export class SimulatedLock extends EventEmitter<SimulatedLockEvents> implements SimDevice {
  readonly id: string;
  readonly profile: LockProfile;
  readonly ieee: string;
  nwk: number;
  readonly logicalType = 2;
  readonly macCapabilities = 0x80;
  readonly manufacturerCode: number;
  readonly endpoints: readonly SimEndpoint[];
  readonly doorLock: DoorLockCluster;
  /** Every ZCL frame received, oldest first (bounded by `logLimit`). */
  readonly received: ReceivedCommand[] = [];
  readonly sent: SentFrame[] = [];
  batteryPercent = 90;
  private link?: SimLink;
  private readonly bindings: BindingEntry[] = [];
  private readonly reporting = new Map<string, { minInterval: number; maxInterval: number }>();
  private tsn = 0;
  private seq = 0;
  private readonly pendingEvents: DoorLockEvent[] = [];
  private flushScheduled = false;
  private readonly timeWaiters = new Map<number, (localTime: number) => void>();
  private readonly basic: Record<string, ZclValue>;

  constructor(private readonly options: SimulatedLockOptions) {
    super();
    this.id = options.id;
    this.profile = options.profile;
    this.ieee = options.ieee;
    this.nwk = options.nwk;
    this.manufacturerCode = options.profile.manufacturerCode;
    this.endpoints = [
      {
        id: options.profile.endpoint,
        profileId: PROFILE_HA,
        deviceId: DEVICE_ID_DOOR_LOCK,
        deviceVersion: 0,
        inClusters: [ClusterId.BASIC, ClusterId.POWER_CFG, ClusterId.IDENTIFY, ClusterId.DOOR_LOCK],
        outClusters: [ClusterId.TIME, ClusterId.OTA],
      },
    ];
    this.basic = {
      zclVersion: 2,
      appVersion: 1,
      stackVersion: 2,
      hwVersion: 1,
      manufacturerName: options.profile.manufacturerName,
      modelId: options.profile.modelId,
      dateCode: options.profile.dateCode,
      powerSource: 3, // battery
      swBuildId: options.profile.swBuildId,
    };
    this.doorLock = new DoorLockCluster(options.profile.lock, options.scheduler, (e) => this.onDoorLockEvent(e));
  }

  get joined(): boolean {
    return this.link !== undefined;
  }
  get endpointId(): number {
    return this.profile.endpoint;
  }

  // ---- SimDevice

  attach(link: SimLink | undefined): void {
    this.link = link;
  }

  bind(entry: BindingEntry, add: boolean): number {
    const i = this.bindings.findIndex((b) => b.clusterId === entry.clusterId && b.dstIeee === entry.dstIeee && b.dstEndpoint === entry.dstEndpoint);
    if (add) {
      if (i < 0) this.bindings.push(entry);
      // A real lock asks for the time once it is bound to a controller; schedules need a clock.
      if (entry.clusterId === ClusterId.DOOR_LOCK) this.options.scheduler.after(50, () => void this.syncClock().catch(() => undefined));
      return 0;
    }
    if (i < 0) return 0x88; // NO_ENTRY
    this.bindings.splice(i, 1);
    return 0;
  }

  receiveZcl(srcEndpoint: number, dstEndpoint: number, clusterId: number, zcl: Buffer): void {
    let frame: ZclFrame;
    try {
      frame = decodeZclFrame(zcl);
    } catch {
      return; // not even a header: a real device drops it
    }
    const h = frame.header;
    const reply = (frameType: ZclFrameType, commandId: number, payload: Buffer) =>
      this.transmit(clusterId, dstEndpoint, srcEndpoint, frameType, commandId, payload, h.tsn);
    const defaultRsp = (status: number) => reply(ZclFrameType.GLOBAL, ZclGlobal.DEFAULT_RSP, encodeDefaultResponse(h.commandId, status));
    const log = (name: string, fields: Record<string, unknown>) => this.logReceived(clusterId, h.frameType, h.commandId, name, h.tsn, zcl, fields);

    if (!this.endpoints.some((e) => e.id === dstEndpoint)) return;
    if (h.frameType === ZclFrameType.GLOBAL) {
      const name = GLOBAL_NAMES[h.commandId] ?? `global-0x${h.commandId.toString(16)}`;
      try {
        this.handleGlobal(clusterId, frame, name, log, reply, defaultRsp);
      } catch (e) {
        if (e instanceof ZclDecodeError) {
          log(name, { malformed: e.message });
          defaultRsp(ZclStatus.MALFORMED_COMMAND);
        } else throw e;
      }
      return;
    }
    // cluster-specific
    if (clusterId === ClusterId.DOOR_LOCK && h.direction === ZclDirection.CLIENT_TO_SERVER) {
      const spec = doorLockCommand(h.commandId);
      if (!spec) {
        log(`doorLock-0x${h.commandId.toString(16)}`, {});
        defaultRsp(ZclStatus.UNSUP_CLUSTER_COMMAND);
        return;
      }
      let fields: ZclFields;
      try {
        fields = decodeZclFields(frame.payload, spec.request);
      } catch (e) {
        log(spec.name, { malformed: e instanceof Error ? e.message : String(e) });
        defaultRsp(ZclStatus.MALFORMED_COMMAND);
        return;
      }
      log(spec.name, redact(fields));
      const result = this.doorLock.handleCommand(spec.name, fields);
      if (result.kind === "response") reply(ZclFrameType.SPECIFIC, spec.id, encodeZclFields(result.fields, spec.response));
      else defaultRsp(result.status);
      this.scheduleFlush();
      return;
    }
    if (clusterId === ClusterId.IDENTIFY) {
      log(h.commandId === 0 ? "identify" : `identify-0x${h.commandId.toString(16)}`, {});
      if (h.commandId === 0 || h.commandId === 1) {
        if (!h.disableDefaultResponse) defaultRsp(ZclStatus.SUCCESS);
      } else defaultRsp(ZclStatus.UNSUP_CLUSTER_COMMAND);
      return;
    }
    log(`0x${clusterId.toString(16)}-0x${h.commandId.toString(16)}`, {});
    defaultRsp(this.servesCluster(clusterId) ? ZclStatus.UNSUP_CLUSTER_COMMAND : UNSUPPORTED_CLUSTER);
  }

  // ---- observability and physical actions

  state(): SimulatedLockState {
    return {
      ...this.doorLock.snapshot(),
      id: this.id,
      profile: this.profile.key,
      ieee: this.ieee,
      nwk: this.nwk,
      joined: this.joined,
      batteryPercent: this.batteryPercent,
    };
  }

  /** The received-command log in a JSON-friendly shape (raw bytes as hex), newest last; for the control endpoint. */
  receivedLog(limit = 100): ReceivedCommandJson[] {
    return this.received.slice(-limit).map((c) => ({
      seq: c.seq,
      at: new Date(c.atMs).toISOString(),
      cluster: `0x${c.clusterId.toString(16).padStart(4, "0")}`,
      frameType: c.frameType,
      command: c.name,
      commandId: c.commandId,
      tsn: c.tsn,
      rawHex: c.raw.toString("hex"),
      fields: c.fields,
    }));
  }

  /** Received commands of one name, e.g. `commandsNamed("unlockDoor")`. */
  commandsNamed(name: string): ReceivedCommand[] {
    return this.received.filter((c) => c.name === name);
  }

  /** Resolves with the next received command that matches (by name or predicate), or rejects after `timeoutMs`. */
  waitForCommand(match: string | ((c: ReceivedCommand) => boolean), timeoutMs = 10_000): Promise<ReceivedCommand> {
    const test = typeof match === "string" ? (c: ReceivedCommand) => c.name === match : match;
    return new Promise((resolve, reject) => {
      const onCmd = (c: ReceivedCommand) => {
        if (!test(c)) return;
        clearTimeout(timer);
        this.off("commandReceived", onCmd);
        resolve(c);
      };
      const timer = setTimeout(() => {
        this.off("commandReceived", onCmd);
        reject(new Error(`lock ${this.id}: no matching command within ${timeoutMs} ms`));
      }, timeoutMs);
      this.on("commandReceived", onCmd);
    });
  }

  /** A person types `pin` on the keypad and presses unlock. */
  typeKeypadPin(pin: string): KeypadOutcome {
    const r = this.doorLock.keypadUnlock(pin);
    this.scheduleFlush();
    return r;
  }
  /** The keypad's one-touch lock button. */
  pressKeypadLock(): void {
    this.doorLock.keypadLock();
    this.scheduleFlush();
  }
  /** Someone turns the thumb turn inside. */
  turnThumb(action: "lock" | "unlock"): void {
    this.doorLock.manual(action);
    this.scheduleFlush();
  }
  /** A PIN programmed at the keypad (master-code menu); the lock sends a programming event. */
  programPinAtKeypad(userId: number, pin: string): SetPinStatus {
    const r = this.doorLock.keypadProgramPin(userId, pin);
    this.scheduleFlush();
    return r;
  }
  /** A PIN deleted at the keypad; the lock sends a programming event. */
  deletePinAtKeypad(userId: number): boolean {
    const r = this.doorLock.keypadDeletePin(userId);
    this.scheduleFlush();
    return r;
  }
  /** Changes the battery level (0-100 %) and reports batteryPercentageRemaining. */
  setBattery(percent: number): void {
    if (!(percent >= 0 && percent <= 100)) throw new RangeError(`battery percent must be 0-100, got ${percent}`);
    this.batteryPercent = percent;
    this.report(ClusterId.POWER_CFG, [{ attrId: 0x0021, dataType: ZclDataType.UINT8, value: Math.round(percent * 2) }]);
  }
  /** Sets the lock's clock directly (as its own keypad menu would), to a Date interpreted as lock-local wall time in UTC fields. */
  setClock(localTime: Date | number): void {
    const t = typeof localTime === "number" ? localTime : Math.floor((localTime.getTime() - ZIGBEE_EPOCH_MS) / 1000);
    this.doorLock.syncClock(t);
    this.emit("clockSynced", t);
  }

  /** Reads the coordinator's Time cluster (time, timeZone, localTime) and sets the lock's clock from it. */
  syncClock(timeoutMs = 5000): Promise<number> {
    if (!this.link) return Promise.reject(new Error(`lock ${this.id} has not joined`));
    const tsn = this.nextTsn();
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.timeWaiters.delete(tsn);
        reject(new Error(`lock ${this.id}: no genTime read response within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
      this.timeWaiters.set(tsn, (t) => {
        clearTimeout(timer);
        resolve(t);
      });
      this.transmit(
        ClusterId.TIME,
        this.endpointId,
        this.destinationEndpoint(ClusterId.TIME),
        ZclFrameType.GLOBAL,
        ZclGlobal.READ,
        encodeReadAttributes([TimeAttr.TIME, TimeAttr.TIME_ZONE, TimeAttr.LOCAL_TIME]),
        tsn,
        ZclDirection.CLIENT_TO_SERVER,
        false,
      );
    });
  }

  /**
   * The emulator's reset for tests that share one paired lock: the Door Lock cluster back to its factory state, battery
   * 90 %, events not yet sent dropped, the received/sent logs emptied. Nothing is sent; the network membership stays.
   */
  reset(): void {
    this.doorLock.reset();
    this.batteryPercent = 90;
    this.pendingEvents.length = 0;
    this.clearLogs();
  }

  /** Empties the received/sent logs (e.g. once a test's preparation is done, so its frame counts start at zero). */
  clearLogs(): void {
    this.received.length = 0;
    this.sent.length = 0;
  }

  /** Stops timers (auto-relock) and forgets the link. */
  dispose(): void {
    this.doorLock.dispose();
    this.link = undefined;
    this.timeWaiters.clear();
  }

  // ---- internals

  private servesCluster(clusterId: number): boolean {
    return this.endpoints.some((e) => e.inClusters.includes(clusterId));
  }

  private handleGlobal(
    clusterId: number,
    frame: ZclFrame,
    name: string,
    log: (name: string, fields: Record<string, unknown>) => void,
    reply: (t: ZclFrameType, cmd: number, payload: Buffer) => void,
    defaultRsp: (status: number) => void,
  ): void {
    const h = frame.header;
    switch (h.commandId) {
      case ZclGlobal.READ: {
        const ids = decodeReadAttributes(frame.payload);
        log(name, { attributes: ids });
        if (!this.servesCluster(clusterId)) return defaultRsp(UNSUPPORTED_CLUSTER);
        const records: ReadRecord[] = ids.map((attrId) => {
          const spec = findAttribute(clusterId, attrId);
          const value = spec ? this.readAttribute(clusterId, spec.name) : undefined;
          return spec && value !== undefined ? { attrId, status: 0, dataType: spec.type, value } : { attrId, status: ZclStatus.UNSUPPORTED_ATTRIBUTE };
        });
        return reply(ZclFrameType.GLOBAL, ZclGlobal.READ_RSP, encodeReadAttributesResponse(records));
      }
      case ZclGlobal.WRITE:
      case ZclGlobal.WRITE_UNDIV:
      case ZclGlobal.WRITE_NO_RSP: {
        const recs = decodeAttributeRecords(frame.payload);
        log(name, { attributes: recs.map((r) => ({ attrId: r.attrId, value: Buffer.isBuffer(r.value) ? r.value.toString("hex") : r.value })) });
        const failures: { status: number; attrId: number }[] = [];
        const check = recs.map((r) => {
          const spec = findAttribute(clusterId, r.attrId);
          if (!spec) return { attrId: r.attrId, status: ZclStatus.UNSUPPORTED_ATTRIBUTE };
          if (spec.type !== r.dataType) return { attrId: r.attrId, status: ZclStatus.INVALID_DATA_TYPE };
          if (!spec.writable) return { attrId: r.attrId, status: ZclStatus.READ_ONLY };
          return { attrId: r.attrId, status: ZclStatus.SUCCESS, spec, value: r.value };
        });
        const undivided = h.commandId === ZclGlobal.WRITE_UNDIV;
        if (undivided && check.some((c) => c.status !== 0)) failures.push(...check.filter((c) => c.status !== 0));
        else
          for (const c of check) {
            if (c.status !== 0 || !("spec" in c) || !c.spec) {
              failures.push(c);
              continue;
            }
            const st = clusterId === ClusterId.DOOR_LOCK ? this.doorLock.writeAttribute(c.spec.name, c.value as number | boolean) : ZclStatus.READ_ONLY;
            if (st !== 0) failures.push({ attrId: c.attrId, status: st });
          }
        if (h.commandId !== ZclGlobal.WRITE_NO_RSP) reply(ZclFrameType.GLOBAL, ZclGlobal.WRITE_RSP, encodeStatusRecords(failures, false));
        return;
      }
      case ZclGlobal.CONFIG_REPORT: {
        const cfgs = decodeConfigureReporting(frame.payload);
        log(name, { records: cfgs.map((c) => ({ ...c, reportableChange: c.reportableChange === undefined ? undefined : String(c.reportableChange) })) });
        const failures: { status: number; attrId: number; direction: number }[] = [];
        for (const c of cfgs) {
          const spec = findAttribute(clusterId, c.attrId);
          if (!spec) failures.push({ status: ZclStatus.UNSUPPORTED_ATTRIBUTE, attrId: c.attrId, direction: c.direction });
          else if (!spec.reportable) failures.push({ status: ZclStatus.UNREPORTABLE_ATTRIBUTE, attrId: c.attrId, direction: c.direction });
          else if (c.direction === 0) this.reporting.set(`${clusterId}/${c.attrId}`, { minInterval: c.minInterval ?? 0, maxInterval: c.maxInterval ?? 0 });
        }
        return reply(ZclFrameType.GLOBAL, ZclGlobal.CONFIG_REPORT_RSP, encodeStatusRecords(failures, true));
      }
      case ZclGlobal.READ_RSP: {
        const recs = decodeReadAttributesResponse(frame.payload);
        log(name, { records: recs.map((r) => ({ attrId: r.attrId, status: r.status, value: "value" in r ? r.value : undefined })) });
        if (clusterId === ClusterId.TIME) this.onTimeReadResponse(h.tsn, recs);
        return;
      }
      case ZclGlobal.DEFAULT_RSP:
      case ZclGlobal.WRITE_RSP:
      case ZclGlobal.CONFIG_REPORT_RSP:
        log(name, {});
        return;
      default:
        log(name, {});
        return defaultRsp(ZclStatus.UNSUP_GENERAL_COMMAND);
    }
  }

  private readAttribute(clusterId: number, name: string): ZclValue | undefined {
    switch (clusterId) {
      case ClusterId.BASIC:
        return this.basic[name];
      case ClusterId.POWER_CFG:
        if (name === "batteryPercentageRemaining") return Math.round(this.batteryPercent * 2);
        if (name === "batteryVoltage") return Math.round(48 + (this.batteryPercent / 100) * 12); // 4.8-6.0 V in 100 mV
        if (name === "batteryAlarmState") return this.batteryPercent < 15 ? 1 : 0;
        return undefined;
      case ClusterId.IDENTIFY:
        return name === "identifyTime" ? 0 : undefined;
      case ClusterId.DOOR_LOCK:
        return this.doorLock.readAttribute(name);
      default:
        return undefined;
    }
  }

  private onTimeReadResponse(tsn: number, recs: ReadRecord[]): void {
    const val = (id: number) => {
      const r = recs.find((x) => x.attrId === id);
      return r && "value" in r ? Number(r.value) : undefined;
    };
    const local = val(TimeAttr.LOCAL_TIME) ?? ((val(TimeAttr.TIME) ?? NaN) + (val(TimeAttr.TIME_ZONE) ?? 0));
    if (!Number.isFinite(local)) return;
    this.doorLock.syncClock(local);
    this.emit("clockSynced", local);
    const waiter = this.timeWaiters.get(tsn);
    this.timeWaiters.delete(tsn);
    waiter?.(local);
  }

  private onDoorLockEvent(e: DoorLockEvent): void {
    this.pendingEvents.push(e);
    if (e.kind === "lockState") this.emit("lockStateChanged", e.state);
    this.emit("doorLockEvent", e);
  }

  /** Events go out after the command's response, as a lock reports after its motor has moved. */
  private scheduleFlush(): void {
    if (this.flushScheduled || this.pendingEvents.length === 0) return;
    this.flushScheduled = true;
    this.options.scheduler.after(this.options.eventDelayMs ?? 20, () => {
      this.flushScheduled = false;
      const events = this.pendingEvents.splice(0);
      for (const e of events) this.sendEvent(e);
    });
  }

  private sendEvent(e: DoorLockEvent): void {
    if (e.kind === "lockState") {
      this.report(ClusterId.DOOR_LOCK, [{ attrId: 0x0000, dataType: attributeByName(ClusterId.DOOR_LOCK, "lockState").type, value: e.state }]);
      return;
    }
    const fields: ZclFields =
      e.kind === "operation"
        ? { source: e.source, code: e.code, userId: e.userId, pin: Buffer.from(e.pin, "latin1"), localTime: e.localTime, data: "" }
        : {
            source: e.source,
            code: e.code,
            userId: e.userId,
            pin: Buffer.from(e.pin, "latin1"),
            userType: e.userType,
            userStatus: e.userStatus,
            localTime: e.localTime,
            data: "",
          };
    const layout = e.kind === "operation" ? OPERATION_EVENT_LAYOUT : PROGRAMMING_EVENT_LAYOUT;
    const cmd = e.kind === "operation" ? DoorLockRsp.OPERATION_EVENT_NOTIFICATION : DoorLockRsp.PROGRAMMING_EVENT_NOTIFICATION;
    this.transmit(ClusterId.DOOR_LOCK, this.endpointId, this.destinationEndpoint(ClusterId.DOOR_LOCK), ZclFrameType.SPECIFIC, cmd, encodeZclFields(fields, layout), this.nextTsn());
  }

  private report(clusterId: number, records: { attrId: number; dataType: number; value: ZclValue }[]): void {
    this.transmit(clusterId, this.endpointId, this.destinationEndpoint(clusterId), ZclFrameType.GLOBAL, ZclGlobal.REPORT, encodeAttributeRecords(records), this.nextTsn());
  }

  private destinationEndpoint(clusterId: number): number {
    return this.bindings.find((b) => b.clusterId === clusterId)?.dstEndpoint ?? 1;
  }

  private nextTsn(): number {
    this.tsn = (this.tsn + 1) & 0xff;
    return this.tsn;
  }

  private transmit(
    clusterId: number,
    srcEndpoint: number,
    dstEndpoint: number,
    frameType: ZclFrameType,
    commandId: number,
    payload: Buffer,
    tsn: number,
    direction: ZclDirection = ZclDirection.SERVER_TO_CLIENT,
    disableDefaultResponse = true,
  ): void {
    const raw = encodeZclFrame({ header: { frameType, direction, disableDefaultResponse, tsn, commandId }, payload });
    const name = frameType === ZclFrameType.GLOBAL ? (GLOBAL_NAMES[commandId] ?? `global-0x${commandId.toString(16)}`) : `0x${commandId.toString(16)}`;
    const sent: SentFrame = { atMs: this.options.scheduler.now(), clusterId, frameType: frameType === ZclFrameType.GLOBAL ? "global" : "specific", commandId, name, raw };
    this.sent.push(sent);
    if (this.sent.length > (this.options.logLimit ?? 2000)) this.sent.shift();
    this.emit("frameSent", sent);
    this.link?.sendZcl(srcEndpoint, dstEndpoint, clusterId, raw);
  }

  private logReceived(clusterId: number, frameType: ZclFrameType, commandId: number, name: string, tsn: number, raw: Buffer, fields: Record<string, unknown>): void {
    const c: ReceivedCommand = {
      seq: ++this.seq,
      atMs: this.options.scheduler.now(),
      clusterId,
      frameType: frameType === ZclFrameType.GLOBAL ? "global" : "specific",
      commandId,
      name,
      tsn,
      raw: Buffer.from(raw),
      fields,
    };
    this.received.push(c);
    if (this.received.length > (this.options.logLimit ?? 2000)) this.received.shift();
    this.emit("commandReceived", c);
  }
}

function redact(fields: ZclFields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (k === "pin") out[k] = `<${Buffer.isBuffer(v) ? v.length : String(v).length} digits>`;
    else out[k] = Buffer.isBuffer(v) ? v.toString("hex") : v;
  }
  return out;
}
