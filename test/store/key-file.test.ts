import { expect } from "chai";
import { chmodSync, existsSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { StoreError } from "../../src/core/errors.js";
import { deriveKeys, KEY_BYTES } from "../../src/store/index.js";
import { credential, StoreFixture } from "./store-fixtures.js";

describe("store/key-file", () => {
  let fixture: StoreFixture;
  beforeEach(async () => {
    fixture = await StoreFixture.create();
  });
  afterEach(() => fixture.cleanup());

  const keyPath = () => join(fixture.storageDir, "doorstep.key");

  /** A store holding `n` encrypted PINs, closed again. */
  function storeWithPins(n: number): void {
    const store = fixture.open();
    for (let i = 0; i < n; i++) store.credentials.insert(credential(), `${5810 + i * 7}`);
    store.close();
  }

  it("creates a 32-byte key with mode 0600 on first start, in a 0700 directory, and reuses it afterwards", () => {
    const first = fixture.open();
    expect(first.keyCreated).to.equal(true);
    expect(statSync(keyPath()).mode & 0o777).to.equal(0o600);
    expect(statSync(fixture.storageDir).mode & 0o777).to.equal(0o700);
    const key = readFileSync(keyPath());
    expect(key).to.have.length(KEY_BYTES);
    first.close();
    const second = fixture.open();
    expect(second.keyCreated).to.equal(false);
    expect(readFileSync(keyPath()).equals(key)).to.equal(true);
  });

  it("refuses to start without the key file while PINs exist, and does not create a new one", () => {
    storeWithPins(3);
    unlinkSync(keyPath());
    expect(() => fixture.open()).to.throw(
      StoreError,
      /^key file missing: .*doorstep\.key\. Restore it from the backup .*refusing to create a new key that would orphan 3 encrypted PINs\.$/,
    );
    expect(existsSync(keyPath())).to.equal(false);
  });

  it("creates a new key when the missing one protected nothing yet", () => {
    fixture.open().close();
    unlinkSync(keyPath());
    expect(fixture.open().keyCreated).to.equal(true);
  });

  it("refuses a key file that group or others can read, saying how to fix it", () => {
    storeWithPins(1);
    chmodSync(keyPath(), 0o640);
    const key = readFileSync(keyPath());
    expect(() => fixture.open()).to.throw(StoreError, /can be read by other users \(mode 0640\); run "chmod 600 /);
    expect(statSync(keyPath()).mode & 0o777, "left for the owner to fix").to.equal(0o640);
    chmodSync(keyPath(), 0o600);
    expect(readFileSync(keyPath()).equals(key)).to.equal(true);
    expect(() => fixture.open()).not.to.throw();
  });

  it("refuses a key file of the wrong size", () => {
    storeWithPins(1);
    writeFileSync(keyPath(), randomBytes(16), { mode: 0o600 });
    expect(() => fixture.open()).to.throw(StoreError, /holds 16 bytes, but a Doorstep key is exactly 32/);
  });

  it("refuses the key of another install, which would decrypt none of the PINs", () => {
    storeWithPins(1);
    writeFileSync(keyPath(), randomBytes(KEY_BYTES), { mode: 0o600 });
    expect(() => fixture.open()).to.throw(StoreError, /is not the key of .*doorstep\.db/);
  });

  it("derives distinct encryption and lookup keys, the same ones every time", () => {
    const master = randomBytes(KEY_BYTES);
    const a = deriveKeys(master);
    const b = deriveKeys(Buffer.from(master));
    expect(a.encryption.equals(a.lookup)).to.equal(false);
    expect(a.encryption.equals(master)).to.equal(false);
    expect(a.encryption.equals(b.encryption) && a.lookup.equals(b.lookup)).to.equal(true);
    expect(a.fingerprint).to.equal(b.fingerprint);
    expect(deriveKeys(randomBytes(KEY_BYTES)).fingerprint).not.to.equal(a.fingerprint);
  });
});
