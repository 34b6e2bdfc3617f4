// Ordered schema migrations recorded in `schema_version`; all pending ones run in one transaction.
import { InternalError, StoreError } from "../core/errors.js";
import type { EpochMs } from "../access/ids.js";
import { APPLICATION_ID, type Database } from "./database.js";
import { int } from "./sql-values.js";

export interface Migration {
  /** 1, 2, 3, ... in order, never reused. */
  version: number;
  name: string;
  up(db: Database): void;
}

/** The audit chain's hash before its first entry. */
export const GENESIS_HASH = "0".repeat(64);

const INITIAL_SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

CREATE TABLE credentials (
  id TEXT PRIMARY KEY,
  provider_id TEXT,
  label TEXT NOT NULL,
  kind TEXT NOT NULL,
  valid_from INTEGER NOT NULL,
  valid_until INTEGER NOT NULL,
  schedule TEXT,
  max_uses INTEGER,
  expires_after_first_use_minutes INTEGER,
  mode TEXT NOT NULL,
  allow_when_pets_home INTEGER NOT NULL,
  require_recording INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER,
  pin_sealed BLOB NOT NULL
) STRICT;
CREATE INDEX credentials_provider ON credentials (provider_id, created_at);

CREATE TABLE credential_doors (
  credential_id TEXT NOT NULL REFERENCES credentials (id),
  door_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  pin_hmac BLOB NOT NULL,
  PRIMARY KEY (credential_id, door_id)
) STRICT;
CREATE INDEX credential_doors_pin ON credential_doors (door_id, pin_hmac);

CREATE TABLE credential_usage (
  credential_id TEXT PRIMARY KEY REFERENCES credentials (id),
  uses INTEGER NOT NULL CHECK (uses >= 0),
  first_used_at INTEGER
) STRICT;

CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('owner', 'provider')),
  provider_id TEXT,
  token_hash BLOB NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER,
  CHECK ((kind = 'owner') = (provider_id IS NULL))
) STRICT;

CREATE TABLE visits (
  id TEXT PRIMARY KEY,
  door_id TEXT NOT NULL,
  credential_id TEXT,
  provider_id TEXT,
  via TEXT NOT NULL,
  state TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  unlocked_at INTEGER,
  relocked_at INTEGER,
  ended_at INTEGER,
  relock_at INTEGER,
  close_reason TEXT,
  alerts TEXT NOT NULL,
  clip TEXT NOT NULL
) STRICT;
CREATE INDEX visits_started ON visits (started_at, id);
CREATE INDEX visits_open ON visits (state) WHERE state <> 'closed';

CREATE TABLE lock_slots (
  door_id TEXT NOT NULL,
  slot INTEGER NOT NULL CHECK (slot >= 0),
  credential_id TEXT REFERENCES credentials (id),
  desired TEXT NOT NULL CHECK (desired IN ('present', 'absent')),
  state TEXT NOT NULL CHECK (state IN ('synced', 'pending', 'failed')),
  last_error TEXT,
  attempts INTEGER NOT NULL,
  next_attempt_at INTEGER,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (door_id, slot)
) STRICT;
CREATE UNIQUE INDEX lock_slots_credential ON lock_slots (door_id, credential_id) WHERE credential_id IS NOT NULL;

CREATE TABLE door_settings (
  door_id TEXT PRIMARY KEY,
  in_home_deliveries INTEGER,
  pets_home INTEGER,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  type TEXT NOT NULL,
  actor TEXT NOT NULL,
  door_id TEXT,
  credential_id TEXT,
  visit_id TEXT,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
) STRICT;
INSERT INTO meta (key, value) VALUES ('audit.head', '0:${GENESIS_HASH}');
`;

/**
 * The audit head moves to its own table with an HMAC under the audit key (issue 10: a head that anyone with the
 * database could rewrite let a cut tail go unnoticed). The MAC is left empty here (migrations hold no key); openStore
 * seals the head in the same start that ran this migration. Re-running it fails (the table exists), so a database
 * cannot be made to look "not yet upgraded" by deleting its schema_version row alone.
 */
const KEYED_AUDIT_HEAD = `
CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  mac TEXT NOT NULL
) STRICT;
INSERT INTO audit_head (id, seq, hash, mac)
  SELECT 1, CAST(substr(value, 1, instr(value, ':') - 1) AS INTEGER), substr(value, instr(value, ':') + 1), ''
  FROM meta WHERE key = 'audit.head' AND instr(value, ':') > 1;
DELETE FROM meta WHERE key = 'audit.head';
`;

/** The migration after which the audit head carries a MAC. */
export const KEYED_AUDIT_HEAD_VERSION = 2;

/** Every migration Doorstep knows, oldest first. Append only: a released migration is never edited. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "initial schema", up: (db) => db.exec(INITIAL_SCHEMA) },
  { version: KEYED_AUDIT_HEAD_VERSION, name: "keyed audit head", up: (db) => db.exec(KEYED_AUDIT_HEAD) },
  // The doors a provider token may make codes for (JSON array); NULL: every configured door, as before.
  { version: 3, name: "provider token doors", up: (db) => db.exec("ALTER TABLE api_tokens ADD COLUMN doors TEXT") },
  {
    version: 4,
    name: "wrong-PIN lockout counters",
    // One row per lockout key ("door:front", "source:…"): the failures still in the window, as epoch-ms JSON.
    up: (db) => db.exec("CREATE TABLE lockout_failures (key TEXT PRIMARY KEY, failures TEXT NOT NULL) STRICT;"),
  },
];

export interface MigrationResult {
  from: number;
  to: number;
}

/** The schema version recorded in the database (0 for a new, empty one). */
export function schemaVersion(db: Database): number {
  const table = db.get("SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
  if (!table) return 0;
  const row = db.get("SELECT coalesce(max(version), 0) AS version FROM schema_version");
  return row ? int(row, "version") : 0;
}

/**
 * Brings the schema up to the newest migration, all pending steps in one IMMEDIATE transaction (so a second process
 * opening the same file waits, then finds nothing to do). A database written by a newer Doorstep is refused, untouched.
 */
export function migrate(db: Database, now: EpochMs, migrations: readonly Migration[] = MIGRATIONS): MigrationResult {
  checkOrder(migrations);
  const latest = migrations.at(-1)?.version ?? 0;
  return db.transaction(() => {
    db.exec(
      `CREATE TABLE IF NOT EXISTS schema_version
         (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`,
    );
    if (Number(db.get("PRAGMA application_id")?.["application_id"]) !== APPLICATION_ID) {
      db.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
    }
    const from = schemaVersion(db);
    if (from > latest) {
      throw new StoreError(
        `${db.path} has schema version ${from}, written by a newer Doorstep; this one knows up to version ${latest}. ` +
          "Upgrade Doorstep, or restore a backup made by this version.",
      );
    }
    for (const migration of migrations) {
      if (migration.version <= from) continue;
      migration.up(db);
      const { version, name } = migration;
      db.run("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)", version, name, now);
    }
    return { from, to: Math.max(from, latest) };
  });
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new InternalError(`Migration "${migration.name}" has version ${migration.version}; expected ${index + 1}.`);
    }
  });
}
