// Append-only, hash-chained audit log: each entry commits to the one before, and the head is kept apart.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Clock } from "../access/clock.js";
import type { CredentialId, DoorId, EpochMs, VisitId } from "../access/ids.js";
import { InternalError, StoreError } from "../core/errors.js";
import { canonicalJson, isPlainObject, type JsonObject } from "./canonical-json.js";
import { isUniqueViolation, type Database, type Param, type Row } from "./database.js";
import { GENESIS_HASH } from "./migrations.js";
import { assertNoSecrets } from "./secret-guard.js";
import { int, optText, text } from "./sql-values.js";

export interface AuditInput {
  /** What happened, e.g. "credential.created", "visit.opened", "door.unlocked". */
  type: string;
  /** Who did it, e.g. "owner", "provider:acme", "keypad", "system". */
  actor: string;
  doorId?: DoorId;
  credentialId?: CredentialId;
  visitId?: VisitId;
  /** Plain JSON; keys that name a secret (pin, token, password, ...) are refused. */
  details?: JsonObject;
}

export interface AuditEntry {
  seq: number;
  at: EpochMs;
  type: string;
  actor: string;
  doorId?: DoorId;
  credentialId?: CredentialId;
  visitId?: VisitId;
  details: JsonObject;
  /** The hash of entry seq-1 (64 zeros for entry 1). */
  prevHash: string;
  /** SHA-256 (hex) of prevHash followed by the canonical JSON of the entry's fields above. */
  hash: string;
}

/**
 * edited: content no longer matches; deleted: a gap; reordered: an entry sits at another's place;
 * truncated: the tail is gone; inserted: entries past the recorded head.
 */
export type AuditProblem = "edited" | "deleted" | "reordered" | "truncated" | "inserted";

export type AuditVerification =
  | { ok: true; entries: number }
  /** `firstBad` is the seq of the first entry that cannot be trusted (0 means the head record itself). */
  | { ok: false; firstBad: number; problem: AuditProblem; message: string };

export interface AuditFilter {
  /** Only entries with seq greater than this. */
  afterSeq?: number;
  doorId?: DoorId;
  credentialId?: CredentialId;
  visitId?: VisitId;
  /** Default 100, at most 10,000. */
  limit?: number;
}

const MAX_LIMIT = 10_000;

interface Head {
  seq: number;
  hash: string;
}

/** The head as stored: `sealed` is false when its MAC is missing or does not match (a rewritten or forged head). */
type StoredHead = Head & { sealed: boolean };

export class AuditLog {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    /** HMAC key from doorstep.key: whoever holds only the database cannot forge or re-chain entries. */
    private readonly key: Buffer,
  ) {}

  /**
   * Appends one entry in an IMMEDIATE transaction (so appends from several connections or processes stay one chain),
   * moving the head in the same transaction. InternalError, and nothing written, if the details could carry a secret.
   */
  append(input: AuditInput): AuditEntry {
    const details = input.details ?? {};
    if (!isPlainObject(details)) throw new InternalError("Audit details must be a plain JSON object.");
    assertNoSecrets(details);
    assertNoSecrets({ type: input.type, actor: input.actor }, "entry");
    canonicalJson(details, "details");
    return this.db.transaction(() => {
      const head = this.readHead();
      if (!head?.sealed) throw new StoreError("The audit log's head record is missing or damaged; run `doorstep audit verify`.");
      const entry = seal(this.key, {
        seq: head.seq + 1,
        at: this.clock.now(),
        type: input.type,
        actor: input.actor,
        ...(input.doorId !== undefined && { doorId: input.doorId }),
        ...(input.credentialId !== undefined && { credentialId: input.credentialId }),
        ...(input.visitId !== undefined && { visitId: input.visitId }),
        details,
        prevHash: head.hash,
      });
      try {
        this.db.run(
          `INSERT INTO audit_log (seq, at, type, actor, door_id, credential_id, visit_id, details, prev_hash, hash)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          entry.seq,
          entry.at,
          entry.type,
          entry.actor,
          entry.doorId ?? null,
          entry.credentialId ?? null,
          entry.visitId ?? null,
          canonicalJson(entry.details),
          entry.prevHash,
          entry.hash,
        );
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        throw new StoreError(
          `The audit log already holds an entry ${entry.seq} past its recorded head; run \`doorstep audit verify\`.`,
          { cause: error },
        );
      }
      this.writeHead({ seq: entry.seq, hash: entry.hash });
      return entry;
    });
  }

  /** Entries in order, oldest first. */
  list(filter: AuditFilter = {}): AuditEntry[] {
    const where: string[] = ["seq > ?"];
    const params: Param[] = [filter.afterSeq ?? 0];
    const columns = { doorId: "door_id", credentialId: "credential_id", visitId: "visit_id" } as const;
    for (const [field, column] of Object.entries(columns) as [keyof typeof columns, string][]) {
      const value = filter[field];
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      params.push(value);
    }
    const limit = filter.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      throw new InternalError(`Audit list limit ${limit} is outside 1..${MAX_LIMIT}.`);
    }
    return this.db
      .all(`SELECT * FROM audit_log WHERE ${where.join(" AND ")} ORDER BY seq LIMIT ?`, ...params, limit)
      .map((row) => toEntry(row));
  }

  /** The last entry's seq and hash as recorded beside the log (seq 0 and the genesis hash when empty). */
  head(): Head | undefined {
    const head = this.readHead();
    return head && { seq: head.seq, hash: head.hash };
  }

  /**
   * Gives an unsealed head its MAC. Only openStore calls this, in the start that moved the head to its keyed table
   * (migration 2); any other unsealed head is reported as damaged.
   */
  sealUpgradedHead(): void {
    this.db.transaction(() => {
      const row = this.db.get("SELECT seq, hash, mac FROM audit_head WHERE id = 1");
      if (row && text(row, "mac") === "") this.writeHead({ seq: int(row, "seq"), hash: text(row, "hash") });
    });
  }

  /**
   * Walks the chain from the first entry and names the FIRST entry that cannot be trusted. Reads one snapshot, so an
   * append from another process during the walk is not mistaken for tampering.
   */
  verify(): AuditVerification {
    return this.db.snapshot(() => verifyChain(this.key, this.db.all("SELECT * FROM audit_log ORDER BY seq"), this.readHead()));
  }

  private readHead(): StoredHead | undefined {
    const row = this.db.get("SELECT seq, hash, mac FROM audit_head WHERE id = 1");
    if (!row) return undefined;
    const head = { seq: int(row, "seq"), hash: text(row, "hash") };
    if (!/^[0-9a-f]{64}$/.test(head.hash)) return undefined;
    const stored = Buffer.from(text(row, "mac"), "hex");
    const expected = Buffer.from(headMac(this.key, head), "hex");
    return { ...head, sealed: stored.length === expected.length && timingSafeEqual(stored, expected) };
  }

  private writeHead(head: Head): void {
    this.db.run(
      "INSERT INTO audit_head (id, seq, hash, mac) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, mac = excluded.mac",
      head.seq,
      head.hash,
      headMac(this.key, head),
    );
  }
}

export type Unsealed = Omit<AuditEntry, "hash">;

/**
 * HMAC-SHA256(key, "audit.head" NUL seq ":" hash): the head binds the last seq and its hash, so cutting the end of the
 * log and rewriting the head needs the key file too. (The label keeps it apart from entry hashes under the same key.)
 */
function headMac(key: Buffer, head: Head): string {
  return createHmac("sha256", key).update(`audit.head\0${head.seq}:${head.hash}`).digest("hex");
}

function seal(key: Buffer, entry: Unsealed): AuditEntry {
  return { ...entry, hash: hashEntry(key, entry.prevHash, entry, entry.seq) };
}

/**
 * HMAC-SHA256(key, prevHash || canonical JSON of the entry's fields), computed as if the entry sat at `seq`.
 * Keyed, so that rewriting the whole chain (and its head) needs the key file, not just write access to the database.
 */
export function hashEntry(key: Buffer, prevHash: string, entry: Unsealed, seq: number): string {
  const { at, type, actor, doorId, credentialId, visitId, details } = entry;
  const content = { seq, at, type, actor, doorId, credentialId, visitId, details };
  return createHmac("sha256", key).update(prevHash).update(canonicalJson(content)).digest("hex");
}

function verifyChain(key: Buffer, rows: Row[], head: StoredHead | undefined): AuditVerification {
  const fail = (firstBad: number, problem: AuditProblem, message: string): AuditVerification => ({
    ok: false,
    firstBad,
    problem,
    message,
  });
  if (!head) {
    return fail(0, "edited", "The audit log's head record is missing or damaged, so no entry can be vouched for.");
  }
  const lastSeq = rows.length ? int(rows[rows.length - 1]!, "seq") : 0;
  let prevHash = GENESIS_HASH;
  let expected = 1;
  for (const row of rows) {
    const seq = int(row, "seq");
    if (seq > expected) {
      const range = seq - 1 > expected ? `Entries ${expected}-${seq - 1} are` : `Entry ${expected} is`;
      return fail(expected, "deleted", `${range} missing: deleted from the audit log.`);
    }
    const entry = readEntry(row);
    if (!entry || hashEntry(key, entry.prevHash, entry, seq) !== entry.hash) {
      const original = entry && originalSeq(key, entry, Math.max(head.seq, lastSeq));
      if (original !== undefined) {
        return fail(seq, "reordered", `Entry ${seq} holds the entry written as ${original}: entries were reordered.`);
      }
      return fail(seq, "edited", `Entry ${seq} was edited: its content no longer matches its hash.`);
    }
    if (entry.prevHash !== prevHash) {
      // This entry is intact, so the one before it is not the entry it was written after: that one was rewritten.
      const rewritten = Math.max(seq - 1, 1);
      const message = `Entry ${rewritten} was rewritten: entry ${seq} was chained to a different one.`;
      return fail(rewritten, "edited", message);
    }
    prevHash = entry.hash;
    expected = seq + 1;
  }
  const last = expected - 1;
  if (!head.sealed) {
    // Rewritten without the key (every row before it is intact): most likely to hide entries cut from the end.
    const message = `The audit log's head record was rewritten (its seal does not match doorstep.key): entries after ${last} may have been cut from the end.`;
    return fail(0, "truncated", message);
  }
  if (head.seq > last) {
    const range = head.seq > last + 1 ? `Entries ${last + 1}-${head.seq} were` : `Entry ${last + 1} was`;
    return fail(last + 1, "truncated", `${range} deleted from the end of the audit log.`);
  }
  if (head.seq < last) {
    const message = `Entry ${head.seq + 1} was added outside the audit log (its head is ${head.seq}).`;
    return fail(head.seq + 1, "inserted", message);
  }
  if (head.hash !== prevHash) {
    return fail(last, "edited", `Entry ${last} was rewritten: it no longer matches the recorded head of the log.`);
  }
  return { ok: true, entries: last };
}

/** The seq at which this intact-looking entry was written, if it was written at another place than it sits. */
function originalSeq(key: Buffer, entry: AuditEntry, maxSeq: number): number | undefined {
  for (let seq = 1; seq <= maxSeq; seq++) {
    if (seq !== entry.seq && hashEntry(key, entry.prevHash, entry, seq) === entry.hash) return seq;
  }
  return undefined;
}

/** The row as an entry; undefined if its details are no longer a JSON object (an edit). */
function readEntry(row: Row): AuditEntry | undefined {
  try {
    return toEntry(row);
  } catch {
    return undefined;
  }
}

function toEntry(row: Row): AuditEntry {
  const details: unknown = JSON.parse(text(row, "details"));
  if (!isPlainObject(details)) {
    throw new InternalError(`Audit entry ${int(row, "seq")} has details that are not an object.`);
  }
  const entry: AuditEntry = {
    seq: int(row, "seq"),
    at: int(row, "at"),
    type: text(row, "type"),
    actor: text(row, "actor"),
    details: details as JsonObject,
    prevHash: text(row, "prev_hash"),
    hash: text(row, "hash"),
  };
  const doorId = optText(row, "door_id");
  if (doorId !== undefined) entry.doorId = doorId as DoorId;
  const credentialId = optText(row, "credential_id");
  if (credentialId !== undefined) entry.credentialId = credentialId as CredentialId;
  const visitId = optText(row, "visit_id");
  if (visitId !== undefined) entry.visitId = visitId as VisitId;
  return entry;
}
