import { expect } from "chai";
import { BARCODE, decodeFrameClock } from "../../src/sim/camera/rtsp-frame-clock.js";

// Encoder written from the layout in rtsp-server.py's docstring: 2 x 32 blocks of 16 px, MSB first, white = 1;
// 48 bits of epoch ms then check = ((b0^b2^b4) << 8 | (b1^b3^b5)) ^ 0xA5A5.
function draw(bits: number[], noise = 0): Uint8Array {
  const w = BARCODE.block * BARCODE.cols;
  const img = new Uint8Array(w * BARCODE.block * BARCODE.rows);
  for (let i = 0; i < 64; i++) {
    const r = Math.floor(i / BARCODE.cols);
    const c = i % BARCODE.cols;
    for (let y = 0; y < BARCODE.block; y++) {
      for (let x = 0; x < BARCODE.block; x++) {
        const base = bits[i] ? 235 : 16;
        const jitter = noise ? ((x * 7 + y * 13 + i) % (2 * noise)) - noise : 0;
        img[(r * BARCODE.block + y) * w + c * BARCODE.block + x] = Math.max(0, Math.min(255, base + jitter));
      }
    }
  }
  return img;
}

function bitsFor(ms: number, tamper = false): number[] {
  const b = Array.from({ length: 6 }, (_, i) => Math.floor(ms / 2 ** (8 * (5 - i))) % 256);
  let check = (((b[0]! ^ b[2]! ^ b[4]!) << 8) | (b[1]! ^ b[3]! ^ b[5]!)) ^ 0xa5a5;
  if (tamper) check ^= 1;
  const bits: number[] = [];
  for (let i = 47; i >= 0; i--) bits.push(Math.floor(ms / 2 ** i) % 2);
  for (let i = 15; i >= 0; i--) bits.push((check >> i) & 1);
  return bits;
}

describe("camera/frame clock barcode", () => {
  it("decodes the epoch milliseconds drawn into a frame, despite compression-like noise", () => {
    for (const ms of [Date.parse("2026-11-26T15:45:41.683Z"), 0, 2 ** 48 - 1, Date.parse("2038-01-19T03:14:08Z")]) {
      expect(decodeFrameClock(draw(bitsFor(ms), 40))).to.equal(ms);
    }
  });

  it("rejects a barcode whose check word does not match (never a wrong time)", () => {
    expect(decodeFrameClock(draw(bitsFor(1795707941683, true)))).to.equal(undefined);
    expect(decodeFrameClock(new Uint8Array(512 * 32).fill(96))).to.equal(undefined);
    expect(decodeFrameClock(new Uint8Array(10))).to.equal(undefined);
  });
});
