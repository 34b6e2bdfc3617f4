// doorstep.key: the 32-byte secret behind PIN encryption and PIN lookup; created once, never silently replaced.
import { closeSync, fsyncSync, openSync, readFileSync, statSync, writeSync } from "node:fs";
import { hkdfSync, randomBytes } from "node:crypto";
import { join } from "node:path";
import { StoreError } from "../core/errors.js";

export const KEY_FILE_NAME = "doorstep.key";
export const KEY_BYTES = 32;

/** Independent keys derived from the key file (HKDF-SHA256), so no key serves two purposes. */
export interface StoreKeys {
  /** AES-256-GCM key for PINs. */
  readonly encryption: Buffer;
  /** HMAC-SHA256 key for the per-door PIN lookup hash. */
  readonly lookup: Buffer;
  /** HMAC-SHA256 key for the audit log's hash chain. */
  readonly audit: Buffer;
  /** A public fingerprint kept in the database, so a key file from another install is caught at start-up. */
  readonly fingerprint: string;
}

export interface KeyFileResult {
  keys: StoreKeys;
  path: string;
  created: boolean;
}

/**
 * Loads `<storageDir>/doorstep.key`, or creates it (mode 0600) when the database holds no encrypted PIN yet.
 *
 * Permissions: a key file that group or others may read is refused (like ssh refuses a private key), with the
 * `chmod` that fixes it; a key another user could have copied would make the encryption decorative.
 * A missing key file while PINs exist is refused too: a new key would orphan every one of them.
 */
export function loadOrCreateKeyFile(storageDir: string, encryptedPins: number, auditEntries = 0): KeyFileResult {
  const path = join(storageDir, KEY_FILE_NAME);
  const existing = readKeyFile(path, encryptedPins, auditEntries);
  if (existing) return { keys: deriveKeys(existing), path, created: false };
  const master = randomBytes(KEY_BYTES);
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o600);
  } catch (error) {
    // Another process created it between our read and our create: use theirs.
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      const raced = readKeyFile(path, encryptedPins, auditEntries);
      if (raced) return { keys: deriveKeys(raced), path, created: false };
    }
    throw new StoreError(`Cannot create the key file ${path}: ${(error as Error).message}.`, { cause: error });
  }
  try {
    writeSync(fd, master);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  syncDirectory(storageDir);
  return { keys: deriveKeys(master), path, created: true };
}

/** Derives the purpose keys from the 32 secret bytes. */
export function deriveKeys(master: Uint8Array): StoreKeys {
  const derive = (info: string, length: number) => Buffer.from(hkdfSync("sha256", master, "doorstep.key", info, length));
  return {
    encryption: derive("doorstep pin encryption v1", 32),
    lookup: derive("doorstep pin lookup v1", 32),
    audit: derive("doorstep audit chain v1", 32),
    fingerprint: derive("doorstep key fingerprint v1", 16).toString("hex"),
  };
}

function readKeyFile(path: string, encryptedPins: number, auditEntries: number): Buffer | undefined {
  let mode: number;
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new StoreError(`${path} is not a regular file; it should hold the Doorstep key.`);
    mode = stat.mode;
    size = stat.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw wrap(path, error);
    if (encryptedPins > 0 || auditEntries > 0) {
      const lost = [
        ...(encryptedPins > 0 ? [`orphan ${encryptedPins} encrypted PIN${encryptedPins === 1 ? "" : "s"}`] : []),
        ...(auditEntries > 0 ? [`break the audit chain of ${auditEntries} entr${auditEntries === 1 ? "y" : "ies"}`] : []),
      ];
      throw new StoreError(
        `key file missing: ${path}. Restore it from the backup taken with doorstep.db; ` +
          `refusing to create a new key that would ${lost.join(" and ")}.`,
      );
    }
    return undefined;
  }
  if (process.platform !== "win32" && (mode & 0o077) !== 0) {
    throw new StoreError(
      `${path} can be read by other users (mode ${(mode & 0o777).toString(8).padStart(4, "0")}); ` +
        `run "chmod 600 ${path}" and start again. Doorstep refuses a key that others can read.`,
    );
  }
  if (size !== KEY_BYTES) {
    throw new StoreError(
      `${path} holds ${size} bytes, but a Doorstep key is exactly ${KEY_BYTES}: it is damaged or not a Doorstep key. ` +
        "Restore the key file from the backup taken with doorstep.db.",
    );
  }
  try {
    return readFileSync(path);
  } catch (error) {
    throw wrap(path, error);
  }
}

function wrap(path: string, error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  return new StoreError(`Cannot read the key file ${path}: ${(error as Error).message}.`, { cause: error });
}

/** Makes the new directory entry durable too, so a power cut cannot lose a key that already encrypted a PIN. */
function syncDirectory(dir: string): void {
  if (process.platform === "win32") return;
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
