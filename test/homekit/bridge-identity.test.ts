import { expect } from "chai";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { ConfigError } from "../../src/core/errors.js";
import { generatePincode, IDENTITY_FILE, isValidPincode, loadOrCreateIdentity } from "../../src/homekit/bridge-identity.js";
import { useTempDir } from "../helpers/temp-dir.js";

describe("standalone bridge identity", () => {
  const tmp = useTempDir({ prefix: "doorstep-identity-" });

  it("is generated once (locally administered MAC, valid setup code, setup id) and kept with mode 0600", () => {
    const first = loadOrCreateIdentity(tmp.path);
    expect(first.username).to.match(/^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/);
    expect(parseInt(first.username.slice(0, 2), 16) & 0x03, "locally administered, unicast").to.equal(0x02);
    expect(isValidPincode(first.pincode)).to.equal(true);
    expect(first.setupId).to.match(/^[0-9A-Z]{4}$/);
    expect(statSync(tmp.join(IDENTITY_FILE)).mode & 0o777).to.equal(0o600);
    expect(loadOrCreateIdentity(tmp.path)).to.deep.equal(first);
  });

  it("takes the configured setup code, keeping the rest", () => {
    const first = loadOrCreateIdentity(tmp.path);
    const configured = loadOrCreateIdentity(tmp.path, "031-45-154");
    expect(configured).to.deep.equal({ ...first, pincode: "031-45-154" });
  });

  it("refuses a trivial or malformed configured code, naming homekit.pincode and changing nothing", () => {
    const first = loadOrCreateIdentity(tmp.path);
    for (const bad of ["123-45-678", "111-11-111", "12345678", "031-45-15"]) {
      expect(() => loadOrCreateIdentity(tmp.path, bad), bad).to.throw(ConfigError, "homekit.pincode");
    }
    expect(loadOrCreateIdentity(tmp.path)).to.deep.equal(first);
  });

  it("refuses a damaged identity file instead of silently making a new one (pairings depend on it)", () => {
    writeFileSync(tmp.join(IDENTITY_FILE), JSON.stringify({ username: "nope" }));
    expect(() => loadOrCreateIdentity(tmp.path)).to.throw(ConfigError, "damaged");
    expect(JSON.parse(readFileSync(tmp.join(IDENTITY_FILE), "utf8"))).to.deep.equal({ username: "nope" });
  });

  it("never generates one of the codes HomeKit refuses", () => {
    let calls = 0;
    // A generator that first yields 1,2,3,…,8 (12345678) and then all threes… then a good code.
    const digits = [1, 2, 3, 4, 5, 6, 7, 8, 3, 3, 3, 3, 3, 3, 3, 3, 0, 3, 1, 4, 5, 1, 5, 4];
    const code = generatePincode(() => digits[calls++]!);
    expect(code).to.equal("031-45-154");
  });
});
