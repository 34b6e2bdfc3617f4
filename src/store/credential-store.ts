// Guest credentials with their encrypted PINs, per-door PIN lookup rows and use counters.
import type { Clock } from "../access/clock.js";
import type { Credential, CredentialUsage, Schedule } from "../access/credential.js";
import type { CredentialId, DoorId, EpochMs, ProviderId } from "../access/ids.js";
import { effectiveUntil, isLive } from "../access/liveness.js";
import { ConflictError, NotFoundError, ValidationError } from "../core/errors.js";
import { isUniqueViolation, type Database, type Row } from "./database.js";
import type { PinVault } from "./pin-vault.js";
import { blob, bool, int, nullable, optInt, optText, text } from "./sql-values.js";

/** The PIN formats any supported lock accepts; the access layer applies the finer rules (no 1234, per-lock length). */
const PIN_PATTERN = /^[0-9]{4,8}$/;

/** A credential found by its PIN, with its use so far and whether it is live at the time asked. */
export interface CredentialMatch {
  credential: Credential;
  usage: CredentialUsage;
  live: boolean;
}

export interface CredentialFilter {
  providerId?: ProviderId;
  doorId?: DoorId;
  /** Revoked credentials are left out unless this is true. */
  includeRevoked?: boolean;
}

/** What `amend` may change: everything but the id, PIN, doors, owner and times of creation and revocation. */
export type CredentialTerms = Pick<Credential, "label" | "kind" | "validFrom" | "validUntil" | "schedule" | "maxUses" | "expiresAfterFirstUseMinutes" | "mode" | "allowWhenPetsHome" | "requireRecording">;

export type ConsumeOutcome =
  | { consumed: true; usage: CredentialUsage }
  | { consumed: false; reason: "revoked" | "expired" | "uses-exhausted" };

export type RefundOutcome =
  | { refunded: true; usage: CredentialUsage }
  /** `pin-reused`: the use made room for another live credential with the same PIN on a door, so it stays spent. */
  | { refunded: false; reason: "nothing-to-refund" | "pin-reused" };

/** Credentials and their PINs. Every method is one transaction; a thrown error means nothing was written. */
export class CredentialStore {
  constructor(
    private readonly db: Database,
    private readonly vault: PinVault,
    private readonly clock: Clock,
  ) {}

  /**
   * Stores a credential with its PIN (encrypted on the row, plus one lookup hash per door).
   * ConflictError, naming the door and never the PIN, when a live credential already uses this PIN on one of its doors.
   */
  insert(credential: Credential, pin: string, usage: CredentialUsage = { uses: 0 }): void {
    if (!credential.id) throw new ValidationError("must not be empty", "id");
    if (!PIN_PATTERN.test(pin)) throw new ValidationError("must be 4 to 8 digits", "pin");
    if (credential.doors.length === 0) throw new ValidationError("must name at least one door", "doors");
    if (new Set(credential.doors).size !== credential.doors.length) {
      throw new ValidationError("names a door twice", "doors");
    }
    const hashes = credential.doors.map((door) => this.vault.lookupHash(door, pin));
    this.db.transaction(() => {
      const taken = this.liveHolderDoor(credential.doors, hashes, credential.id, this.clock.now());
      if (taken !== undefined) {
        throw new ConflictError(`Door "${taken}" already has a live credential with this PIN; choose another PIN.`);
      }
      try {
        this.db.run(
          `INSERT INTO credentials (id, provider_id, label, kind, valid_from, valid_until, schedule, max_uses,
             expires_after_first_use_minutes, mode, allow_when_pets_home, require_recording, created_at, revoked_at,
             pin_sealed)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          credential.id,
          nullable(credential.providerId),
          credential.label,
          credential.kind,
          credential.validFrom,
          credential.validUntil,
          credential.schedule ? JSON.stringify(credential.schedule) : null,
          nullable(credential.maxUses),
          nullable(credential.expiresAfterFirstUseMinutes),
          credential.mode,
          credential.allowWhenPetsHome ? 1 : 0,
          credential.requireRecording ? 1 : 0,
          credential.createdAt,
          nullable(credential.revokedAt),
          this.vault.seal(credential.id, pin),
        );
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError(`Credential "${credential.id}" already exists.`);
        throw error;
      }
      credential.doors.forEach((door, position) => {
        this.db.run(
          "INSERT INTO credential_doors (credential_id, door_id, position, pin_hmac) VALUES (?, ?, ?, ?)",
          credential.id,
          door,
          position,
          hashes[position]!,
        );
      });
      this.db.run(
        "INSERT INTO credential_usage (credential_id, uses, first_used_at) VALUES (?, ?, ?)",
        credential.id,
        usage.uses,
        nullable(usage.firstUsedAt),
      );
    });
  }

  get(id: CredentialId): Credential | undefined {
    const row = this.db.get("SELECT * FROM credentials WHERE id = ?", id);
    return row ? this.toCredential(row) : undefined;
  }

  /** Oldest first. */
  list(filter: CredentialFilter = {}): Credential[] {
    const where: string[] = [];
    const params: string[] = [];
    if (filter.providerId !== undefined) {
      where.push("provider_id = ?");
      params.push(filter.providerId);
    }
    if (filter.doorId !== undefined) {
      where.push("id IN (SELECT credential_id FROM credential_doors WHERE door_id = ?)");
      params.push(filter.doorId);
    }
    if (!filter.includeRevoked) where.push("revoked_at IS NULL");
    const clause = where.length ? `WHERE ${where.join(" AND ")}` : "";
    return this.db
      .all(`SELECT * FROM credentials ${clause} ORDER BY created_at, id`, ...params)
      .map((row) => this.toCredential(row));
  }

  /**
   * The credential this PIN opens `doorId` with: the live one, or if none is live the most recent match (so the caller
   * can answer "revoked" or "expired" rather than "unknown"). Liveness is judged at `at` (default: now).
   */
  findByPin(doorId: DoorId, pin: string, at: EpochMs = this.clock.now()): CredentialMatch | undefined {
    if (!PIN_PATTERN.test(pin)) return undefined;
    const rows = this.db.all(
      `SELECT c.* FROM credential_doors d JOIN credentials c ON c.id = d.credential_id
       WHERE d.door_id = ? AND d.pin_hmac = ? ORDER BY c.created_at DESC, c.id DESC`,
      doorId,
      this.vault.lookupHash(doorId, pin),
    );
    const matches = rows.map((row): CredentialMatch => {
      const credential = this.toCredential(row);
      const usage = this.requireUsage(credential.id);
      return { credential, usage, live: isLive(credential, usage, at) };
    });
    return matches.find((match) => match.live) ?? matches[0];
  }

  /** The PIN in clear, for the lock slot reconciler only. NotFoundError for an unknown id. */
  revealPin(id: CredentialId): string {
    const row = this.db.get("SELECT pin_sealed FROM credentials WHERE id = ?", id);
    if (!row) throw notFound(id);
    return this.vault.open(id, blob(row, "pin_sealed"));
  }

  /**
   * Changes a live credential's terms in place (validity, schedule, uses, mode, flags, label), keeping its id, PIN,
   * doors and use count: an edit that keeps the PIN never needs the old code revoked first. NotFoundError for an
   * unknown id, ConflictError for a revoked one.
   */
  amend(id: CredentialId, terms: CredentialTerms): Credential {
    return this.db.transaction(() => {
      const existing = this.get(id);
      if (!existing) throw notFound(id);
      if (existing.revokedAt !== undefined) throw new ConflictError(`Credential "${id}" is revoked; it cannot be changed.`);
      this.db.run(
        `UPDATE credentials SET label = ?, kind = ?, valid_from = ?, valid_until = ?, schedule = ?, max_uses = ?,
           expires_after_first_use_minutes = ?, mode = ?, allow_when_pets_home = ?, require_recording = ? WHERE id = ?`,
        terms.label,
        terms.kind,
        terms.validFrom,
        terms.validUntil,
        terms.schedule ? JSON.stringify(terms.schedule) : null,
        nullable(terms.maxUses),
        nullable(terms.expiresAfterFirstUseMinutes),
        terms.mode,
        terms.allowWhenPetsHome ? 1 : 0,
        terms.requireRecording ? 1 : 0,
        id,
      );
      return this.get(id)!;
    });
  }

  /** Revokes at `at`; revoking twice keeps the first time. Returns the credential as now stored. */
  revoke(id: CredentialId, at: EpochMs): Credential {
    return this.db.transaction(() => {
      this.db.run("UPDATE credentials SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", at, id);
      const credential = this.get(id);
      if (!credential) throw notFound(id);
      return credential;
    });
  }

  usage(id: CredentialId): CredentialUsage | undefined {
    const row = this.db.get("SELECT uses, first_used_at FROM credential_usage WHERE credential_id = ?", id);
    return row ? toUsage(row) : undefined;
  }

  /**
   * Counts one use at `at`, atomically: only when the credential is live then (not revoked, not expired, a use left).
   * The check and the increment share one IMMEDIATE transaction, so of two simultaneous redemptions of a one-time code
   * (from any number of connections or processes) exactly one is counted.
   */
  consumeUse(id: CredentialId, at: EpochMs): ConsumeOutcome {
    return this.db.transaction((): ConsumeOutcome => {
      const credential = this.get(id);
      if (!credential) throw notFound(id);
      const usage = this.requireUsage(id);
      if (credential.revokedAt !== undefined) return { consumed: false, reason: "revoked" };
      if (credential.maxUses !== undefined && usage.uses >= credential.maxUses) {
        return { consumed: false, reason: "uses-exhausted" };
      }
      if (at >= effectiveUntil(credential, usage)) return { consumed: false, reason: "expired" };
      const next: CredentialUsage = { uses: usage.uses + 1, firstUsedAt: usage.firstUsedAt ?? at };
      this.db.run(
        "UPDATE credential_usage SET uses = ?, first_used_at = ? WHERE credential_id = ? AND uses = ?",
        next.uses,
        next.firstUsedAt!,
        id,
        usage.uses,
      );
      return { consumed: true, usage: next };
    });
  }

  /**
   * Gives back a use taken by `consumeUse` when the door then did not open (the unlock failed or was never sent).
   * Only the delivery flow that consumed the use may call it, before the door opened. Dropping back to zero uses also
   * clears `firstUsedAt`, so `expiresAfterFirstUseMinutes` starts again at the real first use. Refused (the use stays
   * spent) if another live credential took the same PIN on one of its doors meanwhile.
   */
  refundUse(id: CredentialId): RefundOutcome {
    return this.db.transaction((): RefundOutcome => {
      const credential = this.get(id);
      if (!credential) throw notFound(id);
      const usage = this.requireUsage(id);
      if (usage.uses === 0) return { refunded: false, reason: "nothing-to-refund" };
      const next: CredentialUsage =
        usage.uses === 1 ? { uses: 0 } : { uses: usage.uses - 1, firstUsedAt: usage.firstUsedAt! };
      const now = this.clock.now();
      if (!isLive(credential, usage, now) && isLive(credential, next, now)) {
        const pin = this.revealPin(id);
        const hashes = credential.doors.map((door) => this.vault.lookupHash(door, pin));
        if (this.liveHolderDoor(credential.doors, hashes, id, now) !== undefined) {
          return { refunded: false, reason: "pin-reused" };
        }
      }
      this.db.run(
        "UPDATE credential_usage SET uses = ?, first_used_at = ? WHERE credential_id = ?",
        next.uses,
        nullable(next.firstUsedAt),
        id,
      );
      return { refunded: true, usage: next };
    });
  }

  /** How many encrypted PINs the database holds (the key file must exist whenever this is above zero). */
  countPins(): number {
    return int(this.db.get("SELECT count(*) AS n FROM credentials")!, "n");
  }

  /** The first of `doors` on which a live credential other than `except` has the PIN behind `hashes`. */
  private liveHolderDoor(
    doors: DoorId[],
    hashes: Uint8Array[],
    except: CredentialId,
    now: EpochMs,
  ): DoorId | undefined {
    return doors.find((door, index) =>
      this.db
        .all(
          `SELECT c.* FROM credential_doors d JOIN credentials c ON c.id = d.credential_id
           WHERE d.door_id = ? AND d.pin_hmac = ? AND c.id <> ? AND c.revoked_at IS NULL`,
          door,
          hashes[index]!,
          except,
        )
        .some((row) => {
          const holder = this.toCredential(row);
          return isLive(holder, this.requireUsage(holder.id), now);
        }),
    );
  }

  private requireUsage(id: CredentialId): CredentialUsage {
    return this.usage(id) ?? { uses: 0 };
  }

  private toCredential(row: Row): Credential {
    const id = text(row, "id") as CredentialId;
    const doors = this.db
      .all("SELECT door_id FROM credential_doors WHERE credential_id = ? ORDER BY position", id)
      .map((door) => text(door, "door_id") as DoorId);
    const credential: Credential = {
      id,
      label: text(row, "label"),
      kind: text(row, "kind") as Credential["kind"],
      doors,
      validFrom: int(row, "valid_from"),
      validUntil: int(row, "valid_until"),
      mode: text(row, "mode") as Credential["mode"],
      allowWhenPetsHome: bool(row, "allow_when_pets_home"),
      requireRecording: bool(row, "require_recording"),
      createdAt: int(row, "created_at"),
    };
    const schedule = optText(row, "schedule");
    if (schedule !== undefined) credential.schedule = JSON.parse(schedule) as Schedule;
    const maxUses = optInt(row, "max_uses");
    if (maxUses !== undefined) credential.maxUses = maxUses;
    const minutes = optInt(row, "expires_after_first_use_minutes");
    if (minutes !== undefined) credential.expiresAfterFirstUseMinutes = minutes;
    const providerId = optText(row, "provider_id");
    if (providerId !== undefined) credential.providerId = providerId as ProviderId;
    const revokedAt = optInt(row, "revoked_at");
    if (revokedAt !== undefined) credential.revokedAt = revokedAt;
    return credential;
  }
}

function toUsage(row: Row): CredentialUsage {
  const firstUsedAt = optInt(row, "first_used_at");
  return firstUsedAt === undefined ? { uses: int(row, "uses") } : { uses: int(row, "uses"), firstUsedAt };
}

function notFound(id: CredentialId): NotFoundError {
  return new NotFoundError(`No credential "${id}".`);
}
