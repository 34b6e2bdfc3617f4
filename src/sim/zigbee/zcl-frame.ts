// ZCL frame codec (ZCL r8, 07-5123, section 2.4 "General ZCL Frame Format", 2.5 "General Command Frames",
// 2.6.2 "Data Types"). Only what the simulated devices need: header, attribute values, the foundation
// commands a coordinator sends to a lock, and field layouts for cluster-specific commands.

/** Frame type, bits 0-1 of the frame control field (2.4.1.1.1). */
export enum ZclFrameType {
  GLOBAL = 0,
  SPECIFIC = 1,
}

/** Direction, bit 3 of the frame control field (2.4.1.1.3). */
export enum ZclDirection {
  CLIENT_TO_SERVER = 0,
  SERVER_TO_CLIENT = 1,
}

export interface ZclHeader {
  readonly frameType: ZclFrameType;
  readonly direction: ZclDirection;
  readonly disableDefaultResponse: boolean;
  /** Present only for manufacturer-specific frames (bit 2). */
  readonly manufacturerCode?: number;
  readonly tsn: number;
  readonly commandId: number;
}

export interface ZclFrame {
  readonly header: ZclHeader;
  readonly payload: Buffer;
}

/** Foundation (global) command identifiers (2.5, table 2-3). */
export enum ZclGlobal {
  READ = 0x00,
  READ_RSP = 0x01,
  WRITE = 0x02,
  WRITE_UNDIV = 0x03,
  WRITE_RSP = 0x04,
  WRITE_NO_RSP = 0x05,
  CONFIG_REPORT = 0x06,
  CONFIG_REPORT_RSP = 0x07,
  READ_REPORT_CONFIG = 0x08,
  READ_REPORT_CONFIG_RSP = 0x09,
  REPORT = 0x0a,
  DEFAULT_RSP = 0x0b,
  DISCOVER = 0x0c,
  DISCOVER_RSP = 0x0d,
}

/** ZCL status codes (2.6.3, table 2-12), the ones we send. */
export const ZclStatus = {
  SUCCESS: 0x00,
  FAILURE: 0x01,
  NOT_AUTHORIZED: 0x7e,
  MALFORMED_COMMAND: 0x80,
  UNSUP_CLUSTER_COMMAND: 0x81,
  UNSUP_GENERAL_COMMAND: 0x82,
  INVALID_FIELD: 0x85,
  UNSUPPORTED_ATTRIBUTE: 0x86,
  INVALID_VALUE: 0x87,
  READ_ONLY: 0x88,
  NOT_FOUND: 0x8b,
  UNREPORTABLE_ATTRIBUTE: 0x8c,
  INVALID_DATA_TYPE: 0x8d,
} as const;

/** ZCL data type identifiers (2.6.2, table 2-10), the ones our clusters use. */
export enum ZclDataType {
  NO_DATA = 0x00,
  BOOLEAN = 0x10,
  BITMAP8 = 0x18,
  BITMAP16 = 0x19,
  BITMAP32 = 0x1b,
  UINT8 = 0x20,
  UINT16 = 0x21,
  UINT24 = 0x22,
  UINT32 = 0x23,
  INT8 = 0x28,
  INT16 = 0x29,
  INT32 = 0x2b,
  ENUM8 = 0x30,
  ENUM16 = 0x31,
  OCTET_STR = 0x41,
  CHAR_STR = 0x42,
  UTC = 0xe2,
  IEEE_ADDR = 0xf0,
}

export type ZclValue = number | boolean | string | Buffer;

/** Fixed sizes; strings are length-prefixed (one byte). */
const FIXED_SIZE: Partial<Record<ZclDataType, number>> = {
  [ZclDataType.BOOLEAN]: 1,
  [ZclDataType.BITMAP8]: 1,
  [ZclDataType.BITMAP16]: 2,
  [ZclDataType.BITMAP32]: 4,
  [ZclDataType.UINT8]: 1,
  [ZclDataType.UINT16]: 2,
  [ZclDataType.UINT24]: 3,
  [ZclDataType.UINT32]: 4,
  [ZclDataType.INT8]: 1,
  [ZclDataType.INT16]: 2,
  [ZclDataType.INT32]: 4,
  [ZclDataType.ENUM8]: 1,
  [ZclDataType.ENUM16]: 2,
  [ZclDataType.UTC]: 4,
  [ZclDataType.IEEE_ADDR]: 8,
};

/** Analog types carry a "reportable change" field in Configure Reporting (2.5.7.1.7). */
export function isAnalogType(t: number): boolean {
  return (t >= 0x20 && t <= 0x2f) || (t >= 0x38 && t <= 0x3a) || (t >= 0xe0 && t <= 0xe2);
}

export class ZclDecodeError extends Error {}

export function encodeZclHeader(h: ZclHeader): Buffer {
  const manuf = h.manufacturerCode !== undefined;
  const fc =
    (h.frameType & 0x03) | (manuf ? 0x04 : 0) | ((h.direction & 1) << 3) | (h.disableDefaultResponse ? 0x10 : 0);
  const out = Buffer.alloc(manuf ? 5 : 3);
  out[0] = fc;
  let o = 1;
  if (manuf) {
    out.writeUInt16LE(h.manufacturerCode!, 1);
    o = 3;
  }
  out[o] = h.tsn & 0xff;
  out[o + 1] = h.commandId & 0xff;
  return out;
}

export function encodeZclFrame(frame: ZclFrame): Buffer {
  return Buffer.concat([encodeZclHeader(frame.header), frame.payload]);
}

export function decodeZclFrame(bytes: Buffer): ZclFrame {
  if (bytes.length < 3) throw new ZclDecodeError(`ZCL frame of ${bytes.length} bytes is shorter than a header`);
  const fc = bytes[0]!;
  const manuf = (fc & 0x04) !== 0;
  if (manuf && bytes.length < 5) throw new ZclDecodeError("manufacturer-specific ZCL frame is shorter than its header");
  const o = manuf ? 3 : 1;
  const header: ZclHeader = {
    frameType: (fc & 0x03) as ZclFrameType,
    direction: ((fc >> 3) & 1) as ZclDirection,
    disableDefaultResponse: (fc & 0x10) !== 0,
    ...(manuf ? { manufacturerCode: bytes.readUInt16LE(1) } : {}),
    tsn: bytes[o]!,
    commandId: bytes[o + 1]!,
  };
  return { header, payload: Buffer.from(bytes.subarray(o + 2)) };
}

/** A cursor over a payload, failing with a ZclDecodeError (→ MALFORMED_COMMAND) on a short frame. */
export class ZclReader {
  constructor(
    private readonly buf: Buffer,
    public offset = 0,
  ) {}
  get remaining(): number {
    return this.buf.length - this.offset;
  }
  private need(n: number, what: string): void {
    if (this.offset + n > this.buf.length) {
      throw new ZclDecodeError(`${what}: needs ${n} bytes at offset ${this.offset}, frame has ${this.buf.length}`);
    }
  }
  u8(what = "uint8"): number { this.need(1, what); return this.buf.readUInt8(this.offset++); }
  u16(what = "uint16"): number { this.need(2, what); const v = this.buf.readUInt16LE(this.offset); this.offset += 2; return v; }
  u32(what = "uint32"): number { this.need(4, what); const v = this.buf.readUInt32LE(this.offset); this.offset += 4; return v; }
  bytes(n: number, what = "bytes"): Buffer { this.need(n, what); const v = Buffer.from(this.buf.subarray(this.offset, this.offset + n)); this.offset += n; return v; }
  /** Octet/char string: one length byte; 0xFF means "invalid/absent" (2.6.2.10) and reads as empty. */
  str(what = "string"): Buffer {
    const n = this.u8(what);
    return n === 0xff ? Buffer.alloc(0) : this.bytes(n, what);
  }
  value(type: number, what = "value"): ZclValue {
    switch (type) {
      case ZclDataType.BOOLEAN: return this.u8(what) !== 0;
      case ZclDataType.OCTET_STR: return this.str(what);
      case ZclDataType.CHAR_STR: return this.str(what).toString("utf8");
      case ZclDataType.IEEE_ADDR: return `0x${this.bytes(8, what).reverse().toString("hex")}`;
      case ZclDataType.INT8: { this.need(1, what); const v = this.buf.readInt8(this.offset); this.offset += 1; return v; }
      case ZclDataType.INT16: { this.need(2, what); const v = this.buf.readInt16LE(this.offset); this.offset += 2; return v; }
      case ZclDataType.INT32: { this.need(4, what); const v = this.buf.readInt32LE(this.offset); this.offset += 4; return v; }
      default: {
        const size = FIXED_SIZE[type as ZclDataType];
        if (size === undefined) throw new ZclDecodeError(`${what}: data type 0x${type.toString(16)} not supported`);
        this.need(size, what);
        const v = this.buf.readUIntLE(this.offset, size);
        this.offset += size;
        return v;
      }
    }
  }
}

export function encodeZclValue(type: number, value: ZclValue): Buffer {
  switch (type) {
    case ZclDataType.BOOLEAN: return Buffer.from([value ? 1 : 0]);
    case ZclDataType.OCTET_STR:
    case ZclDataType.CHAR_STR: {
      const b = Buffer.isBuffer(value) ? value : Buffer.from(String(value), "utf8");
      if (b.length > 254) throw new RangeError(`ZCL string of ${b.length} bytes exceeds 254`);
      return Buffer.concat([Buffer.from([b.length]), b]);
    }
    case ZclDataType.IEEE_ADDR: return Buffer.from(String(value).replace(/^0x/, ""), "hex").reverse();
    case ZclDataType.INT8: { const b = Buffer.alloc(1); b.writeInt8(Number(value)); return b; }
    case ZclDataType.INT16: { const b = Buffer.alloc(2); b.writeInt16LE(Number(value)); return b; }
    case ZclDataType.INT32: { const b = Buffer.alloc(4); b.writeInt32LE(Number(value)); return b; }
    default: {
      const size = FIXED_SIZE[type as ZclDataType];
      if (size === undefined) throw new RangeError(`ZCL data type 0x${type.toString(16)} not supported`);
      const b = Buffer.alloc(size);
      b.writeUIntLE(Number(value), 0, size);
      return b;
    }
  }
}

// ---- Field layouts for cluster-specific command payloads

export type ZclFieldType = "u8" | "u16" | "u32" | "enum8" | "map8" | "octstr" | "charstr";
export interface ZclField {
  readonly name: string;
  readonly type: ZclFieldType;
}
export type ZclFields = Record<string, number | Buffer | string>;

const FIELD_TYPE: Record<ZclFieldType, ZclDataType> = {
  u8: ZclDataType.UINT8,
  u16: ZclDataType.UINT16,
  u32: ZclDataType.UINT32,
  enum8: ZclDataType.ENUM8,
  map8: ZclDataType.BITMAP8,
  octstr: ZclDataType.OCTET_STR,
  charstr: ZclDataType.CHAR_STR,
};

/**
 * Decodes fields in order. A trailing string field that is absent reads as empty: the ZCL Door Lock
 * commands make the PIN optional (e.g. Lock Door with no code), and some senders omit its length byte.
 */
export function decodeZclFields(payload: Buffer, layout: readonly ZclField[]): ZclFields {
  const r = new ZclReader(payload);
  const out: ZclFields = {};
  layout.forEach((f, i) => {
    const isString = f.type === "octstr" || f.type === "charstr";
    if (isString && i === layout.length - 1 && r.remaining === 0) {
      out[f.name] = f.type === "octstr" ? Buffer.alloc(0) : "";
      return;
    }
    out[f.name] = r.value(FIELD_TYPE[f.type], f.name) as number | Buffer | string;
  });
  return out;
}

export function encodeZclFields(fields: ZclFields, layout: readonly ZclField[]): Buffer {
  return Buffer.concat(
    layout.map((f) => {
      const v = fields[f.name];
      if (v === undefined) throw new RangeError(`ZCL field ${f.name} missing`);
      return encodeZclValue(FIELD_TYPE[f.type], v);
    }),
  );
}

// ---- Foundation payloads (2.5)

/** Read Attributes (2.5.1): a list of attribute ids. */
export function decodeReadAttributes(payload: Buffer): number[] {
  const r = new ZclReader(payload);
  const ids: number[] = [];
  while (r.remaining >= 2) ids.push(r.u16("attributeId"));
  return ids;
}
export function encodeReadAttributes(ids: readonly number[]): Buffer {
  const b = Buffer.alloc(ids.length * 2);
  ids.forEach((id, i) => b.writeUInt16LE(id, i * 2));
  return b;
}

export type ReadRecord =
  | { readonly attrId: number; readonly status: 0; readonly dataType: number; readonly value: ZclValue }
  | { readonly attrId: number; readonly status: number };

/** Read Attributes Response (2.5.2): attrId, status, and type+value only when status is SUCCESS. */
export function encodeReadAttributesResponse(records: readonly ReadRecord[]): Buffer {
  return Buffer.concat(
    records.map((rec) => {
      const head = Buffer.alloc(3);
      head.writeUInt16LE(rec.attrId, 0);
      head[2] = rec.status;
      if (rec.status !== 0 || !("value" in rec)) return head;
      return Buffer.concat([head, Buffer.from([rec.dataType]), encodeZclValue(rec.dataType, rec.value)]);
    }),
  );
}
export function decodeReadAttributesResponse(payload: Buffer): ReadRecord[] {
  const r = new ZclReader(payload);
  const out: ReadRecord[] = [];
  while (r.remaining > 0) {
    const attrId = r.u16("attributeId");
    const status = r.u8("status");
    if (status !== 0) {
      out.push({ attrId, status });
      continue;
    }
    const dataType = r.u8("dataType");
    out.push({ attrId, status: 0, dataType, value: r.value(dataType, `attribute 0x${attrId.toString(16)}`) });
  }
  return out;
}

/** Write Attributes (2.5.3) and Report Attributes (2.5.11) share the record shape attrId, type, value. */
export interface AttributeRecord {
  readonly attrId: number;
  readonly dataType: number;
  readonly value: ZclValue;
}
export function decodeAttributeRecords(payload: Buffer): AttributeRecord[] {
  const r = new ZclReader(payload);
  const out: AttributeRecord[] = [];
  while (r.remaining > 0) {
    const attrId = r.u16("attributeId");
    const dataType = r.u8("dataType");
    out.push({ attrId, dataType, value: r.value(dataType, `attribute 0x${attrId.toString(16)}`) });
  }
  return out;
}
export function encodeAttributeRecords(records: readonly AttributeRecord[]): Buffer {
  return Buffer.concat(
    records.map((rec) => {
      const head = Buffer.alloc(3);
      head.writeUInt16LE(rec.attrId, 0);
      head[2] = rec.dataType;
      return Buffer.concat([head, encodeZclValue(rec.dataType, rec.value)]);
    }),
  );
}

/**
 * Write Attributes Response (2.5.5) and Configure Reporting Response (2.5.8): when every record succeeded, a
 * single SUCCESS status byte; otherwise one status record per failed attribute.
 */
export function encodeStatusRecords(failures: readonly { status: number; attrId: number; direction?: number }[], withDirection: boolean): Buffer {
  if (failures.length === 0) return Buffer.from([ZclStatus.SUCCESS]);
  return Buffer.concat(
    failures.map((f) => {
      const b = Buffer.alloc(withDirection ? 4 : 3);
      b[0] = f.status;
      if (withDirection) {
        b[1] = f.direction ?? 0;
        b.writeUInt16LE(f.attrId, 2);
      } else b.writeUInt16LE(f.attrId, 1);
      return b;
    }),
  );
}

/** One record of Configure Reporting (2.5.7.1). */
export interface ReportingConfig {
  readonly direction: number;
  readonly attrId: number;
  readonly dataType?: number;
  readonly minInterval?: number;
  readonly maxInterval?: number;
  readonly reportableChange?: ZclValue;
  readonly timeout?: number;
}
export function decodeConfigureReporting(payload: Buffer): ReportingConfig[] {
  const r = new ZclReader(payload);
  const out: ReportingConfig[] = [];
  while (r.remaining > 0) {
    const direction = r.u8("direction");
    const attrId = r.u16("attributeId");
    if (direction === 0) {
      const dataType = r.u8("dataType");
      const minInterval = r.u16("minimumReportingInterval");
      const maxInterval = r.u16("maximumReportingInterval");
      const reportableChange = isAnalogType(dataType) ? r.value(dataType, "reportableChange") : undefined;
      out.push({ direction, attrId, dataType, minInterval, maxInterval, ...(reportableChange !== undefined ? { reportableChange } : {}) });
    } else {
      out.push({ direction, attrId, timeout: r.u16("timeoutPeriod") });
    }
  }
  return out;
}

/** Default Response (2.5.12): the command id it answers and a status. */
export function encodeDefaultResponse(commandId: number, status: number): Buffer {
  return Buffer.from([commandId & 0xff, status & 0xff]);
}
export function decodeDefaultResponse(payload: Buffer): { commandId: number; status: number } {
  const r = new ZclReader(payload);
  return { commandId: r.u8("commandId"), status: r.u8("status") };
}
