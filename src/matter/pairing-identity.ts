// The node's setup passcode and discriminator: from config when given, else generated once and kept in the storage
// directory, so the pairing code a person wrote down stays valid across restarts.
import { randomInt } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../core/errors.js";

export interface PairingIdentity {
  passcode: number;
  discriminator: number;
}

/** Passcodes the Matter specification forbids (5.1.7.1): trivially guessable. */
const FORBIDDEN_PASSCODES = new Set([0, 11111111, 22222222, 33333333, 44444444, 55555555, 66666666, 77777777, 88888888, 99999999, 12345678, 87654321]);

export function isValidPasscode(passcode: number): boolean {
  return Number.isInteger(passcode) && passcode >= 1 && passcode <= 99999998 && !FORBIDDEN_PASSCODES.has(passcode);
}

export function isValidDiscriminator(discriminator: number): boolean {
  return Number.isInteger(discriminator) && discriminator >= 0 && discriminator <= 4095;
}

/** A passcode and discriminator from a cryptographic random source, never a forbidden passcode. */
export function generatePairingIdentity(random: (min: number, max: number) => number = randomInt): PairingIdentity {
  let passcode: number;
  do passcode = random(1, 99999999);
  while (!isValidPasscode(passcode));
  return { passcode, discriminator: random(0, 4096) };
}

const FILE = "pairing.json";

/**
 * Config wins; what config leaves out is read from `<dir>/pairing.json`, or generated and written there (mode 0600:
 * the passcode lets anyone on the network commission the bridge).
 */
export function resolvePairingIdentity(dir: string, configured: { passcode?: number; discriminator?: number }): PairingIdentity {
  if (configured.passcode !== undefined && !isValidPasscode(configured.passcode)) {
    throw new ConfigError("matter.passcode must be 1 to 99999998, not all one digit and not an ascending or descending run of digits");
  }
  if (configured.discriminator !== undefined && !isValidDiscriminator(configured.discriminator)) {
    throw new ConfigError("matter.discriminator must be 0–4095");
  }
  const path = join(dir, FILE);
  let stored: Partial<PairingIdentity> = {};
  if (existsSync(path)) {
    try {
      stored = JSON.parse(readFileSync(path, "utf8")) as Partial<PairingIdentity>;
    } catch {
      throw new ConfigError(`${path} is not valid JSON; delete it to generate a new pairing code (controllers then need to pair again).`);
    }
  }
  const generated = generatePairingIdentity();
  const identity: PairingIdentity = {
    passcode: configured.passcode ?? (typeof stored.passcode === "number" && isValidPasscode(stored.passcode) ? stored.passcode : generated.passcode),
    discriminator:
      configured.discriminator ??
      (typeof stored.discriminator === "number" && isValidDiscriminator(stored.discriminator) ? stored.discriminator : generated.discriminator),
  };
  const generatedAny = configured.passcode === undefined || configured.discriminator === undefined;
  if (generatedAny && (stored.passcode !== identity.passcode || stored.discriminator !== identity.discriminator)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(path, JSON.stringify(identity), { mode: 0o600 });
  }
  return identity;
}
