import { expect } from "chai";
import fc from "fast-check";
import { RandomSourceError, checkPin, generatePin, isAcceptablePin } from "../../src/access/pin.js";

/** A deterministic byte source for tests (xorshift), so failures reproduce. */
function seededBytes(seed: number): (n: number) => Uint8Array {
  let x = seed || 1;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      out[i] = x & 0xff;
    }
    return out;
  };
}

describe("access/pin", () => {
  const refused: [string, string][] = [
    ["12a4", "not-digits"], ["", "not-digits"], [" 1234", "not-digits"], ["１２３４", "not-digits"],
    ["482", "too-short"], ["482957163", "too-long"],
    ["0000", "repeated-digit"], ["1111", "repeated-digit"], ["99999999", "repeated-digit"],
    ["1234", "sequence"], ["4321", "sequence"], ["012345", "sequence"], ["7890", "sequence"], ["98765432", "sequence"], ["3210", "sequence"],
    ["1212", "repeated-pattern"], ["6969", "repeated-pattern"], ["123123", "repeated-pattern"], ["47114711", "repeated-pattern"],
    ["1004", "common"], ["2580", "common"], ["0852", "common"], ["1122", "common"], ["5683", "common"], ["112233", "common"],
  ];
  for (const [pin, problem] of refused) {
    it(`refuses ${JSON.stringify(pin)}: ${problem}`, () => {
      const check = checkPin(pin);
      expect(check.ok).to.equal(false);
      if (!check.ok) {
        expect(check.problem).to.equal(problem);
        if (pin.length > 0) expect(check.message).not.to.include(pin);
      }
    });
  }

  it("accepts ordinary PINs of 4 to 8 digits, leading zeros included", () => {
    for (const pin of ["4829", "0471", "73915", "048213", "5902716", "60917348"]) expect(checkPin(pin), pin).to.deep.equal({ ok: true });
  });

  it("applies a lock's own limits within 4-8", () => {
    expect(checkPin("48295", { maxLength: 4 })).to.include({ ok: false, problem: "too-long" });
    expect(checkPin("4829", { minLength: 6 })).to.include({ ok: false, problem: "too-short" });
    expect(checkPin("482957", { minLength: 6, maxLength: 6 })).to.deep.equal({ ok: true });
    // A lock that claims 1-12 digits does not widen the product's own 4-8.
    expect(checkPin("482", { minLength: 1 })).to.include({ ok: false, problem: "too-short" });
    expect(checkPin("482957163", { maxLength: 12 })).to.include({ ok: false, problem: "too-long" });
  });

  it("generates PINs of the asked length that pass every rule", () => {
    fc.assert(
      fc.property(fc.integer({ min: 4, max: 8 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), (length, seed) => {
        const pin = generatePin(length, seededBytes(seed));
        expect(pin).to.match(new RegExp(`^\\d{${length}}$`));
        expect(isAcceptablePin(pin), pin).to.equal(true);
      }),
    );
  });

  it("never generates a trivial PIN even when the random source offers one first", () => {
    // The first bytes spell 1-2-3-4 (1, 2, 3, 4 are kept as digits), then a varied stream follows.
    const script = [1, 2, 3, 4, 1, 2, 3, 4];
    const varied = seededBytes(7);
    let served = false;
    const pin = generatePin(4, (n) => {
      if (!served) {
        served = true;
        return Uint8Array.from(script.slice(0, n));
      }
      return varied(n);
    });
    expect(pin).not.to.equal("1234");
    expect(isAcceptablePin(pin)).to.equal(true);
  });

  it("discards bytes 250-255 instead of folding them in (no modulo bias)", () => {
    // 250..255 would give digits 0..5 under a plain modulo; they must be skipped.
    const bytes = [250, 251, 252, 253, 254, 255, 17, 38, 49, 96];
    let offset = 0;
    const pin = generatePin(4, (n) => {
      const out = Uint8Array.from(bytes.slice(offset, offset + n));
      offset += n;
      return out;
    });
    expect(pin).to.equal("7896");
  });

  it("gives every digit about equally often", () => {
    const counts = new Array<number>(10).fill(0);
    const random = seededBytes(12345);
    for (let i = 0; i < 5000; i++) for (const ch of generatePin(8, random)) counts[Number(ch)]! += 1;
    // 40,000 digits: 4,000 expected each; a chi-square over 9 degrees of freedom below 27.9 (p = 0.001).
    const chi = counts.reduce((sum, c) => sum + (c - 4000) ** 2 / 4000, 0);
    expect(chi, `counts ${counts.join(",")}`).to.be.below(27.9);
  });

  it("refuses a bad length and a broken random source", () => {
    expect(() => generatePin(3, seededBytes(1))).to.throw(RangeError, /4 to 8/);
    expect(() => generatePin(9, seededBytes(1))).to.throw(RangeError);
    expect(() => generatePin(4, (n) => new Uint8Array(n))).to.throw(RandomSourceError); // all zeros -> "0000" forever
    expect(() => generatePin(4, () => new Uint8Array(0))).to.throw(RandomSourceError);
    expect(() => generatePin(4, (n) => new Uint8Array(n).fill(255))).to.throw(RandomSourceError);
  });
});
