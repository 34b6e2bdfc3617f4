import { withoutBigIntToJson } from "../../src/matter/matter-environment.js"; // first: configures matter.js
import { expect } from "chai";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { fromJson, toJson } from "@matter/main";
import { ConfigError } from "../../src/core/errors.js";
import { generatePairingIdentity, isValidPasscode, resolvePairingIdentity } from "../../src/matter/pairing-identity.js";
import { useTempDir } from "../helpers/temp-dir.js";

describe("matter/pairing-identity", () => {
  const tmp = useTempDir({ prefix: "doorstep-matter-pairing-" });

  it("generates once, persists (owner-only), and gives the same code after a restart", () => {
    const first = resolvePairingIdentity(tmp.path, {});
    expect(isValidPasscode(first.passcode)).to.equal(true);
    expect(first.discriminator).to.be.within(0, 4095);
    expect(statSync(tmp.join("pairing.json")).mode & 0o777).to.equal(0o600);
    expect(resolvePairingIdentity(tmp.path, {})).to.deep.equal(first);
  });

  it("config wins over what was stored", () => {
    resolvePairingIdentity(tmp.path, {});
    expect(resolvePairingIdentity(tmp.path, { passcode: 20202021, discriminator: 3840 })).to.deep.equal({ passcode: 20202021, discriminator: 3840 });
  });

  it("refuses the passcodes the Matter specification forbids, naming the setting and never echoing it", () => {
    for (const passcode of [0, 11111111, 12345678, 87654321, 99999999, 100000000]) {
      expect(() => resolvePairingIdentity(tmp.path, { passcode })).to.throw(ConfigError, /matter\.passcode/).and.satisfy((e: Error) => !e.message.includes(String(passcode)));
    }
    expect(() => resolvePairingIdentity(tmp.path, { discriminator: 4096 })).to.throw(ConfigError, /matter\.discriminator/);
  });

  it("never generates a forbidden passcode, even from a random source that offers them first", () => {
    const offers = [11111111, 12345678, 5555];
    const id = generatePairingIdentity((min, max) => (offers.length > 0 ? offers.shift()! : Math.min(max - 1, min + 7)));
    expect(id.passcode).to.equal(5555);
  });

  it("a damaged pairing file is an error that says what to do", () => {
    writeFileSync(tmp.join("pairing.json"), "{not json");
    expect(() => resolvePairingIdentity(tmp.path, {})).to.throw(ConfigError, /delete it/);
    expect(readFileSync(tmp.join("pairing.json"), "utf8")).to.equal("{not json");
  });
});

describe("matter/matter-environment: bigints survive storage next to zigbee-herdsman", () => {
  // zigbee-herdsman sets BigInt.prototype.toJSON process-wide (utils/patchBigIntSerialization); this is that patch.
  const patch = () =>
    Object.defineProperty(BigInt.prototype, "toJSON", {
      configurable: true,
      writable: true,
      value(this: bigint) {
        return this.toString();
      },
    });
  // Whatever this process had before (herdsman's patch, when its tests ran first) is put back after each test.
  const original = Object.getOwnPropertyDescriptor(BigInt.prototype, "toJSON");
  afterEach(() => {
    if (original) Object.defineProperty(BigInt.prototype, "toJSON", original);
    else delete (BigInt.prototype as { toJSON?: unknown }).toJSON;
  });

  it("with the patch, matter.js' own serialisation loses the bigint (the bug)", () => {
    patch();
    expect(fromJson(toJson({ fabricId: 17397634166124336947n }))).to.deep.equal({ fabricId: "17397634166124336947" });
  });

  it("inside withoutBigIntToJson the bigint round-trips, and the patch is back afterwards", () => {
    patch();
    const json = withoutBigIntToJson(() => toJson({ fabricId: 17397634166124336947n }));
    expect(fromJson(json)).to.deep.equal({ fabricId: 17397634166124336947n });
    expect(JSON.stringify({ n: 5n })).to.equal('{"n":"5"}');
  });
});
