// What every command needs: the config (from --config, or doorstep.json in the storage dir) and the opened store.
// Config validation (ajv) and the store load on first use, not with the command line: `doorstep --help` needs neither.
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { systemClock, type Clock } from "../access/clock.js";
import { DoorId } from "../access/ids.js";
import type { DoorstepConfig } from "../config/config.js";
import { ConfigError } from "../core/errors.js";
import { CredentialService } from "../delivery/credential-service.js";
import type { Store } from "../store/store.js";

export interface GlobalOptions {
  config?: string;
  storage?: string;
  /** A Homebridge storage dir: its config.json's Doorstep block, and the plugin's storage under it. */
  homebridgeStorage?: string;
}

/** The plugin's storage folder inside Homebridge's storage dir (as the platform uses it). */
const HOMEBRIDGE_STORAGE_FOLDER = "doorstep";

export const CONFIG_FILE_NAME = "doorstep.json";
export const defaultStorageDir = (): string => join(homedir(), ".doorstep");

export interface CliContext {
  config: DoorstepConfig;
  /** Where the config came from, or undefined when none was found (defaults only). */
  configPath?: string;
  storageDir: string;
  clock: Clock;
}

/**
 * --config wins (a doorstep.json or a Homebridge config.json); else --homebridge-storage's config.json; else
 * doorstep.json in --storage (or ~/.doorstep); else an empty config with defaults. The storage dir: --storage, else the
 * config's storagePath, else <Homebridge storage>/doorstep for a Homebridge config, else ~/.doorstep.
 */
export async function resolveContext(options: GlobalOptions, clock: Clock = systemClock): Promise<CliContext> {
  if (options.config && options.homebridgeStorage) throw new ConfigError("Use --config or --homebridge-storage, not both.");
  let configPath = options.config ? resolve(options.config) : undefined;
  if (!configPath && options.homebridgeStorage) {
    configPath = join(resolve(options.homebridgeStorage), "config.json");
    if (!existsSync(configPath)) throw new ConfigError(`${configPath} does not exist (is ${options.homebridgeStorage} Homebridge's storage dir?).`);
  }
  if (!configPath) {
    const candidate = join(resolve(options.storage ?? defaultStorageDir()), CONFIG_FILE_NAME);
    if (existsSync(candidate)) configPath = candidate;
  }
  const { loadAnyConfigFile } = await import("../config/load-config.js");
  const { validateConfig } = await import("../config/validate-config.js");
  const loaded = configPath ? await loadAnyConfigFile(configPath) : { config: validateConfig({}), homebridge: false };
  const { config } = loaded;
  const homebridgeDefault = loaded.homebridge && configPath ? join(dirname(configPath), HOMEBRIDGE_STORAGE_FOLDER) : undefined;
  const storageDir = resolve(options.storage ?? config.storagePath ?? homebridgeDefault ?? defaultStorageDir());
  return { config, ...(configPath ? { configPath } : {}), storageDir, clock };
}

/**
 * Opens the store for one command and closes it afterwards, whatever happens. `read`: the command only reads, so a
 * missing storage directory is an error and nothing is created.
 */
export async function withStore<T>(context: CliContext, fn: (store: Store) => Promise<T> | T, access: "read" | "write" = "write"): Promise<T> {
  const { openStore } = await import("../store/store.js");
  const store = openStore({ storageDir: context.storageDir, clock: context.clock, create: access === "write" });
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

export function credentialService(context: CliContext, store: Store): CredentialService {
  const { config } = context;
  return new CredentialService({
    store,
    clock: context.clock,
    doors: config.doors.map((d) => ({ id: DoorId(d.id) })),
    maxCredentialDays: config.delivery.maxCredentialDays,
    timeZone: config.delivery.timeZone,
    requireRecording: config.delivery.requireRecording,
    inHomeDeliveries: config.delivery.inHomeDeliveries,
  });
}

/** withStore for a command that only reads: nothing is created (a missing storage directory is an error). */
export const withStoreToRead = <T>(context: CliContext, fn: (store: Store) => Promise<T> | T): Promise<T> => withStore(context, fn, "read");
