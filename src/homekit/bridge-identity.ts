// The standalone bridge's HomeKit identity: its MAC-style username, setup code and setup id, made once and kept in
// the storage dir, because a controller's pairing is bound to them. The file holds the setup code: mode 0600.
import { randomInt } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../core/errors.js";

export interface BridgeIdentity {
  /** "0E:12:34:56:78:9A": a locally administered unicast MAC. */
  username: string;
  /** "031-45-154". */
  pincode: string;
  /** Four characters [0-9A-Z] in the setup URI. */
  setupId: string;
}

export const IDENTITY_FILE = "bridge-identity.json";

/** Setup codes HomeKit refuses (HAP spec: trivial codes are invalid). */
const INVALID_CODES = new Set(["00000000", "11111111", "22222222", "33333333", "44444444", "55555555", "66666666", "77777777", "88888888", "99999999", "12345678", "87654321"]);
const PINCODE = /^\d{3}-\d{2}-\d{3}$/;
const USERNAME = /^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/;
const SETUP_ID = /^[0-9A-Z]{4}$/;

/** A setup code HomeKit accepts, formatted XXX-XX-XXX. */
export function generatePincode(random: (max: number) => number = randomInt): string {
  for (;;) {
    const digits = Array.from({ length: 8 }, () => String(random(10))).join("");
    if (!INVALID_CODES.has(digits)) return `${digits.slice(0, 3)}-${digits.slice(3, 5)}-${digits.slice(5)}`;
  }
}

export function isValidPincode(code: string): boolean {
  return PINCODE.test(code) && !INVALID_CODES.has(code.replace(/-/g, ""));
}

function generateUsername(): string {
  // Bit 1 of the first octet set (locally administered), bit 0 clear (unicast).
  const bytes = Array.from({ length: 6 }, () => randomInt(256));
  bytes[0] = (bytes[0]! & 0xfc) | 0x02;
  return bytes.map((b) => b.toString(16).toUpperCase().padStart(2, "0")).join(":");
}

function generateSetupId(): string {
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  return Array.from({ length: 4 }, () => alphabet[randomInt(alphabet.length)]).join("");
}

/**
 * Loads the identity from `dir`, creating it on first use. A configured setup code replaces the stored one (HomeKit
 * asks for the code only while pairing, so changing it never breaks an existing pairing).
 */
export function loadOrCreateIdentity(dir: string, configuredPincode?: string): BridgeIdentity {
  if (configuredPincode !== undefined && !isValidPincode(configuredPincode)) {
    throw new ConfigError("homekit.pincode: must look like 031-45-154 and not be a trivial code such as 123-45-678", [
      { path: "homekit.pincode", message: "must look like 031-45-154 and not be a trivial code" },
    ]);
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, IDENTITY_FILE);
  let identity: BridgeIdentity | undefined;
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, "utf8")) as Partial<BridgeIdentity>;
    if (
      typeof stored.username !== "string" || !USERNAME.test(stored.username) ||
      typeof stored.pincode !== "string" || !isValidPincode(stored.pincode) ||
      typeof stored.setupId !== "string" || !SETUP_ID.test(stored.setupId)
    ) {
      throw new ConfigError(`${file} is damaged; restore it from a backup, or delete it (and the files beside it) to pair the bridge again.`);
    }
    identity = { username: stored.username, pincode: stored.pincode, setupId: stored.setupId };
  }
  const next: BridgeIdentity = {
    username: identity?.username ?? generateUsername(),
    pincode: configuredPincode ?? identity?.pincode ?? generatePincode(),
    setupId: identity?.setupId ?? generateSetupId(),
  };
  if (!identity || identity.pincode !== next.pincode) writeFileSync(file, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  return next;
}
