// Splits a fragmented MP4 byte stream (ffmpeg's stdout) into what HomeKit Secure Video sends: the init segment
// (everything before the first `moof`: ftyp + moov) and then one fragment per `moof` with the boxes after it (mdat).
// Pure and incremental: bytes in, complete pieces out.
import { ValidationError } from "../../core/errors.js";

export type Mp4Piece = { kind: "init"; data: Buffer } | { kind: "fragment"; data: Buffer };

/** ISO BMFF box header: 32-bit size (1 = a 64-bit size follows), four-character type. */
const HEADER = 8;
const LARGE_HEADER = 16;

export class Mp4Fragmenter {
  private buffered: Buffer = Buffer.alloc(0);
  private initBoxes: Buffer[] | undefined = [];
  private fragmentBoxes: Buffer[] | undefined;

  /** Feeds bytes; returns the pieces completed by them (a fragment completes when the next `moof` begins, or at end()). */
  push(chunk: Buffer): Mp4Piece[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const out: Mp4Piece[] = [];
    for (;;) {
      const box = this.nextBox();
      if (!box) break;
      const type = box.toString("latin1", 4, 8);
      if (type === "moof") {
        if (this.initBoxes) {
          out.push({ kind: "init", data: Buffer.concat(this.initBoxes) });
          this.initBoxes = undefined;
        } else if (this.fragmentBoxes) {
          out.push({ kind: "fragment", data: Buffer.concat(this.fragmentBoxes) });
        }
        this.fragmentBoxes = [box];
      } else if (this.initBoxes) {
        this.initBoxes.push(box);
      } else {
        this.fragmentBoxes!.push(box);
      }
    }
    return out;
  }

  /** The stream ended: the last fragment, if one was begun. Trailing bytes that are not a whole box are an error. */
  end(): Mp4Piece[] {
    if (this.buffered.length > 0) throw new ValidationError(`ends inside a box (${this.buffered.length} bytes left over)`, "mp4 stream");
    const last = this.fragmentBoxes;
    this.fragmentBoxes = undefined;
    return last ? [{ kind: "fragment", data: Buffer.concat(last) }] : [];
  }

  private nextBox(): Buffer | undefined {
    if (this.buffered.length < HEADER) return undefined;
    let size = this.buffered.readUInt32BE(0);
    if (size === 1) {
      if (this.buffered.length < LARGE_HEADER) return undefined;
      size = Number(this.buffered.readBigUInt64BE(8));
    } else if (size < HEADER) {
      // 0 ("to the end of the file") cannot be streamed; smaller sizes are corrupt.
      throw new ValidationError(`box "${this.buffered.toString("latin1", 4, 8)}" has unusable size ${size}`, "mp4 stream");
    }
    if (this.buffered.length < size) return undefined;
    const box = this.buffered.subarray(0, size);
    this.buffered = this.buffered.subarray(size);
    return box;
  }
}
