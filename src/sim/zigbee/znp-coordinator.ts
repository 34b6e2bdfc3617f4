// A Z-Stack 3.x.0 ZNP coordinator (CC2652-class) behind a TCP socket, speaking MT to zigbee-herdsman's
// 'zstack' adapter: SYS/UTIL/NV for start-up and commissioning, ZDO for join/interview/bind, AF for ZCL
// traffic to simulated devices. Faults come from a FaultInjector.
import { EventEmitter } from "node:events";
import { type Server, type Socket, createServer } from "node:net";
import { type AfFrameInfo, FaultInjector } from "./fault-injection.js";
import {
  MtStatus,
  type MtValues,
  bytesToIeee,
  findMtCommand,
  ieeeToBytes,
  mtCommand,
  mtName,
  readMtParams,
  writeMtParams,
} from "./mt-commands.js";
import { MtFrameParser, MtSubsystem, MtType, encodeMtFrame } from "./mt-frame.js";
import type { SimDevice, SimLink } from "./sim-device.js";
import { doorLockCommand } from "./zcl-clusters.js";
import { ZclFrameType, decodeZclFrame } from "./zcl-frame.js";
import { HAS_CONFIGURED_MAGIC, type NetworkParams, NvId, NvMemory, extendedKey } from "./znp-nv.js";

/** Device state as UTIL_GET_DEVICE_INFO reports it. */
const DEV_HOLD = 0;
const DEV_ZB_COORD = 9;
/** Z-Stack product id 1 = "Z-Stack 3.x.0" (CC2652/CC1352); revision ≥ 20211029 means the firmware drives its own LED. */
const VERSION = { transportrev: 2, product: 1, majorrel: 2, minorrel: 7, maintrel: 1, revision: 20230507 } as const;

export interface CoordinatorTiming {
  /** Delay before AF_DATA_CONFIRM, ms. */
  readonly confirmMs: number;
  /** Delay before a frame reaches the device, ms (after the confirm). */
  readonly deliverMs: number;
  /** Delay before a ZDO response, ms. */
  readonly zdoMs: number;
}

export interface ZnpCoordinatorOptions {
  readonly host?: string;
  readonly port?: number;
  readonly coordinatorIeee?: string;
  /** NV to start from (persisted state); default: factory-blank NV. */
  readonly nv?: NvMemory;
  readonly faults?: FaultInjector;
  readonly timing?: Partial<CoordinatorTiming>;
  /** Called after every NV change and device (un)join, to persist. */
  readonly onPersist?: () => void;
}

export interface DeviceRecord {
  readonly device: SimDevice;
  readonly id?: string;
  joined: boolean;
  associated: boolean;
  /** Join automatically when the host opens permit-join. */
  autoJoin: boolean;
}

export interface ZnpCoordinatorEvents {
  /** Every MT frame from the host: "SUB.name". */
  mtRequest: [string];
  permitJoinChanged: [boolean];
  deviceJoined: [SimDevice];
  deviceLeft: [SimDevice];
  hostConnected: [];
  hostDisconnected: [];
}

export class ZnpCoordinator extends EventEmitter<ZnpCoordinatorEvents> {
  readonly ieee: string;
  readonly faults: FaultInjector;
  nv: NvMemory;
  /** Qualified names of every MT request from the host, oldest first (bounded). */
  readonly trace: string[] = [];
  private readonly timing: CoordinatorTiming;
  private server?: Server;
  private socket?: Socket;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly devices = new Map<string, DeviceRecord>();
  private readonly registeredEndpoints = new Map<number, MtValues>();
  private deviceState = DEV_HOLD;
  private primaryChannelMask?: number;
  private permitJoinUntil = 0;
  private permitJoinTimer?: NodeJS.Timeout;
  private suppressTxFrom?: SimDevice;
  private incomingTimestamp = 0;
  private boundPort = 0;

  constructor(private readonly options: ZnpCoordinatorOptions = {}) {
    super();
    this.ieee = (options.coordinatorIeee ?? "0x00124b0024c0ffee").toLowerCase();
    this.nv = options.nv ?? NvMemory.factory();
    this.faults = options.faults ?? new FaultInjector();
    this.timing = { confirmMs: 2, deliverMs: 2, zdoMs: 2, ...options.timing };
    this.faults.closeSocketHandler = () => this.dropHost();
  }

  /** Listens on `host:port` (default 127.0.0.1, an ephemeral port). */
  async start(): Promise<void> {
    if (this.server) return;
    // A configured ZNP resumes its network at power-up.
    this.deviceState = this.isCommissioned() ? DEV_ZB_COORD : DEV_HOLD;
    const server = createServer((s) => this.onConnection(s));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.options.port ?? 0, this.options.host ?? "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    const addr = server.address();
    this.boundPort = typeof addr === "object" && addr ? addr.port : 0;
  }

  /** Closes the socket and server and cancels every pending timer. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.permitJoinTimer) clearTimeout(this.permitJoinTimer);
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.socket = undefined;
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  get port(): number {
    return this.boundPort;
  }
  get url(): string {
    return `tcp://${this.options.host ?? "127.0.0.1"}:${this.boundPort}`;
  }
  get permitJoinOpen(): boolean {
    return Date.now() < this.permitJoinUntil;
  }
  get hostConnected(): boolean {
    return this.socket !== undefined;
  }
  /** The network in NV, once formed. */
  network(): NetworkParams | undefined {
    return this.nv.network();
  }

  /** Pre-forms a network in NV so that a host configured with the same parameters starts "resumed". */
  provisionNetwork(params: NetworkParams): void {
    this.nv.form(params, ieeeToBytes(this.ieee));
    this.nv.items.set(NvId.HAS_CONFIGURED_ZSTACK3, Buffer.from([HAS_CONFIGURED_MAGIC]));
    this.deviceState = DEV_ZB_COORD;
    this.persist();
  }

  /** Adds a device in radio range; it joins when `join` is called or, with autoJoin, when permit-join opens. */
  addDevice(device: SimDevice, options: { id?: string; autoJoin?: boolean; joined?: boolean } = {}): void {
    const key = device.ieee.toLowerCase();
    if (this.devices.has(key)) throw new Error(`a device with IEEE ${device.ieee} is already in range`);
    if ([...this.devices.values()].some((r) => r.device.nwk === device.nwk)) throw new Error(`network address 0x${device.nwk.toString(16)} is already in use`);
    const rec: DeviceRecord = { device, ...(options.id ? { id: options.id } : {}), joined: false, associated: false, autoJoin: options.autoJoin ?? false };
    this.devices.set(key, rec);
    if (options.joined) {
      rec.joined = true;
      rec.associated = true;
      device.attach(this.linkFor(rec));
    }
  }

  /** Devices on the network (for persistence). */
  joinedDevices(): { ieee: string; nwk: number; id?: string }[] {
    return [...this.devices.values()].filter((r) => r.joined).map((r) => ({ ieee: r.device.ieee, nwk: r.device.nwk, ...(r.id ? { id: r.id } : {}) }));
  }

  /**
   * The device joins through the trust center and announces itself (ZDO_TC_DEV_IND + ZDO_END_DEVICE_ANNCE_IND).
   * Refused while permit-join is closed unless `force` (a device that was already on the network rejoining).
   */
  join(device: SimDevice, options: { force?: boolean } = {}): void {
    const rec = this.devices.get(device.ieee.toLowerCase());
    if (!rec) throw new Error(`device ${device.ieee} was never added to the coordinator`);
    if (!this.socket) throw new Error("no host is connected to the coordinator");
    if (this.deviceState !== DEV_ZB_COORD) throw new Error("the coordinator has not formed or resumed a network");
    if (!options.force && !this.permitJoinOpen) throw new Error("permit join is closed: the host must permit joining first");
    rec.joined = true;
    rec.associated = true;
    device.attach(this.linkFor(rec));
    this.nv.addAddress(ieeeToBytes(device.ieee), device.nwk);
    this.areq("ZDO.tcDeviceInd", { nwkaddr: device.nwk, extaddr: device.ieee, parentaddr: 0 });
    // ZDO_END_DEVICE_ANNCE_IND: srcAddr, nwkAddr, IEEE, capabilities
    this.areqRaw("ZDO.endDeviceAnnceInd", Buffer.concat([u16(device.nwk), u16(device.nwk), ieeeToBytes(device.ieee), Buffer.from([device.macCapabilities])]));
    this.emit("deviceJoined", device);
    this.persist();
  }

  /** The device leaves the network on its own (ZDO_LEAVE_IND, no rejoin). */
  leave(device: SimDevice): void {
    const rec = this.devices.get(device.ieee.toLowerCase());
    if (!rec?.joined) return;
    rec.joined = false;
    rec.associated = false;
    device.attach(undefined);
    this.nv.removeAddress(ieeeToBytes(device.ieee));
    if (this.socket) this.areq("ZDO.leaveInd", { srcaddr: device.nwk, extaddr: device.ieee, request: 0, removechildren: 0, rejoin: 0 });
    this.emit("deviceLeft", device);
    this.persist();
  }

  /** Closes the host's TCP connection, as a USB unplug or ser2net drop would. */
  dropHost(): void {
    this.socket?.destroy();
  }

  // ---- connection and MT dispatch

  private onConnection(s: Socket): void {
    s.setNoDelay(true);
    // One host at a time, like a serial port: a new connection replaces the old one.
    this.socket?.destroy();
    this.socket = s;
    this.sockets.add(s);
    const parser = new MtFrameParser();
    s.on("data", (chunk) => {
      for (const f of parser.push(chunk)) {
        try {
          this.onFrame(f.type, f.subsystem, f.commandId, f.data);
        } catch {
          // A frame we cannot parse gets no answer, as on a real ZNP; the host times out.
        }
      }
    });
    s.on("error", () => undefined);
    s.on("close", () => {
      this.sockets.delete(s);
      if (this.socket === s) {
        this.socket = undefined;
        this.setPermitJoin(0);
        this.emit("hostDisconnected");
      }
    });
    this.emit("hostConnected");
  }

  private onFrame(type: MtType, subsystem: MtSubsystem, id: number, data: Buffer): void {
    const spec = findMtCommand(subsystem, id, type);
    const name = spec ? mtName(spec) : `${MtSubsystem[subsystem] ?? subsystem}.0x${id.toString(16)}`;
    this.trace.push(name);
    if (this.trace.length > 5000) this.trace.shift();
    this.emit("mtRequest", name);
    if (!spec) {
      // RPC_SYS error (MT "RPC Error" SRSP on subsystem 0): 0x02 = invalid command id / subsystem.
      if (type === MtType.SREQ) this.send(MtType.SRSP, MtSubsystem.RES0, 0x00, Buffer.from([0x02, (type << 5) | subsystem, id]));
      return;
    }
    const p = spec.request ? readMtParams(data, spec.request) : {};
    switch (name) {
      case "SYS.resetReq":
        return this.onReset();
      case "SYS.ping":
        return this.srsp(name, { capabilities: 0x0179 });
      case "SYS.version":
        return this.srsp(name, VERSION);
      case "SYS.getExtAddr":
        return this.srsp(name, { extaddress: this.ieee });
      case "SYS.stackTune":
        return this.srsp(name, { value: Number(p.value) & 0xff });
      case "SYS.osalNvItemInit": {
        const nvId = Number(p.id);
        if (this.nv.items.has(nvId)) return this.srsp(name, { status: MtStatus.SUCCESS });
        const v = Buffer.alloc(Number(p.len));
        (p.initvalue as Buffer).copy(v);
        this.nv.items.set(nvId, v);
        this.persist();
        return this.srsp(name, { status: MtStatus.NV_ITEM_UNINIT });
      }
      case "SYS.osalNvLength":
        return this.srsp(name, { length: this.nv.items.get(Number(p.id))?.length ?? 0 });
      case "SYS.osalNvRead":
      case "SYS.osalNvReadExt": {
        const v = this.nv.items.get(Number(p.id));
        if (!v) return this.srsp(name, { status: MtStatus.NV_OPER_FAILED, len: 0, value: Buffer.alloc(0) });
        const chunk = v.subarray(Number(p.offset), Number(p.offset) + 244);
        return this.srsp(name, { status: MtStatus.SUCCESS, len: chunk.length, value: chunk });
      }
      case "SYS.osalNvWrite":
      case "SYS.osalNvWriteExt": {
        const nvId = Number(p.id);
        const v = this.nv.items.get(nvId);
        const off = Number(p.offset);
        const value = p.value as Buffer;
        if (!v) return this.srsp(name, { status: MtStatus.NV_OPER_FAILED });
        if (off + value.length > v.length) return this.srsp(name, { status: MtStatus.NV_BAD_ITEM_LEN });
        value.copy(v, off);
        this.persist();
        return this.srsp(name, { status: MtStatus.SUCCESS });
      }
      case "SYS.osalNvDelete": {
        const existed = this.nv.items.delete(Number(p.id));
        this.persist();
        return this.srsp(name, { status: existed ? MtStatus.SUCCESS : MtStatus.NV_ITEM_UNINIT });
      }
      case "SYS.nvLength":
        return this.srsp(name, { len: this.nv.extended.get(extKey(p))?.length ?? 0 });
      case "SYS.nvRead": {
        const v = this.nv.extended.get(extKey(p));
        if (!v) return this.srsp(name, { status: MtStatus.NV_OPER_FAILED, len: 0, value: Buffer.alloc(0) });
        const chunk = v.subarray(Number(p.offset), Number(p.offset) + Number(p.len));
        return this.srsp(name, { status: MtStatus.SUCCESS, len: chunk.length, value: chunk });
      }
      case "SYS.nvCreate":
        if (!this.nv.extended.has(extKey(p))) this.nv.extended.set(extKey(p), Buffer.alloc(Number(p.len)));
        this.persist();
        return this.srsp(name, { status: MtStatus.SUCCESS });
      case "SYS.nvWrite": {
        const k = extKey(p);
        const value = p.value as Buffer;
        const cur = this.nv.extended.get(k) ?? Buffer.alloc(0);
        const off = Number(p.offset);
        const next = Buffer.alloc(Math.max(cur.length, off + value.length));
        cur.copy(next);
        value.copy(next, off);
        this.nv.extended.set(k, next);
        this.persist();
        return this.srsp(name, { status: MtStatus.SUCCESS });
      }
      case "SYS.nvDelete":
        this.nv.extended.delete(extKey(p));
        this.persist();
        return this.srsp(name, { status: MtStatus.SUCCESS });
      case "UTIL.getDeviceInfo": {
        const assoc = [...this.devices.values()].filter((r) => r.associated).map((r) => r.device.nwk);
        return this.srsp(name, {
          status: 0,
          ieeeaddr: this.ieee,
          shortaddr: this.deviceState === DEV_ZB_COORD ? 0 : 0xfffe,
          devicetype: 0x07,
          devicestate: this.deviceState,
          numassocdevices: assoc.length,
          assocdeviceslist: assoc,
        });
      }
      case "UTIL.ledControl":
        return this.srsp(name, { status: 0 });
      case "UTIL.assocGetWithAddress": {
        const rec = this.recordByIeee(String(p.extaddr)) ?? this.recordByNwk(Number(p.nwkaddr));
        const index = rec ? [...this.devices.values()].indexOf(rec) : -1;
        // noderelation 1 = CHILD_RFD (a sleepy end device whose parent we are); 0xFF = not in the table
        return this.srsp(name, rec?.associated ? { nwkaddr: rec.device.nwk, addridx: index, noderelation: 1 } : { nwkaddr: 0xfffe, addridx: 0xffff, noderelation: 0xff });
      }
      case "UTIL.assocRemove": {
        const rec = this.recordByIeee(String(p.ieeeadr));
        if (rec) rec.associated = false;
        return this.srsp(name, { status: rec ? 0 : 1 });
      }
      case "UTIL.assocAdd": {
        const rec = this.recordByIeee(String(p.ieeeadr));
        if (rec) rec.associated = true;
        return this.srsp(name, { status: rec ? 0 : 1 });
      }
      case "AF.register": {
        const ep = Number(p.endpoint);
        if (this.registeredEndpoints.has(ep)) return this.srsp(name, { status: 0xb8 }); // afDuplicateEndpoint
        this.registeredEndpoints.set(ep, p);
        return this.srsp(name, { status: 0 });
      }
      case "AF.dataRequest":
        return this.onDataRequest(name, p);
      case "AF.dataRequestExt": {
        // Group / broadcast / 64-bit sends: accepted and confirmed, not delivered to simulated devices.
        this.srsp(name, { status: 0 });
        return this.later(this.timing.confirmMs, () => this.areq("AF.dataConfirm", { status: 0, endpoint: p.srcendpoint ?? 0, transid: p.transid ?? 0 }));
      }
      case "ZDO.startupFromApp": {
        const formed = this.isCommissioned();
        this.srsp(name, { status: formed ? 0 : 1 });
        if (formed) {
          this.deviceState = DEV_ZB_COORD;
          this.later(this.timing.zdoMs, () => this.areq("ZDO.stateChangeInd", { state: DEV_ZB_COORD }));
        }
        return;
      }
      case "ZDO.extRouteDisc":
        return this.srsp(name, { status: 0 });
      case "ZDO.extFindGroup":
        return this.srsp(name, { status: 1, groupid: 0, namelen: 0, groupname: Buffer.alloc(0) });
      case "ZDO.extAddGroup":
      case "ZDO.extRemoveGroup":
        return this.srsp(name, { status: 0 });
      case "ZDO.extNwkInfo": {
        const nw = this.nv.network();
        return this.srsp(name, {
          shortaddr: nw ? 0 : 0xfffe,
          devstate: this.deviceState,
          panid: nw?.panId ?? 0xffff,
          parentaddr: 0,
          extendedpanid: bytesToIeee(nw ? Buffer.from(nw.extendedPanId).reverse() : Buffer.alloc(8, 0xff)),
          parentextaddr: "0x0000000000000000",
          channel: nw?.channel ?? 0,
        });
      }
      case "APP_CNF.bdbSetChannel":
        if (Number(p.isPrimary) === 1) this.primaryChannelMask = Number(p.channel);
        return this.srsp(name, { status: 0 });
      case "APP_CNF.bdbSetTcRequireKeyExchange":
        return this.srsp(name, { status: 0 });
      case "APP_CNF.bdbStartCommissioning":
        return this.onCommissioning(name, Number(p.mode));
      default:
        if (subsystem === MtSubsystem.ZDO && type === MtType.SREQ) return this.onZdoRequest(name, data);
        if (type === MtType.SREQ) this.send(MtType.SRSP, MtSubsystem.RES0, 0x00, Buffer.from([0x02, (type << 5) | subsystem, id]));
    }
  }

  private onReset(): void {
    // STARTUP_OPTION bit 0 (clear config) / bit 1 (clear state): Z-Stack wipes NV at boot.
    const opt = this.nv.items.get(NvId.STARTUP_OPTION)?.[0] ?? 0;
    if (opt & 0x03) this.nv.factoryReset();
    this.registeredEndpoints.clear();
    this.setPermitJoin(0);
    this.deviceState = this.isCommissioned() ? DEV_ZB_COORD : DEV_HOLD;
    this.persist();
    this.later(10, () => this.areq("SYS.resetInd", { reason: 0, transportrev: 2, productid: VERSION.product, majorrel: 2, minorrel: 7, hwrev: 1 }));
  }

  private onCommissioning(name: string, mode: number): void {
    this.srsp(name, { status: 0 });
    if ((mode & 0x04) === 0) return; // only network formation matters for a coordinator
    this.later(20, () => {
      const params = this.nv.commissioningParams(this.primaryChannelMask, ieeeToBytes(this.ieee));
      this.nv.form(params, ieeeToBytes(this.ieee));
      this.deviceState = DEV_ZB_COORD;
      this.persist();
      this.areq("ZDO.stateChangeInd", { state: DEV_ZB_COORD });
      this.areq("APP_CNF.bdbComissioningNotifcation", { status: 0 });
    });
  }

  private isCommissioned(): boolean {
    return this.nv.network() !== undefined;
  }

  // ---- ZDO

  private onZdoRequest(name: string, data: Buffer): void {
    this.srsp(name, { status: 0 });
    const rsp = (rspName: string, body: Buffer) => this.later(this.timing.zdoMs, () => this.areqRaw(rspName, body));
    switch (name) {
      case "ZDO.nwkAddrReq": {
        // body: IEEE(8) requestType(1) startIndex(1); MT orders the reply status, IEEE, nwk, startIndex, numAssoc
        const rec = this.recordByIeee(bytesToIeee(data.subarray(0, 8)));
        if (!rec?.joined) return;
        return rsp("ZDO.nwkAddrRsp", Buffer.concat([Buffer.from([0]), ieeeToBytes(rec.device.ieee), u16(rec.device.nwk), Buffer.from([0, 0])]));
      }
      case "ZDO.ieeeAddrReq": {
        const nwk = data.readUInt16LE(0);
        const ieee = nwk === 0 ? this.ieee : this.recordByNwk(nwk)?.device.ieee;
        if (!ieee) return;
        return rsp("ZDO.ieeeAddrRsp", Buffer.concat([Buffer.from([0]), ieeeToBytes(ieee), u16(nwk), Buffer.from([0, 0])]));
      }
      case "ZDO.mgmtPermitJoinReq": {
        // body: addrMode(1) dstAddr(2) duration(1) tcSignificance(1)
        const addrMode = data[0]!;
        const dst = data.readUInt16LE(1);
        const duration = data[3]!;
        this.setPermitJoin(duration);
        if (addrMode !== 0x0f && dst < 0xfff8) rsp("ZDO.mgmtPermitJoinRsp", Buffer.concat([u16(dst), Buffer.from([0])]));
        return;
      }
    }
    // The rest carry the destination first.
    const dst = data.readUInt16LE(0);
    const body = data.subarray(2);
    const target = dst === 0 ? undefined : this.recordByNwk(dst);
    if (dst !== 0 && !target?.joined) return; // nobody answers; the host times out
    const head = (status: number) => Buffer.concat([u16(dst), Buffer.from([status])]);
    switch (name) {
      case "ZDO.nodeDescReq": {
        const d = target?.device;
        // Node descriptor (Zigbee 2.3.2.3): logical type | flags, APS flags | 2.4 GHz band, MAC caps, manufacturer,
        // max buffer, max in transfer, server mask (stack compliance rev 22 in bits 9-15), max out transfer, desc caps
        const desc = Buffer.alloc(13);
        desc[0] = d ? d.logicalType : 0;
        desc[1] = 0x40;
        desc[2] = d ? d.macCapabilities : 0x8f;
        desc.writeUInt16LE(d ? d.manufacturerCode : 0x0000, 3);
        desc[5] = 0x52;
        desc.writeUInt16LE(0x00a0, 6);
        desc.writeUInt16LE((22 << 9) | (d ? 0 : 0x01), 8);
        desc.writeUInt16LE(0x00a0, 10);
        desc[12] = 0;
        return rsp("ZDO.nodeDescRsp", Buffer.concat([head(0), u16(dst), desc]));
      }
      case "ZDO.powerDescReq": {
        // Power descriptor (2.3.2.4): mode 1 (periodic receiver) | sources: disposable battery; source battery | level 100 %
        const pd = target ? Buffer.from([0x41, 0xc4]) : Buffer.from([0x10, 0xc1]);
        return rsp("ZDO.powerDescRsp", Buffer.concat([head(0), u16(dst), pd]));
      }
      case "ZDO.activeEpReq": {
        const eps = target ? target.device.endpoints.map((e) => e.id) : [...this.registeredEndpoints.keys()];
        return rsp("ZDO.activeEpRsp", Buffer.concat([head(0), u16(dst), Buffer.from([eps.length, ...eps])]));
      }
      case "ZDO.simpleDescReq": {
        const epId = body[2]!;
        let sd: Buffer | undefined;
        if (target) {
          const ep = target.device.endpoints.find((e) => e.id === epId);
          if (ep) sd = simpleDescriptor(ep.id, ep.profileId, ep.deviceId, ep.deviceVersion, ep.inClusters, ep.outClusters);
        } else {
          const r = this.registeredEndpoints.get(epId);
          if (r) sd = simpleDescriptor(epId, Number(r.appprofid), Number(r.appdeviceid), Number(r.appdevver), r.appinclusterlist as number[], r.appoutclusterlist as number[]);
        }
        // 0x83 NOT_ACTIVE when the endpoint does not exist
        if (!sd) return rsp("ZDO.simpleDescRsp", Buffer.concat([head(0x83), u16(dst), Buffer.from([0])]));
        return rsp("ZDO.simpleDescRsp", Buffer.concat([head(0), u16(dst), Buffer.from([sd.length]), sd]));
      }
      case "ZDO.bindReq":
      case "ZDO.unbindReq": {
        // body: srcIEEE(8) srcEp(1) cluster(2) dstAddrMode(1) dst(8|2) [dstEp(1)]
        const srcEp = body[8]!;
        const clusterId = body.readUInt16LE(9);
        const mode = body[11]!;
        let status = 0x84; // NOT_SUPPORTED: group binding on a sleepy lock
        if (mode === 0x03 && target) {
          const dstIeee = bytesToIeee(body.subarray(12, 20));
          const dstEp = body[20]!;
          status = target.device.bind({ clusterId, srcEndpoint: srcEp, dstIeee, dstEndpoint: dstEp }, name === "ZDO.bindReq");
        }
        return rsp(name === "ZDO.bindReq" ? "ZDO.bindRsp" : "ZDO.unbindRsp", head(status));
      }
      case "ZDO.mgmtLeaveReq": {
        rsp("ZDO.mgmtLeaveRsp", head(target ? 0 : 0x84));
        if (target) this.later(this.timing.zdoMs * 2, () => this.leave(target.device));
        return;
      }
      case "ZDO.mgmtLqiReq":
        return rsp("ZDO.mgmtLqiRsp", head(0x84));
      default:
        return;
    }
  }

  private setPermitJoin(seconds: number): void {
    const wasOpen = this.permitJoinOpen;
    if (this.permitJoinTimer) clearTimeout(this.permitJoinTimer);
    this.permitJoinTimer = undefined;
    this.permitJoinUntil = seconds > 0 ? Date.now() + Math.min(seconds, 254) * 1000 : 0;
    if (seconds > 0) {
      this.permitJoinTimer = setTimeout(() => this.setPermitJoin(0), Math.min(seconds, 254) * 1000);
      this.permitJoinTimer.unref();
      let delay = 30;
      for (const rec of this.devices.values()) {
        if (!rec.autoJoin || rec.joined) continue;
        this.later(delay, () => {
          if (this.permitJoinOpen && !rec.joined && this.socket) this.join(rec.device);
        });
        delay += 30;
      }
    }
    if (wasOpen !== seconds > 0) this.emit("permitJoinChanged", seconds > 0);
  }

  // ---- AF

  private onDataRequest(name: string, p: MtValues): void {
    const dst = Number(p.dstaddr);
    const rec = this.recordByNwk(dst);
    const data = p.data as Buffer;
    const confirm = (status: number, delay: number) =>
      this.later(delay, () => this.areq("AF.dataConfirm", { status, endpoint: Number(p.srcendpoint), transid: Number(p.transid) }));
    if (!rec?.joined) {
      this.srsp(name, { status: 0 });
      return confirm(MtStatus.NWK_NO_ROUTE, this.timing.confirmMs);
    }
    const info = frameInfo(rec, Number(p.clusterid), data);
    const fault = this.faults.afFaultFor(info);
    this.srsp(name, { status: 0 });
    const sleepy = this.faults.sleepyDelay(rec.id, rec.device.ieee);
    const confirmAt = sleepy + this.timing.confirmMs;
    if (fault === "mac-no-ack") return confirm(MtStatus.MAC_NO_ACK, confirmAt);
    if (fault === "mac-transaction-expired") return confirm(MtStatus.MAC_TRANSACTION_EXPIRED, confirmAt);
    if (fault !== "drop-confirm") confirm(MtStatus.SUCCESS, confirmAt);
    this.later(confirmAt + this.timing.deliverMs, () => {
      if (!rec.joined) return;
      if (fault === "response-lost") this.suppressTxFrom = rec.device;
      try {
        rec.device.receiveZcl(Number(p.srcendpoint), Number(p.destendpoint), Number(p.clusterid), data);
      } finally {
        this.suppressTxFrom = undefined;
      }
    });
  }

  private linkFor(rec: DeviceRecord): SimLink {
    return {
      sendZcl: (srcEndpoint, dstEndpoint, clusterId, zcl) => {
        if (!rec.joined || this.suppressTxFrom === rec.device) return;
        this.incomingTimestamp = (this.incomingTimestamp + 1) >>> 0;
        this.areq("AF.incomingMsg", {
          groupid: 0,
          clusterid: clusterId,
          srcaddr: rec.device.nwk,
          srcendpoint: srcEndpoint,
          dstendpoint: dstEndpoint,
          wasbroadcast: 0,
          linkquality: 180,
          securityuse: 0,
          timestamp: this.incomingTimestamp,
          transseqnumber: 0,
          len: zcl.length,
          data: zcl,
        });
      },
    };
  }

  // ---- helpers

  private recordByNwk(nwk: number): DeviceRecord | undefined {
    for (const r of this.devices.values()) if (r.device.nwk === nwk) return r;
    return undefined;
  }
  private recordByIeee(ieee: string): DeviceRecord | undefined {
    return this.devices.get(ieee.toLowerCase());
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private persist(): void {
    this.options.onPersist?.();
  }

  private send(type: MtType, subsystem: MtSubsystem, id: number, data: Buffer): void {
    const s = this.socket;
    if (!s || s.destroyed) return;
    s.write(encodeMtFrame({ type, subsystem, commandId: id, data }));
  }

  private srsp(qualifiedName: string, values: MtValues): void {
    const spec = mtCommand(qualifiedName);
    const frame = () => this.send(MtType.SRSP, spec.subsystem, spec.id, writeMtParams(values, spec.response ?? []));
    const f = this.faults.srspFaultFor(qualifiedName);
    if (f.drop) return;
    if (f.delayMs > 0) this.later(f.delayMs, frame);
    else frame();
  }

  private areq(qualifiedName: string, values: MtValues): void {
    const spec = mtCommand(qualifiedName);
    this.send(MtType.AREQ, spec.subsystem, spec.id, writeMtParams(values, spec.request ?? []));
  }

  private areqRaw(qualifiedName: string, body: Buffer): void {
    const spec = mtCommand(qualifiedName);
    this.send(MtType.AREQ, spec.subsystem, spec.id, body);
  }
}

function frameInfo(rec: DeviceRecord, clusterId: number, data: Buffer): AfFrameInfo {
  let commandId = -1;
  let specific = false;
  let commandName = "unknown";
  try {
    const f = decodeZclFrame(data);
    commandId = f.header.commandId;
    specific = f.header.frameType === ZclFrameType.SPECIFIC;
    commandName = specific ? (clusterId === 0x0101 ? (doorLockCommand(commandId)?.name ?? `0x${commandId.toString(16)}`) : `0x${commandId.toString(16)}`) : globalName(commandId);
  } catch {
    // not ZCL: matched by cluster only
  }
  return { ...(rec.id ? { deviceId: rec.id } : {}), ieee: rec.device.ieee, clusterId, commandId, commandName, specific };
}

function globalName(id: number): string {
  return ({ 0: "read", 1: "readRsp", 2: "write", 4: "writeRsp", 6: "configReport", 0x0a: "report", 0x0b: "defaultRsp" } as Record<number, string>)[id] ?? `global-0x${id.toString(16)}`;
}

function simpleDescriptor(ep: number, profile: number, deviceId: number, version: number, inC: readonly number[], outC: readonly number[]): Buffer {
  return Buffer.concat([
    Buffer.from([ep]),
    u16(profile),
    u16(deviceId),
    Buffer.from([version & 0x0f, inC.length]),
    ...inC.map(u16),
    Buffer.from([outC.length]),
    ...outC.map(u16),
  ]);
}

function extKey(p: MtValues): string {
  return extendedKey(Number(p.sysid), Number(p.itemid), Number(p.subid));
}

function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v & 0xffff);
  return b;
}
