// MT command identifiers and parameter layouts, as data (TI "Z-Stack Monitor and Test API", Z-Stack 3.x.0).
// Only the commands the emulator serves or sends are listed; anything else gets the MT "RPC error" reply.
import { MtSubsystem, MtType } from "./mt-frame.js";

/** Parameter encodings on the wire (all little-endian). */
export type MtParamType =
  | "u8"
  | "i8"
  | "u16"
  | "u32"
  /** 8-byte IEEE address, little-endian on the wire, "0x" + 16 hex digits (big-endian text) in code. */
  | "ieee"
  /** bytes whose count is the value of the previous parameter */
  | "buf"
  /** uint16 list whose count is the value of the previous parameter */
  | "listU16"
  /** all remaining bytes */
  | "rest";

export interface MtParam {
  readonly name: string;
  readonly type: MtParamType;
}
export type MtLayout = readonly MtParam[];
export type MtValue = number | string | Buffer | readonly number[];
export type MtValues = Record<string, MtValue>;

export interface MtCommandSpec {
  readonly subsystem: MtSubsystem;
  readonly id: number;
  readonly name: string;
  readonly type: MtType.SREQ | MtType.AREQ;
  /** For SREQ: the request layout; for AREQ: the indication layout. `undefined`: raw bytes (ZDO payloads). */
  readonly request?: MtLayout;
  /** For SREQ: the SRSP layout. */
  readonly response?: MtLayout;
}

const p = (spec: string): MtLayout =>
  spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [name, type] = s.split(":") as [string, MtParamType];
      return { name, type };
    });

const S = MtSubsystem;
const SREQ = MtType.SREQ;
const AREQ = MtType.AREQ;
const status = p("status:u8");

/** The command table. ZDO requests/responses whose body is a ZDO frame carry `request: undefined` (raw bytes). */
export const MT_COMMANDS: readonly MtCommandSpec[] = [
  // SYS
  { subsystem: S.SYS, id: 0x00, name: "resetReq", type: AREQ, request: p("type:u8") },
  { subsystem: S.SYS, id: 0x01, name: "ping", type: SREQ, request: [], response: p("capabilities:u16") },
  { subsystem: S.SYS, id: 0x02, name: "version", type: SREQ, request: [], response: p("transportrev:u8,product:u8,majorrel:u8,minorrel:u8,maintrel:u8,revision:u32") },
  { subsystem: S.SYS, id: 0x04, name: "getExtAddr", type: SREQ, request: [], response: p("extaddress:ieee") },
  { subsystem: S.SYS, id: 0x07, name: "osalNvItemInit", type: SREQ, request: p("id:u16,len:u16,initlen:u8,initvalue:buf"), response: status },
  { subsystem: S.SYS, id: 0x08, name: "osalNvRead", type: SREQ, request: p("id:u16,offset:u8"), response: p("status:u8,len:u8,value:buf") },
  { subsystem: S.SYS, id: 0x09, name: "osalNvWrite", type: SREQ, request: p("id:u16,offset:u8,len:u8,value:buf"), response: status },
  { subsystem: S.SYS, id: 0x0f, name: "stackTune", type: SREQ, request: p("operation:u8,value:i8"), response: p("value:u8") },
  { subsystem: S.SYS, id: 0x12, name: "osalNvDelete", type: SREQ, request: p("id:u16,len:u16"), response: status },
  { subsystem: S.SYS, id: 0x13, name: "osalNvLength", type: SREQ, request: p("id:u16"), response: p("length:u16") },
  { subsystem: S.SYS, id: 0x1c, name: "osalNvReadExt", type: SREQ, request: p("id:u16,offset:u16"), response: p("status:u8,len:u8,value:buf") },
  { subsystem: S.SYS, id: 0x1d, name: "osalNvWriteExt", type: SREQ, request: p("id:u16,offset:u16,len:u16,value:buf"), response: status },
  { subsystem: S.SYS, id: 0x30, name: "nvCreate", type: SREQ, request: p("sysid:u8,itemid:u16,subid:u16,len:u32"), response: status },
  { subsystem: S.SYS, id: 0x31, name: "nvDelete", type: SREQ, request: p("sysid:u8,itemid:u16,subid:u16"), response: status },
  { subsystem: S.SYS, id: 0x32, name: "nvLength", type: SREQ, request: p("sysid:u8,itemid:u16,subid:u16"), response: p("len:u8") },
  { subsystem: S.SYS, id: 0x33, name: "nvRead", type: SREQ, request: p("sysid:u8,itemid:u16,subid:u16,offset:u16,len:u8"), response: p("status:u8,len:u8,value:buf") },
  { subsystem: S.SYS, id: 0x34, name: "nvWrite", type: SREQ, request: p("sysid:u8,itemid:u16,subid:u16,offset:u16,len:u8,value:buf"), response: status },
  { subsystem: S.SYS, id: 0x80, name: "resetInd", type: AREQ, request: p("reason:u8,transportrev:u8,productid:u8,majorrel:u8,minorrel:u8,hwrev:u8") },
  // UTIL
  { subsystem: S.UTIL, id: 0x00, name: "getDeviceInfo", type: SREQ, request: [], response: p("status:u8,ieeeaddr:ieee,shortaddr:u16,devicetype:u8,devicestate:u8,numassocdevices:u8,assocdeviceslist:listU16") },
  { subsystem: S.UTIL, id: 0x0a, name: "ledControl", type: SREQ, request: p("ledid:u8,mode:u8"), response: status },
  { subsystem: S.UTIL, id: 0x4a, name: "assocGetWithAddress", type: SREQ, request: p("extaddr:ieee,nwkaddr:u16"), response: p("nwkaddr:u16,addridx:u16,noderelation:u8") },
  { subsystem: S.UTIL, id: 0x63, name: "assocRemove", type: SREQ, request: p("ieeeadr:ieee"), response: status },
  { subsystem: S.UTIL, id: 0x64, name: "assocAdd", type: SREQ, request: p("ieeeadr:ieee,nwkaddr:u16,noderelation:u8"), response: status },
  // AF
  { subsystem: S.AF, id: 0x00, name: "register", type: SREQ, request: p("endpoint:u8,appprofid:u16,appdeviceid:u16,appdevver:u8,latencyreq:u8,appnuminclusters:u8,appinclusterlist:listU16,appnumoutclusters:u8,appoutclusterlist:listU16"), response: status },
  { subsystem: S.AF, id: 0x01, name: "dataRequest", type: SREQ, request: p("dstaddr:u16,destendpoint:u8,srcendpoint:u8,clusterid:u16,transid:u8,options:u8,radius:u8,len:u8,data:buf"), response: status },
  { subsystem: S.AF, id: 0x02, name: "dataRequestExt", type: SREQ, request: p("dstaddrmode:u8,dstaddr:ieee,destendpoint:u8,dstpanid:u16,srcendpoint:u8,clusterid:u16,transid:u8,options:u8,radius:u8,len:u16,data:buf"), response: status },
  { subsystem: S.AF, id: 0x80, name: "dataConfirm", type: AREQ, request: p("status:u8,endpoint:u8,transid:u8") },
  { subsystem: S.AF, id: 0x81, name: "incomingMsg", type: AREQ, request: p("groupid:u16,clusterid:u16,srcaddr:u16,srcendpoint:u8,dstendpoint:u8,wasbroadcast:u8,linkquality:u8,securityuse:u8,timestamp:u32,transseqnumber:u8,len:u8,data:buf") },
  // ZDO requests (body: the ZDO request, prefixed by the destination as Z-Stack wants) and responses (raw ZDO bodies)
  { subsystem: S.ZDO, id: 0x00, name: "nwkAddrReq", type: SREQ, response: status },
  { subsystem: S.ZDO, id: 0x01, name: "ieeeAddrReq", type: SREQ, response: status },
  { subsystem: S.ZDO, id: 0x02, name: "nodeDescReq", type: SREQ, response: status },
  { subsystem: S.ZDO, id: 0x03, name: "powerDescReq", type: SREQ, response: status },
  { subsystem: S.ZDO, id: 0x04, name: "simpleDescReq", type: SREQ, response: status },
  { subsystem: S.ZDO, id: 0x05, name: "activeEpReq", type: SREQ, response: status },
  { subsystem: S.ZDO, id: 0x21, name: "bindReq", type: SREQ, response: status },
  { subsystem: S.ZDO, id: 0x22, name: "unbindReq", type: SREQ, response: status },
  { subsystem: S.ZDO, id: 0x31, name: "mgmtLqiReq", type: SREQ, response: status },
  { subsystem: S.ZDO, id: 0x34, name: "mgmtLeaveReq", type: SREQ, response: status },
  { subsystem: S.ZDO, id: 0x36, name: "mgmtPermitJoinReq", type: SREQ, response: status },
  { subsystem: S.ZDO, id: 0x40, name: "startupFromApp", type: SREQ, request: p("startdelay:u16"), response: status },
  { subsystem: S.ZDO, id: 0x45, name: "extRouteDisc", type: SREQ, request: p("dstAddr:u16,options:u8,radius:u8"), response: status },
  { subsystem: S.ZDO, id: 0x47, name: "extRemoveGroup", type: SREQ, request: p("endpoint:u8,groupid:u16"), response: status },
  { subsystem: S.ZDO, id: 0x4a, name: "extFindGroup", type: SREQ, request: p("endpoint:u8,groupid:u16"), response: p("status:u8,groupid:u16,namelen:u8,groupname:buf") },
  { subsystem: S.ZDO, id: 0x4b, name: "extAddGroup", type: SREQ, request: p("endpoint:u8,groupid:u16,namelen:u8,groupname:buf"), response: status },
  { subsystem: S.ZDO, id: 0x50, name: "extNwkInfo", type: SREQ, request: [], response: p("shortaddr:u16,devstate:u8,panid:u16,parentaddr:u16,extendedpanid:ieee,parentextaddr:ieee,channel:u8") },
  { subsystem: S.ZDO, id: 0x80, name: "nwkAddrRsp", type: AREQ },
  { subsystem: S.ZDO, id: 0x81, name: "ieeeAddrRsp", type: AREQ },
  { subsystem: S.ZDO, id: 0x82, name: "nodeDescRsp", type: AREQ },
  { subsystem: S.ZDO, id: 0x83, name: "powerDescRsp", type: AREQ },
  { subsystem: S.ZDO, id: 0x84, name: "simpleDescRsp", type: AREQ },
  { subsystem: S.ZDO, id: 0x85, name: "activeEpRsp", type: AREQ },
  { subsystem: S.ZDO, id: 0xa1, name: "bindRsp", type: AREQ },
  { subsystem: S.ZDO, id: 0xa2, name: "unbindRsp", type: AREQ },
  { subsystem: S.ZDO, id: 0xb1, name: "mgmtLqiRsp", type: AREQ },
  { subsystem: S.ZDO, id: 0xb4, name: "mgmtLeaveRsp", type: AREQ },
  { subsystem: S.ZDO, id: 0xb6, name: "mgmtPermitJoinRsp", type: AREQ },
  { subsystem: S.ZDO, id: 0xc0, name: "stateChangeInd", type: AREQ, request: p("state:u8") },
  { subsystem: S.ZDO, id: 0xc1, name: "endDeviceAnnceInd", type: AREQ },
  { subsystem: S.ZDO, id: 0xc9, name: "leaveInd", type: AREQ, request: p("srcaddr:u16,extaddr:ieee,request:u8,removechildren:u8,rejoin:u8") },
  { subsystem: S.ZDO, id: 0xca, name: "tcDeviceInd", type: AREQ, request: p("nwkaddr:u16,extaddr:ieee,parentaddr:u16") },
  { subsystem: S.ZDO, id: 0xcb, name: "permitJoinInd", type: AREQ, request: p("duration:u8") },
  // APP_CNF (BDB commissioning)
  { subsystem: S.APP_CNF, id: 0x05, name: "bdbStartCommissioning", type: SREQ, request: p("mode:u8"), response: status },
  { subsystem: S.APP_CNF, id: 0x08, name: "bdbSetChannel", type: SREQ, request: p("isPrimary:u8,channel:u32"), response: status },
  { subsystem: S.APP_CNF, id: 0x09, name: "bdbSetTcRequireKeyExchange", type: SREQ, request: p("value:u8"), response: status },
  { subsystem: S.APP_CNF, id: 0x80, name: "bdbComissioningNotifcation", type: AREQ, request: p("status:u8") },
];

export type MtCommandName = `${keyof typeof MtSubsystem}.${string}`;

const byId = new Map<string, MtCommandSpec>();
const byName = new Map<string, MtCommandSpec>();
for (const c of MT_COMMANDS) {
  byId.set(`${c.subsystem}:${c.id}:${c.type === SREQ ? "req" : "ind"}`, c);
  byName.set(`${MtSubsystem[c.subsystem]}.${c.name}`, c);
}

/** The spec of an incoming SREQ/AREQ from the host, if we know it. */
export function findMtCommand(subsystem: MtSubsystem, id: number, type: MtType): MtCommandSpec | undefined {
  return byId.get(`${subsystem}:${id}:${type === MtType.AREQ ? "ind" : "req"}`) ?? (type === MtType.AREQ ? byId.get(`${subsystem}:${id}:req`) : undefined);
}

/** The spec by qualified name, e.g. "AF.dataConfirm"; throws for an unknown name (a programming error). */
export function mtCommand(qualifiedName: string): MtCommandSpec {
  const c = byName.get(qualifiedName);
  if (!c) throw new Error(`unknown MT command ${qualifiedName}`);
  return c;
}

/** "SYS.ping" for a spec. */
export function mtName(c: MtCommandSpec): string {
  return `${MtSubsystem[c.subsystem]}.${c.name}`;
}

/** Status codes the emulator uses (Z-Stack `ZStatus_t` / MAC / NWK values). */
export const MtStatus = {
  SUCCESS: 0x00,
  FAILURE: 0x01,
  INVALID_PARAMETER: 0x02,
  NV_ITEM_UNINIT: 0x09,
  NV_OPER_FAILED: 0x0a,
  NV_BAD_ITEM_LEN: 0x0c,
  ZDP_NOT_SUPPORTED: 0x84,
  MAC_NO_ACK: 0xe9,
  MAC_TRANSACTION_EXPIRED: 0xf0,
  NWK_NO_ROUTE: 0xcd,
} as const;

export function ieeeToBytes(ieee: string): Buffer {
  const hex = ieee.startsWith("0x") ? ieee.slice(2) : ieee;
  if (!/^[0-9a-fA-F]{16}$/.test(hex)) throw new Error(`not an IEEE address: ${ieee}`);
  return Buffer.from(hex, "hex").reverse();
}
export function bytesToIeee(bytes: Buffer): string {
  return `0x${Buffer.from(bytes).reverse().toString("hex")}`;
}

/** Reads parameters; a `buf`/`listU16` takes its count from the previous parameter. Throws on a short body. */
export function readMtParams(data: Buffer, layout: MtLayout): MtValues {
  const out: MtValues = {};
  let o = 0;
  let prev = 0;
  const need = (n: number, name: string) => {
    if (o + n > data.length) throw new RangeError(`MT parameter ${name}: needs ${n} bytes at offset ${o}, body has ${data.length}`);
  };
  for (const { name, type } of layout) {
    switch (type) {
      case "u8": need(1, name); prev = data.readUInt8(o); out[name] = prev; o += 1; break;
      case "i8": need(1, name); prev = data.readInt8(o); out[name] = prev; o += 1; break;
      case "u16": need(2, name); prev = data.readUInt16LE(o); out[name] = prev; o += 2; break;
      case "u32": need(4, name); prev = data.readUInt32LE(o); out[name] = prev; o += 4; break;
      case "ieee": need(8, name); out[name] = bytesToIeee(data.subarray(o, o + 8)); o += 8; break;
      case "buf": need(prev, name); out[name] = Buffer.from(data.subarray(o, o + prev)); o += prev; break;
      case "listU16": {
        need(prev * 2, name);
        const list: number[] = [];
        for (let i = 0; i < prev; i++) list.push(data.readUInt16LE(o + i * 2));
        out[name] = list;
        o += prev * 2;
        break;
      }
      case "rest": out[name] = Buffer.from(data.subarray(o)); o = data.length; break;
    }
  }
  return out;
}

/** Writes parameters; a missing number is 0, a missing buffer/list is empty. */
export function writeMtParams(values: MtValues, layout: MtLayout): Buffer {
  const parts: Buffer[] = [];
  for (const { name, type } of layout) {
    const v = values[name];
    const n = typeof v === "number" ? v : 0;
    switch (type) {
      case "u8": parts.push(Buffer.from([n & 0xff])); break;
      case "i8": { const b = Buffer.alloc(1); b.writeInt8(n); parts.push(b); break; }
      case "u16": { const b = Buffer.alloc(2); b.writeUInt16LE(n & 0xffff); parts.push(b); break; }
      case "u32": { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); parts.push(b); break; }
      case "ieee": parts.push(ieeeToBytes(typeof v === "string" ? v : "0x0000000000000000")); break;
      case "buf": case "rest": parts.push(Buffer.isBuffer(v) ? v : Buffer.alloc(0)); break;
      case "listU16": {
        const list = Array.isArray(v) ? (v as readonly number[]) : [];
        const b = Buffer.alloc(list.length * 2);
        list.forEach((x, i) => b.writeUInt16LE(x, i * 2));
        parts.push(b);
        break;
      }
    }
  }
  return Buffer.concat(parts);
}
