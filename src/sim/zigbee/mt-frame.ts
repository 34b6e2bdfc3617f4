// Z-Stack Monitor and Test (MT) framing over a byte stream (TI "Z-Stack Monitor and Test API", section 2.1):
//   SOF(0xFE) | LEN | CMD0 | CMD1 | DATA[LEN] | FCS
// CMD0 = type << 5 | subsystem; FCS = XOR of LEN, CMD0, CMD1 and every DATA byte.

export const MT_SOF = 0xfe;
/** The UART transport allows at most 250 data bytes per frame. */
export const MT_MAX_DATA = 250;

/** MT command types (the top three bits of CMD0). */
export enum MtType {
  POLL = 0,
  SREQ = 1,
  AREQ = 2,
  SRSP = 3,
}

/** MT subsystems (the low five bits of CMD0). */
export enum MtSubsystem {
  RES0 = 0,
  SYS = 1,
  MAC = 2,
  NWK = 3,
  AF = 4,
  ZDO = 5,
  SAPI = 6,
  UTIL = 7,
  DEBUG = 8,
  APP = 9,
  APP_CNF = 15,
  GREENPOWER = 21,
}

export interface MtFrame {
  readonly type: MtType;
  readonly subsystem: MtSubsystem;
  readonly commandId: number;
  readonly data: Buffer;
}

/** XOR checksum over LEN, CMD0, CMD1 and DATA. */
export function mtChecksum(bytes: Uint8Array): number {
  let fcs = 0;
  for (const b of bytes) fcs ^= b;
  return fcs;
}

/** Encodes one frame; throws when the data does not fit in one MT frame. */
export function encodeMtFrame(frame: MtFrame): Buffer {
  if (frame.data.length > MT_MAX_DATA) {
    throw new RangeError(`MT frame data is ${frame.data.length} bytes; the maximum is ${MT_MAX_DATA}`);
  }
  const out = Buffer.alloc(frame.data.length + 5);
  out[0] = MT_SOF;
  out[1] = frame.data.length;
  out[2] = ((frame.type << 5) & 0xe0) | (frame.subsystem & 0x1f);
  out[3] = frame.commandId & 0xff;
  frame.data.copy(out, 4);
  out[out.length - 1] = mtChecksum(out.subarray(1, out.length - 1));
  return out;
}

/** Decodes exactly one complete frame (SOF included); throws on a bad length or checksum. */
export function decodeMtFrame(bytes: Buffer): MtFrame {
  if (bytes.length < 5 || bytes[0] !== MT_SOF) throw new Error("MT frame: missing start-of-frame byte 0xFE");
  const len = bytes[1]!;
  if (bytes.length !== len + 5) throw new Error(`MT frame: length byte says ${len} data bytes, frame holds ${bytes.length - 5}`);
  const fcs = mtChecksum(bytes.subarray(1, bytes.length - 1));
  if (fcs !== bytes[bytes.length - 1]) {
    throw new Error(`MT frame: checksum 0x${bytes[bytes.length - 1]!.toString(16)} != computed 0x${fcs.toString(16)}`);
  }
  return {
    type: (bytes[2]! >> 5) as MtType,
    subsystem: (bytes[2]! & 0x1f) as MtSubsystem,
    commandId: bytes[3]!,
    data: Buffer.from(bytes.subarray(4, 4 + len)),
  };
}

/**
 * Splits a TCP byte stream into MT frames. Bytes before a SOF (e.g. the CC253x "skip bootloader" byte 0xEF
 * herdsman writes) are skipped; a frame with a bad checksum is dropped, as the real ZNP does.
 */
export class MtFrameParser {
  private buffer: Buffer = Buffer.alloc(0);
  /** Frames dropped for a bad checksum, for diagnostics. */
  badFrames = 0;

  push(chunk: Buffer): MtFrame[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const frames: MtFrame[] = [];
    for (;;) {
      const start = this.buffer.indexOf(MT_SOF);
      if (start < 0) {
        this.buffer = Buffer.alloc(0);
        break;
      }
      if (start > 0) this.buffer = this.buffer.subarray(start);
      if (this.buffer.length < 5) break;
      const total = this.buffer[1]! + 5;
      if (this.buffer.length < total) break;
      const raw = this.buffer.subarray(0, total);
      this.buffer = this.buffer.subarray(total);
      try {
        frames.push(decodeMtFrame(raw));
      } catch {
        this.badFrames++;
      }
    }
    return frames;
  }
}
