// TLV8 as the HAP specification defines it (§14.1 "TLV8 Format"), written independently of HAP-NodeJS so the camera
// tests speak the protocol rather than the library: one byte type, one byte length, up to 255 bytes of value; longer
// values continue in further items of the same type; two consecutive items of the same type are split by 0xFF 00.

export type TlvValue = Buffer | number[] | string | TlvItem[];
export type TlvItem = [type: number, value: TlvValue];

function bytes(value: TlvValue): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === "string") return Buffer.from(value, "utf8");
  if (value.length > 0 && Array.isArray(value[0])) return encodeTlv(value as TlvItem[]);
  return Buffer.from(value as number[]);
}

export function encodeTlv(items: readonly TlvItem[]): Buffer {
  const out: Buffer[] = [];
  let previousType: number | undefined;
  for (const [type, value] of items) {
    if (type === previousType) out.push(Buffer.from([0xff, 0x00]));
    const data = bytes(value);
    if (data.length === 0) out.push(Buffer.from([type, 0]));
    for (let offset = 0; offset < data.length; offset += 255) {
      const chunk = data.subarray(offset, offset + 255);
      out.push(Buffer.from([type, chunk.length]), chunk);
    }
    previousType = type;
  }
  return Buffer.concat(out);
}

/** Decodes one level; fragments of one item are joined. */
export function decodeTlv(data: Buffer): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  let offset = 0;
  let lastType: number | undefined;
  while (offset + 2 <= data.length) {
    const type = data[offset]!;
    const length = data[offset + 1]!;
    const value = data.subarray(offset + 2, offset + 2 + length);
    out.set(type, type === lastType && out.has(type) ? Buffer.concat([out.get(type)!, value]) : value);
    lastType = type;
    offset += 2 + length;
  }
  return out;
}

export const u16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};
export const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
export const f32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeFloatLE(n);
  return b;
};
