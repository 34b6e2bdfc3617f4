// One connection to doorstep.db: refuses corrupt or foreign files, WAL with synchronous=NORMAL, and a synchronous transaction helper.
import { chmodSync, existsSync, statSync } from "node:fs";
import { DatabaseSync, type SQLInputValue, type SQLOutputValue, type StatementSync } from "node:sqlite";
import { InternalError, StoreError, StorageFullError, formatError, isDiskFull } from "../core/errors.js";

/** Written into the SQLite header (`PRAGMA application_id`) so a foreign database is never mistaken for ours: "DSTP". */
export const APPLICATION_ID = 0x44535450;

/** How long a write waits for another connection (another process, a CLI command) to finish its transaction. */
export const BUSY_TIMEOUT_MS = 5_000;

export type Row = Record<string, SQLOutputValue>;
export type Param = SQLInputValue;

// SQLite primary result codes that mean "this file is damaged or not a database at all".
const SQLITE_CORRUPT = 11;
const SQLITE_NOTADB = 26;

/**
 * One connection to the Doorstep database.
 * Synchronous like `node:sqlite` itself, so a transaction can never interleave with another call on this connection;
 * other connections (a second process, the CLI) are serialised by SQLite's IMMEDIATE write lock.
 */
export class Database {
  private readonly statements = new Map<string, StatementSync>();
  private depth = 0;

  private constructor(
    /** Absolute or relative path of the database file, for messages. */
    readonly path: string,
    private readonly db: DatabaseSync,
  ) {}

  /**
   * Opens (or creates) the database at `path`. A file that is corrupt or belongs to another program is refused with a
   * StoreError and left exactly as it was: it is never re-created, which would silently lose every guest code.
   */
  static open(path: string): Database {
    const existed = existsSync(path) && statSync(path).size > 0;
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(path, { enableForeignKeyConstraints: true });
    } catch (error) {
      throw new StoreError(`Cannot open the database ${path}: ${formatError(error)}.`, { cause: error });
    }
    const database = new Database(path, db);
    try {
      // Visit history and hashed tokens are the owner's business; SQLite gives the -wal/-shm files the same mode.
      // Also for a file an older version (or a restore) left readable.
      chmodSync(path, 0o600);
      database.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
      if (existed) database.checkIntegrity();
      database.exec("PRAGMA foreign_keys = ON");
      const mode = database.get("PRAGMA journal_mode = WAL")?.["journal_mode"];
      if (mode !== "wal") throw new StoreError(`Cannot switch ${path} to WAL mode (it reports "${String(mode)}").`);
      // NORMAL (in WAL mode): a commit is durable against a crash of the process (kill -9 included) without an fsync per
      // transaction; only a power cut can lose the newest commits. Start-up is fail-secure about that (crash-recovery.ts
      // relocks any door found unlocked with no open visit). FULL cost an fsync on every guest unlock: docs/benchmarks.md.
      database.exec("PRAGMA synchronous = NORMAL");
      return database;
    } catch (error) {
      database.close();
      throw error;
    }
  }

  /** Reads the header and runs a quick check; throws StoreError on a damaged or foreign file without writing to it. */
  private checkIntegrity(): void {
    let applicationId: number;
    let tables: number;
    let check: string[];
    try {
      applicationId = Number(this.get("PRAGMA application_id")?.["application_id"] ?? 0);
      tables = Number(this.get("SELECT count(*) AS n FROM sqlite_master")?.["n"] ?? 0);
      check = this.all("PRAGMA quick_check").map((r) => String(r["quick_check"]));
    } catch (error) {
      const code = sqliteCode(error);
      if (code === SQLITE_CORRUPT || code === SQLITE_NOTADB) throw corrupt(this.path, formatError(error), error);
      throw new StoreError(`Cannot read the database ${this.path}: ${formatError(error)}.`, { cause: error });
    }
    if (check.length !== 1 || check[0] !== "ok") {
      throw corrupt(this.path, `integrity check: ${check.slice(0, 3).join("; ")}`);
    }
    if (applicationId !== APPLICATION_ID && (applicationId !== 0 || tables > 0)) {
      throw new StoreError(
        `${this.path} is an SQLite database that belongs to another program, not Doorstep. ` +
          "Doorstep will not touch it: point the storage path at another directory, or move the file aside.",
      );
    }
  }

  exec(sql: string): void {
    try {
      this.db.exec(sql);
    } catch (error) {
      throw this.translate(error);
    }
  }

  run(sql: string, ...params: Param[]): { changes: number; lastInsertRowid: number } {
    let result;
    try {
      result = this.statement(sql).run(...params);
    } catch (error) {
      throw this.translate(error);
    }
    return { changes: Number(result.changes), lastInsertRowid: Number(result.lastInsertRowid) };
  }

  /** A full disk becomes StorageFullError (HTTP 507, nothing written); anything else passes unchanged. */
  private translate(error: unknown): unknown {
    if (!isDiskFull(error) || error instanceof StorageFullError) return error;
    return new StorageFullError(`The disk holding ${this.path} is full: nothing was written. Free space; reading still works.`, { cause: error });
  }

  get(sql: string, ...params: Param[]): Row | undefined {
    return this.statement(sql).get(...params) as Row | undefined;
  }

  all(sql: string, ...params: Param[]): Row[] {
    return this.statement(sql).all(...params) as Row[];
  }

  /** True while a transaction opened by `transaction` is running on this connection. */
  get inTransaction(): boolean {
    return this.depth > 0;
  }

  /**
   * Runs `fn` in one transaction: BEGIN IMMEDIATE (the write lock is taken up front, so two connections that read then
   * write cannot both act on the same read), COMMIT, or ROLLBACK if `fn` throws. Nested calls become savepoints.
   * `fn` must be synchronous: a promise would let other work run inside the transaction.
   */
  transaction<T>(fn: () => T): T {
    const level = this.depth;
    const savepoint = level > 0 ? `sp${level}` : undefined;
    this.exec(savepoint ? `SAVEPOINT ${savepoint}` : "BEGIN IMMEDIATE");
    this.depth = level + 1;
    try {
      const result = fn();
      if (isThenable(result)) {
        throw new InternalError("A store transaction callback returned a promise; it must be synchronous.");
      }
      this.exec(savepoint ? `RELEASE ${savepoint}` : "COMMIT");
      return result;
    } catch (error) {
      this.rollback(savepoint);
      throw error;
    } finally {
      this.depth = level;
    }
  }

  private rollback(savepoint: string | undefined): void {
    try {
      this.exec(savepoint ? `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}` : "ROLLBACK");
    } catch {
      // SQLite already rolled the transaction back itself (it does on some I/O errors); nothing is left to undo.
    }
  }

  /**
   * Runs read-only `fn` on one consistent snapshot (a deferred transaction: WAL readers never block writers).
   * Inside a running transaction it simply runs `fn`.
   */
  snapshot<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    this.exec("BEGIN");
    this.depth = 1;
    try {
      return fn();
    } finally {
      this.depth = 0;
      this.rollback(undefined);
    }
  }

  close(): void {
    this.statements.clear();
    if (this.db.isOpen) this.db.close();
  }

  private statement(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

/** The SQLite result code of an error thrown by node:sqlite (primary code only), if it is one. */
export function sqliteCode(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null || !("errcode" in error)) return undefined;
  const code = (error as { errcode: unknown }).errcode;
  return typeof code === "number" ? code & 0xff : undefined;
}

/** True for a UNIQUE / PRIMARY KEY violation. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { errcode?: unknown } | null)?.errcode;
  return code === 2067 /* SQLITE_CONSTRAINT_UNIQUE */ || code === 1555 /* SQLITE_CONSTRAINT_PRIMARYKEY */;
}

function corrupt(path: string, detail: string, cause?: unknown): StoreError {
  return new StoreError(
    `${path} is damaged or is not a database (${detail}). Doorstep will not overwrite it: stop Doorstep, ` +
      "restore doorstep.db (with doorstep.key) from your backup, then start again.",
    { cause },
  );
}

function isThenable(value: unknown): boolean {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}
