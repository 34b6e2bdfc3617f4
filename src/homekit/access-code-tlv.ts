// The TLV8 of HAP's Access Code service (iOS 15+): the control point's requests and responses and the supported
// configuration. Apple publishes it only in the MFi HAP specification; this follows the public reverse-engineered
// description (see docs/homekit-access-codes.md). Pure: bytes in, values out, and back.
import { ValidationError } from "../core/errors.js";

export const ACCESS_CODE_OPERATIONS = { list: 1, read: 2, add: 3, update: 4, remove: 5 } as const;
export type AccessCodeOperation = keyof typeof ACCESS_CODE_OPERATIONS;

/** Per-entry status codes of a control point response. */
export const ACCESS_CODE_STATUS = {
  success: 0,
  unknown: 1,
  maxCodesExceeded: 2,
  tooManyBulkOperations: 3,
  duplicate: 4,
  tooShort: 5,
  tooLong: 6,
  invalidCharacter: 7,
  invalidRequest: 8,
  doesNotExist: 9,
} as const;
export type AccessCodeStatus = keyof typeof ACCESS_CODE_STATUS;

/** Root TLV types. */
const ROOT = { operation: 1, request: 2, response: 3 } as const;
/** Sub-TLV types inside a request or response entry. */
const ENTRY = { identifier: 1, code: 2, flags: 3, status: 4 } as const;
/** Supported configuration TLV types. */
const CONFIG = { characterSet: 1, minLength: 2, maxLength: 3, maxCodes: 4 } as const;
/** Character set 1: Arabic numerals (0-9), the only one a keypad lock offers. */
const CHARACTER_SET_DIGITS = 1;
/** An empty item of type 0 separates entries of the same type (bulk operations). */
const SEPARATOR = 0;
/** Identifiers are little-endian unsigned integers of 1 to 4 bytes, as HAP writes integers in TLV8. */
const MAX_IDENTIFIER = 0xffff_ffff;

export interface AccessCodeRequestEntry {
  identifier?: number;
  /** The code as sent: ASCII; whether it is acceptable is the caller's decision. */
  code?: string;
}

export interface AccessCodeRequest {
  operation: AccessCodeOperation;
  entries: AccessCodeRequestEntry[];
}

export interface AccessCodeResponseEntry {
  identifier?: number;
  /** Left out where the PIN is not Apple Home's to know. */
  code?: string;
  flags?: number;
  status: AccessCodeStatus;
}

export interface AccessCodeSupportedConfiguration {
  minLength: number;
  maxLength: number;
  maxCodes: number;
}

interface TlvItem {
  type: number;
  value: Buffer;
}

/**
 * Splits one TLV8 level into items. A value longer than 255 bytes arrives as consecutive items of one type, each but
 * the last 255 bytes long; they are joined. Separators (type 0, length 0) are kept so bulk entries stay apart.
 */
function readItems(data: Buffer, what: string): TlvItem[] {
  const items: TlvItem[] = [];
  let offset = 0;
  let previousFull = false;
  while (offset < data.length) {
    if (offset + 2 > data.length) throw new ValidationError(`ends inside an item header at byte ${offset}`, what);
    const type = data[offset]!;
    const length = data[offset + 1]!;
    if (offset + 2 + length > data.length) throw new ValidationError(`item of type ${type} at byte ${offset} is longer than the data`, what);
    const value = data.subarray(offset + 2, offset + 2 + length);
    const last = items.at(-1);
    if (previousFull && last && last.type === type) last.value = Buffer.concat([last.value, value]);
    else items.push({ type, value });
    previousFull = length === 255;
    offset += 2 + length;
  }
  return items;
}

function writeItem(type: number, value: Buffer): Buffer {
  if (value.length === 0) return Buffer.from([type, 0]);
  const parts: Buffer[] = [];
  for (let offset = 0; offset < value.length; offset += 255) {
    const chunk = value.subarray(offset, offset + 255);
    parts.push(Buffer.from([type, chunk.length]), chunk);
  }
  return Buffer.concat(parts);
}

function readUint(value: Buffer, what: string): number {
  if (value.length < 1 || value.length > 4) throw new ValidationError(`must be 1 to 4 bytes, got ${value.length}`, what);
  return value.readUIntLE(0, value.length);
}

/** The shortest little-endian encoding (at least one byte). */
function writeUint(n: number, what: string): Buffer {
  if (!Number.isInteger(n) || n < 0 || n > MAX_IDENTIFIER) throw new ValidationError(`must be a whole number from 0 to ${MAX_IDENTIFIER}`, what);
  const length = n <= 0xff ? 1 : n <= 0xffff ? 2 : n <= 0xff_ffff ? 3 : 4;
  const out = Buffer.alloc(length);
  out.writeUIntLE(n, 0, length);
  return out;
}

const OPERATION_BY_VALUE = new Map(Object.entries(ACCESS_CODE_OPERATIONS).map(([name, value]) => [value as number, name as AccessCodeOperation]));

/** Decodes a control point write. ValidationError (naming the part) for bytes that are not a request. */
export function decodeAccessCodeRequest(data: Buffer): AccessCodeRequest {
  const items = readItems(data, "request");
  const operationItems = items.filter((i) => i.type === ROOT.operation);
  if (operationItems.length !== 1) throw new ValidationError(`must carry exactly one operation, found ${operationItems.length}`, "request");
  const opValue = operationItems[0]!.value;
  if (opValue.length !== 1) throw new ValidationError(`must be one byte, got ${opValue.length}`, "operation");
  const operation = OPERATION_BY_VALUE.get(opValue[0]!);
  if (!operation) throw new ValidationError(`${opValue[0]} is not an operation (1 list, 2 read, 3 add, 4 update, 5 remove)`, "operation");
  const entries: AccessCodeRequestEntry[] = [];
  for (const item of items) {
    if (item.type === ROOT.request) entries.push(decodeRequestEntry(item.value, `request[${entries.length}]`));
    else if (item.type !== ROOT.operation && item.type !== SEPARATOR) {
      throw new ValidationError(`unexpected item of type ${item.type}`, "request");
    }
  }
  return { operation, entries };
}

function decodeRequestEntry(data: Buffer, what: string): AccessCodeRequestEntry {
  const entry: AccessCodeRequestEntry = {};
  for (const item of readItems(data, what)) {
    if (item.type === ENTRY.identifier) entry.identifier = readUint(item.value, `${what}.identifier`);
    // latin1 keeps every byte as one character, so a non-ASCII byte is seen (and refused) rather than replaced.
    else if (item.type === ENTRY.code) entry.code = item.value.toString("latin1");
    // Unknown sub-items (a future flags field, say) are ignored: the operation is still understood.
  }
  return entry;
}

/** Encodes a control point response: the operation echoed (homed relies on it), then one entry per result. */
export function encodeAccessCodeResponse(operation: AccessCodeOperation, entries: readonly AccessCodeResponseEntry[]): Buffer {
  const parts: Buffer[] = [writeItem(ROOT.operation, Buffer.from([ACCESS_CODE_OPERATIONS[operation]]))];
  entries.forEach((entry, i) => {
    if (i > 0) parts.push(writeItem(SEPARATOR, Buffer.alloc(0)));
    const sub: Buffer[] = [];
    if (entry.identifier !== undefined) sub.push(writeItem(ENTRY.identifier, writeUint(entry.identifier, "identifier")));
    if (entry.code !== undefined) sub.push(writeItem(ENTRY.code, Buffer.from(entry.code, "latin1")));
    sub.push(writeItem(ENTRY.flags, Buffer.from([entry.flags ?? 0])));
    sub.push(writeItem(ENTRY.status, Buffer.from([ACCESS_CODE_STATUS[entry.status]])));
    parts.push(writeItem(ROOT.response, Buffer.concat(sub)));
  });
  return Buffer.concat(parts);
}

/** The Access Code Supported Configuration value: digits only, the PIN lengths and how many codes fit. */
export function encodeSupportedConfiguration(config: AccessCodeSupportedConfiguration): Buffer {
  const byte = (n: number, what: string) => {
    if (!Number.isInteger(n) || n < 1 || n > 255) throw new ValidationError(`must be a whole number from 1 to 255, got ${n}`, what);
    return Buffer.from([n]);
  };
  if (config.minLength > config.maxLength) throw new ValidationError(`(${config.minLength}) must not exceed maxLength (${config.maxLength})`, "minLength");
  return Buffer.concat([
    writeItem(CONFIG.characterSet, Buffer.from([CHARACTER_SET_DIGITS])),
    writeItem(CONFIG.minLength, byte(config.minLength, "minLength")),
    writeItem(CONFIG.maxLength, byte(config.maxLength, "maxLength")),
    writeItem(CONFIG.maxCodes, byte(config.maxCodes, "maxCodes")),
  ]);
}
