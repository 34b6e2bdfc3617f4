// API bearer tokens (owner and providers): shown once, stored only as SHA-256 hashes.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Clock } from "../access/clock.js";
import type { Brand, DoorId, EpochMs, ProviderId } from "../access/ids.js";
import { NotFoundError, ValidationError } from "../core/errors.js";
import type { Database, Row } from "./database.js";
import { blob, int, optInt, optText, text } from "./sql-values.js";

/** Whom a token speaks for; a provider token may be limited to some doors (absent: every configured door). */
export type TokenSubject = { kind: "owner" } | { kind: "provider"; providerId: ProviderId; doors?: readonly DoorId[] };

export type TokenId = Brand<string, "TokenId">;

/** A token's record without its secret. */
export interface TokenInfo {
  id: TokenId;
  subject: TokenSubject;
  createdAt: EpochMs;
  revokedAt?: EpochMs;
}

/** The secret is in `token` and nowhere else: show it once. */
export interface IssuedToken {
  id: TokenId;
  token: string;
}

const TOKEN_PREFIX = "dst_";
const TOKEN_BYTES = 32;
// "dst_" + base64url of 32 bytes (43 characters, no padding).
const TOKEN_PATTERN = /^dst_[A-Za-z0-9_-]{43}$/;

export class TokenStore {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** Issues a token for the owner or a provider; only its SHA-256 hash is stored. */
  create(subject: TokenSubject): IssuedToken {
    if (subject.kind === "provider" && !/^\S(.*\S)?$/.test(subject.providerId)) {
      throw new ValidationError("must be a non-empty name without surrounding spaces", "providerId");
    }
    if (subject.kind === "provider" && subject.doors !== undefined && subject.doors.length === 0) {
      throw new ValidationError("must name at least one door, or be left out for every door", "doors");
    }
    const token = TOKEN_PREFIX + randomBytes(TOKEN_BYTES).toString("base64url");
    const id = `tok_${randomBytes(9).toString("base64url")}` as TokenId;
    this.db.run(
      "INSERT INTO api_tokens (id, kind, provider_id, token_hash, created_at, doors) VALUES (?, ?, ?, ?, ?, ?)",
      id,
      subject.kind,
      subject.kind === "provider" ? subject.providerId : null,
      hashToken(token),
      this.clock.now(),
      subject.kind === "provider" && subject.doors ? JSON.stringify(subject.doors) : null,
    );
    return { id, token };
  }

  /**
   * Whom `token` speaks for, or undefined (unknown, malformed or revoked). Found by its hash, then compared in
   * constant time, so neither the lookup nor the comparison depends on how much of a guess was right.
   */
  verify(token: string): TokenSubject | undefined {
    if (!TOKEN_PATTERN.test(token)) return undefined;
    const hash = hashToken(token);
    const row = this.db.get("SELECT * FROM api_tokens WHERE token_hash = ?", hash);
    if (!row) return undefined;
    const stored = blob(row, "token_hash");
    if (stored.length !== hash.length || !timingSafeEqual(stored, hash)) return undefined;
    if (optInt(row, "revoked_at") !== undefined) return undefined;
    return toInfo(row).subject;
  }

  /** All tokens, oldest first, without secrets. */
  list(): TokenInfo[] {
    return this.db.all("SELECT * FROM api_tokens ORDER BY created_at, id").map(toInfo);
  }

  /** True if a live owner token exists (so a first start knows whether to issue one). */
  hasOwnerToken(): boolean {
    return this.db.get("SELECT 1 AS found FROM api_tokens WHERE kind = 'owner' AND revoked_at IS NULL") !== undefined;
  }

  /** Revokes a token; revoking twice keeps the first time. */
  revoke(id: TokenId, at: EpochMs = this.clock.now()): TokenInfo {
    return this.db.transaction(() => {
      this.db.run("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", at, id);
      const row = this.db.get("SELECT * FROM api_tokens WHERE id = ?", id);
      if (!row) throw new NotFoundError(`No token "${id}".`);
      return toInfo(row);
    });
  }
}

function hashToken(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

function toInfo(row: Row): TokenInfo {
  const providerId = optText(row, "provider_id");
  const doors = optText(row, "doors");
  const info: TokenInfo = {
    id: text(row, "id") as TokenId,
    subject:
      providerId === undefined
        ? { kind: "owner" }
        : { kind: "provider", providerId: providerId as ProviderId, ...(doors !== undefined ? { doors: JSON.parse(doors) as DoorId[] } : {}) },
    createdAt: int(row, "created_at"),
  };
  const revokedAt = optInt(row, "revoked_at");
  if (revokedAt !== undefined) info.revokedAt = revokedAt;
  return info;
}
