import { expect } from "chai";
import { createDecipheriv, createHmac, randomBytes } from "node:crypto";
import { CredentialId, DoorId } from "../../src/access/ids.js";
import { StoreError } from "../../src/core/errors.js";
import { deriveKeys, PinVault } from "../../src/store/index.js";

describe("store/pin-vault", () => {
  const keys = deriveKeys(randomBytes(32));
  const vault = new PinVault(keys);
  const alice = CredentialId("alice");
  const bob = CredentialId("bob");

  it("round-trips a PIN, with a fresh IV each time", () => {
    const a = vault.seal(alice, "482915");
    const b = vault.seal(alice, "482915");
    expect(Buffer.from(a).equals(Buffer.from(b))).to.equal(false);
    expect(vault.open(alice, a)).to.equal("482915");
    expect(vault.open(alice, b)).to.equal("482915");
  });

  it("writes the documented layout: version 1 | 12-byte IV | 16-byte tag | AES-256-GCM ciphertext, AAD bound to the id", () => {
    const sealed = Buffer.from(vault.seal(alice, "70315"));
    expect(sealed[0]).to.equal(1);
    expect(sealed.length).to.equal(1 + 12 + 16 + 5);
    const decipher = createDecipheriv("aes-256-gcm", keys.encryption, sealed.subarray(1, 13));
    decipher.setAAD(Buffer.from("doorstep pin v1\0alice"));
    decipher.setAuthTag(sealed.subarray(13, 29));
    expect(Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]).toString()).to.equal("70315");
  });

  it("refuses a ciphertext moved to another credential's row", () => {
    const sealed = vault.seal(alice, "482915");
    expect(() => vault.open(bob, sealed)).to.throw(StoreError, /credential "bob" cannot be decrypted/);
  });

  it("refuses an altered ciphertext or a different key, without echoing the PIN", () => {
    const sealed = Buffer.from(vault.seal(alice, "482915"));
    sealed[sealed.length - 1]! ^= 0x01;
    expect(() => vault.open(alice, sealed)).to.throw(StoreError).that.satisfies((e: Error) => !e.message.includes("482915"));
    const other = new PinVault(deriveKeys(randomBytes(32)));
    expect(() => other.open(alice, vault.seal(alice, "482915"))).to.throw(StoreError);
    expect(() => vault.open(alice, Buffer.from([1, 2, 3]))).to.throw(StoreError, /malformed/);
  });

  it("gives a per-door HMAC-SHA256 lookup hash of the PIN", () => {
    const front = DoorId("front");
    const expected = createHmac("sha256", keys.lookup).update('["front","482915"]').digest();
    expect(Buffer.from(vault.lookupHash(front, "482915")).equals(expected)).to.equal(true);
    expect(Buffer.from(vault.lookupHash(DoorId("back"), "482915")).equals(expected)).to.equal(false);
    expect(Buffer.from(vault.lookupHash(front, "482916")).equals(expected)).to.equal(false);
    // Framing: the door/PIN boundary cannot be shifted to forge a match.
    expect(Buffer.from(vault.lookupHash(DoorId("front4"), "82915")).equals(expected)).to.equal(false);
  });
});
