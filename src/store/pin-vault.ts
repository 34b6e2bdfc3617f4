// PINs at rest: AES-256-GCM bound to the credential id, plus a per-door HMAC to find a PIN without decrypting.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import type { CredentialId, DoorId } from "../access/ids.js";
import { StoreError } from "../core/errors.js";
import type { StoreKeys } from "./key-file.js";

const FORMAT_V1 = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Encrypts, decrypts and looks up PINs with the keys derived from doorstep.key. */
export class PinVault {
  constructor(private readonly keys: StoreKeys) {}

  /**
   * `version(1) | iv(12) | tag(16) | ciphertext`. The credential id is the associated data, so a ciphertext copied onto
   * another credential's row fails to decrypt instead of handing that credential someone else's PIN.
   */
  seal(credentialId: CredentialId, pin: string): Uint8Array {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.keys.encryption, iv);
    cipher.setAAD(associatedData(credentialId));
    const ciphertext = Buffer.concat([cipher.update(pin, "utf8"), cipher.final()]);
    return Buffer.concat([Buffer.of(FORMAT_V1), iv, cipher.getAuthTag(), ciphertext]);
  }

  /** The PIN sealed for `credentialId`; StoreError (never the bytes) when the key or the row does not match. */
  open(credentialId: CredentialId, sealed: Uint8Array): string {
    const data = Buffer.from(sealed);
    if (data.length <= 1 + IV_BYTES + TAG_BYTES || data[0] !== FORMAT_V1) {
      throw new StoreError(
        `The stored PIN of credential "${credentialId}" is malformed; restore doorstep.db from a backup.`,
      );
    }
    const iv = data.subarray(1, 1 + IV_BYTES);
    const tag = data.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.keys.encryption, iv);
      decipher.setAAD(associatedData(credentialId));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(data.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
    } catch (error) {
      throw new StoreError(
        `The stored PIN of credential "${credentialId}" cannot be decrypted: doorstep.key does not match it, or the row ` +
          "was altered. Restore doorstep.db and doorstep.key from the same backup.",
        { cause: error },
      );
    }
  }

  /** HMAC-SHA256 of (door, PIN): equal PINs on different doors give unrelated hashes. */
  lookupHash(doorId: DoorId, pin: string): Uint8Array {
    return pinLookupHash(this.keys.lookup, doorId, pin);
  }
}

/** The keyed lookup hash of a PIN on one door; JSON framing keeps ("1", "23") and ("12", "3") apart. */
export function pinLookupHash(key: Uint8Array, doorId: DoorId, pin: string): Uint8Array {
  return createHmac("sha256", key).update(JSON.stringify([doorId, pin])).digest();
}

function associatedData(credentialId: CredentialId): Buffer {
  return Buffer.from(`doorstep pin v1\0${credentialId}`, "utf8");
}
