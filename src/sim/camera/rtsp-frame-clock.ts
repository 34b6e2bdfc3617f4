// Reads the wall-clock time that rtsp-server.py draws into every frame, so a test can tell which moments a clip really
// covers without trusting the recorder's own bookkeeping.
import { execFile } from "node:child_process";
import type { EpochMs } from "../../access/ids.js";

/** Barcode geometry; must match rtsp-server.py (BLOCK, COLS, ROWS). */
export const BARCODE = { block: 16, cols: 32, rows: 2 } as const;
const WIDTH = BARCODE.block * BARCODE.cols;
const HEIGHT = BARCODE.block * BARCODE.rows;
const FRAME_BYTES = WIDTH * HEIGHT;

/**
 * Decodes one cropped 8-bit gray barcode image (WIDTH x HEIGHT). Returns undefined if the check word does not match
 * (a damaged or missing barcode), never a wrong time.
 */
export function decodeFrameClock(gray: Uint8Array): EpochMs | undefined {
  if (gray.length < FRAME_BYTES) return undefined;
  let value = 0n;
  for (let r = 0; r < BARCODE.rows; r++) {
    for (let c = 0; c < BARCODE.cols; c++) {
      let sum = 0;
      // Average the block's centre (8x8) so compression ringing at the edges does not matter.
      for (let y = r * BARCODE.block + 4; y < r * BARCODE.block + 12; y++) {
        for (let x = c * BARCODE.block + 4; x < c * BARCODE.block + 12; x++) sum += gray[y * WIDTH + x]!;
      }
      value = (value << 1n) | (sum / 64 > 128 ? 1n : 0n);
    }
  }
  const ms = value >> 16n;
  const check = Number(value & 0xffffn);
  const b = new Array<number>(6);
  for (let i = 0; i < 6; i++) b[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  const expected = ((((b[0]! ^ b[2]! ^ b[4]!) << 8) | (b[1]! ^ b[3]! ^ b[5]!)) ^ 0xa5a5) & 0xffff;
  return check === expected ? Number(ms) : undefined;
}

/** Decodes the barcode of every video frame of a media file, in order (undefined where a frame had none readable). */
export function readFrameClocks(file: string, ffmpegPath = "ffmpeg"): Promise<(EpochMs | undefined)[]> {
  return new Promise((resolve, reject) => {
    execFile(
      ffmpegPath,
      ["-v", "error", "-nostdin", "-i", file, "-map", "0:v:0", "-vf", `crop=${WIDTH}:${HEIGHT}:0:0`, "-pix_fmt", "gray", "-f", "rawvideo", "-"],
      { encoding: "buffer", maxBuffer: 512 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`could not decode frames of ${file}: ${stderr.toString().trim() || error.message}`));
          return;
        }
        const out: (EpochMs | undefined)[] = [];
        for (let off = 0; off + FRAME_BYTES <= stdout.length; off += FRAME_BYTES) out.push(decodeFrameClock(stdout.subarray(off, off + FRAME_BYTES)));
        resolve(out);
      },
    );
  });
}
