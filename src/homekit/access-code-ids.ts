// Apple Home names access codes by small integers; Doorstep names credentials by id. This keeps the mapping (and each
// door's Configuration State counter) in one small JSON file, so identifiers survive restarts and an edited code keeps
// its identifier while its credential is replaced. Holds no PIN.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ConfigError } from "../core/errors.js";

export const ACCESS_CODE_IDS_FILE = "access-codes.json";

/** `<storage>/homekit/access-codes.json`, beside the standalone bridge's pairings (inside Homebridge too, for one layout). */
export function accessCodeIdsFile(storageDir: string): string {
  return join(storageDir, "homekit", ACCESS_CODE_IDS_FILE);
}

/** Who made the credential: Apple Home (its PIN came from there) or Doorstep (API, CLI, Matter, a provider). */
export type AccessCodeOrigin = "homekit" | "doorstep";

export interface AccessCodeEntry {
  identifier: number;
  credentialId: string;
  origin: AccessCodeOrigin;
}

interface DoorRecord {
  /** HAP Configuration State: bumped on every change of the door's codes (uint16, wraps). */
  configurationState: number;
  nextIdentifier: number;
  codes: AccessCodeEntry[];
}

interface FileShape {
  version: 1;
  doors: Record<string, DoorRecord>;
}

const UINT16 = 0x1_0000;
/** Identifiers stay below 2^31 so they fit any integer decoding a controller may use. */
const MAX_IDENTIFIER = 0x7fff_ffff;

export class AccessCodeIds {
  private readonly data: FileShape;

  private constructor(private readonly file: string) {
    this.data = existsSync(file) ? parse(file) : { version: 1, doors: {} };
  }

  /** Opens (or starts) the file; a damaged file is a ConfigError naming it, never silently reset. */
  static open(file: string): AccessCodeIds {
    return new AccessCodeIds(file);
  }

  entries(doorId: string): readonly AccessCodeEntry[] {
    return this.door(doorId).codes;
  }

  byIdentifier(doorId: string, identifier: number): AccessCodeEntry | undefined {
    return this.door(doorId).codes.find((c) => c.identifier === identifier);
  }

  byCredential(doorId: string, credentialId: string): AccessCodeEntry | undefined {
    return this.door(doorId).codes.find((c) => c.credentialId === credentialId);
  }

  /** The credential's identifier at this door, given a new one the first time it is seen. */
  assign(doorId: string, credentialId: string, origin: AccessCodeOrigin): AccessCodeEntry {
    const existing = this.byCredential(doorId, credentialId);
    if (existing) return existing;
    const door = this.door(doorId);
    if (door.nextIdentifier > MAX_IDENTIFIER) door.nextIdentifier = 1;
    while (door.codes.some((c) => c.identifier === door.nextIdentifier)) door.nextIdentifier++;
    const entry: AccessCodeEntry = { identifier: door.nextIdentifier++, credentialId, origin };
    door.codes.push(entry);
    this.save();
    return entry;
  }

  /** An edited code: the identifier now stands for the credential that replaced the old one. */
  rebind(doorId: string, identifier: number, credentialId: string): void {
    const entry = this.byIdentifier(doorId, identifier);
    if (!entry) return;
    entry.credentialId = credentialId;
    this.save();
  }

  /** Forgets identifiers whose credentials are gone (revoked, expired, used up). */
  retain(doorId: string, credentialIds: ReadonlySet<string>): void {
    const door = this.door(doorId);
    const kept = door.codes.filter((c) => credentialIds.has(c.credentialId));
    if (kept.length === door.codes.length) return;
    door.codes = kept;
    this.save();
  }

  configurationState(doorId: string): number {
    return this.door(doorId).configurationState;
  }

  bumpConfigurationState(doorId: string): number {
    const door = this.door(doorId);
    door.configurationState = (door.configurationState + 1) % UINT16;
    this.save();
    return door.configurationState;
  }

  private door(doorId: string): DoorRecord {
    return (this.data.doors[doorId] ??= { configurationState: 0, nextIdentifier: 1, codes: [] });
  }

  private save(): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(this.data, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.file);
  }
}

function parse(file: string): FileShape {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigError(`${file} is not readable JSON (${(error as Error).message}); restore it from a backup or remove it to renumber the Apple Home access codes.`);
  }
  const shape = value as Partial<FileShape>;
  if (shape?.version !== 1 || typeof shape.doors !== "object" || shape.doors === null) {
    throw new ConfigError(`${file} is not a Doorstep access code file (version 1 expected).`);
  }
  for (const [doorId, door] of Object.entries(shape.doors)) {
    const ok =
      Number.isInteger(door?.configurationState) &&
      Number.isInteger(door?.nextIdentifier) &&
      Array.isArray(door?.codes) &&
      door.codes.every((c) => Number.isInteger(c?.identifier) && typeof c?.credentialId === "string" && (c?.origin === "homekit" || c?.origin === "doorstep"));
    if (!ok) throw new ConfigError(`${file}: the entry of door "${doorId}" is damaged; restore it from a backup or remove the file.`);
  }
  return shape as FileShape;
}
