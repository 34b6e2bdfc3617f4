// openStore: the storage directory, its database and key file, and every store on top, opened in the safe order.
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Clock } from "../access/clock.js";
import { CredentialId } from "../access/ids.js";
import { StoreError } from "../core/errors.js";
import { AuditLog } from "./audit-log.js";
import { CredentialStore } from "./credential-store.js";
import { Database } from "./database.js";
import { DoorSettingsStore } from "./door-settings-store.js";
import { KEY_FILE_NAME, loadOrCreateKeyFile, type StoreKeys } from "./key-file.js";
import { LockoutStore } from "./lockout-store.js";
import { KEYED_AUDIT_HEAD_VERSION, migrate, type Migration, MIGRATIONS, schemaVersion } from "./migrations.js";
import { PinVault } from "./pin-vault.js";
import { securePrivateTree, storageDirWarning } from "./storage-permissions.js";
import { SlotStore } from "./slot-store.js";
import { blob, text } from "./sql-values.js";
import { TokenStore } from "./token-store.js";
import { VisitStore } from "./visit-store.js";

export const DATABASE_FILE_NAME = "doorstep.db";

export interface StoreOptions {
  /** Created (mode 0700) if missing. Holds doorstep.db and doorstep.key: back them up together. */
  storageDir: string;
  clock: Clock;
  /** For tests of future schema versions only. */
  migrations?: readonly Migration[];
  /**
   * False for commands that only read (`audit verify`, `visits`, `guest list`, ...): a missing storage directory is an
   * error, and nothing is created. Default true (a first start creates it).
   */
  create?: boolean;
}

/** Everything Doorstep persists, behind one handle. */
export interface Store {
  readonly storageDir: string;
  readonly databasePath: string;
  readonly keyPath: string;
  /** True when this open created the key file (first start). */
  readonly keyCreated: boolean;
  /** Set when the storage directory itself is open to group or others (its contents are made private anyway). */
  readonly storageWarning?: string;
  readonly credentials: CredentialStore;
  readonly tokens: TokenStore;
  readonly visits: VisitStore;
  readonly slots: SlotStore;
  readonly doorSettings: DoorSettingsStore;
  readonly lockouts: LockoutStore;
  readonly audit: AuditLog;
  /** Groups several store calls into one transaction (e.g. a credential and its audit entry). `fn` must be synchronous. */
  transaction<T>(fn: () => T): T;
  close(): void;
}

const FINGERPRINT_KEY = "key.fingerprint";

/**
 * Opens the store: database (refusing a corrupt or foreign file), migrations, then the key file, which is created only
 * while no PIN is encrypted and must match the database. Any failure closes what was opened and throws StoreError.
 */
export function openStore(options: StoreOptions): Store {
  const { storageDir, clock } = options;
  const create = options.create ?? true;
  if (!create && !existsSync(storageDir)) {
    throw new StoreError(`There is no Doorstep storage at ${storageDir} (nothing was created): point --storage or storagePath at it.`);
  }
  try {
    mkdirSync(storageDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    const reason = (error as Error).message;
    throw new StoreError(`Cannot create the storage directory ${storageDir}: ${reason}.`, { cause: error });
  }
  // Whatever an older version or a library left at 0644/0755 is made private before anything is read.
  const databasePath = join(storageDir, DATABASE_FILE_NAME);
  const keyPath = join(storageDir, KEY_FILE_NAME);
  try {
    securePrivateTree(storageDir, [keyPath]);
  } catch (error) {
    throw new StoreError(`Cannot make ${storageDir} private (chmod): ${(error as Error).message}.`, { cause: error });
  }
  const storageWarning = storageDirWarning(storageDir);
  const databaseExists = existsSync(databasePath) && statSync(databasePath).size > 0;
  if (!databaseExists && existsSync(keyPath)) throw databaseGone(keyPath, databasePath, existsSync(databasePath) ? "empty" : "missing");
  const db = Database.open(databasePath);
  try {
    // A database with no schema beside an existing key was emptied (a zeroed file SQLite reads as blank, or tables dropped).
    if (schemaVersion(db) === 0 && existsSync(keyPath)) throw databaseGone(keyPath, databasePath, "empty");
    const migrated = migrate(db, clock.now(), options.migrations ?? MIGRATIONS);
    const pins = Number(db.get("SELECT count(*) AS n FROM credentials")?.["n"] ?? 0);
    const auditEntries = Number(db.get("SELECT count(*) AS n FROM audit_log")?.["n"] ?? 0);
    const key = loadOrCreateKeyFile(storageDir, pins, auditEntries);
    const vault = new PinVault(key.keys);
    checkFingerprint(db, key.keys, vault, key.path, pins);
    const store: Store = {
      storageDir,
      databasePath,
      keyPath: key.path,
      keyCreated: key.created,
      ...(storageWarning ? { storageWarning } : {}),
      credentials: new CredentialStore(db, vault, clock),
      tokens: new TokenStore(db, clock),
      visits: new VisitStore(db, clock),
      slots: new SlotStore(db, clock),
      doorSettings: new DoorSettingsStore(db, clock),
      lockouts: new LockoutStore(db),
      audit: new AuditLog(db, clock, key.keys.audit),
      transaction: (fn) => db.transaction(fn),
      close: () => db.close(),
    };
    if (migrated.from < KEYED_AUDIT_HEAD_VERSION && migrated.to >= KEYED_AUDIT_HEAD_VERSION) store.audit.sealUpgradedHead();
    return store;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * A key without its database: the database was deleted or emptied. Re-creating it would silently lose every guest
 * code, visit and audit entry (and `audit verify` would call the new, empty log intact), so both files are named.
 */
function databaseGone(keyPath: string, databasePath: string, state: "missing" | "empty"): StoreError {
  return new StoreError(
    `${keyPath} exists but its database ${databasePath} is ${state}: the credentials, visits and audit log are gone. ` +
      "Nothing was created. Restore doorstep.db from the backup taken with doorstep.key, or move both away to start afresh.",
  );
}

/**
 * The database remembers the fingerprint of its key, so a key file from another install (which would decrypt nothing)
 * is refused at start-up rather than at the first keypad use. With no PIN stored, a new key simply replaces the old.
 */
function checkFingerprint(db: Database, keys: StoreKeys, vault: PinVault, keyPath: string, pins: number): void {
  db.transaction(() => {
    const row = db.get("SELECT value FROM meta WHERE key = ?", FINGERPRINT_KEY);
    const recorded = row ? text(row, "value") : undefined;
    if (recorded === keys.fingerprint) return;
    if (pins > 0) {
      if (recorded !== undefined) {
        throw new StoreError(
          `${keyPath} is not the key of ${db.path}: it would decrypt none of its PINs. ` +
            "Restore doorstep.key from the backup taken with this doorstep.db.",
        );
      }
      // A database from before fingerprints: prove the key on one of its PINs first.
      const sample = db.get("SELECT id, pin_sealed FROM credentials LIMIT 1")!;
      vault.open(CredentialId(text(sample, "id")), blob(sample, "pin_sealed"));
    }
    db.run("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", FINGERPRINT_KEY, keys.fingerprint);
  });
}
