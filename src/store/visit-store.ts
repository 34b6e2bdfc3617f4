// Visits: one row per door opening, moved through its states by single committed writes.
import { randomUUID } from "node:crypto";
import type { Clock } from "../access/clock.js";
import type { CredentialId, DoorId, EpochMs, ProviderId } from "../access/ids.js";
import { VisitId } from "../access/ids.js";
import { ConflictError, NotFoundError, ValidationError } from "../core/errors.js";
import type { Database, Param, Row } from "./database.js";
import { int, nullable, optInt, optText, text } from "./sql-values.js";

export const VISIT_VIAS = ["remote", "keypad", "matter", "owner"] as const;
export type VisitVia = (typeof VISIT_VIAS)[number];

export const VISIT_STATES = ["opening", "open", "relocking", "closed"] as const;
export type VisitState = (typeof VISIT_STATES)[number];

export const CLOSE_REASONS = ["relocked", "ended", "recovered", "failed", "aborted"] as const;
/**
 * relocked: relocked on schedule or by the lock; ended: ended early through the API; recovered: finished at start-up after
 * a crash; failed: the unlock failed; aborted: given up before the unlock was sent (recording gate, lock state).
 */
export type CloseReason = (typeof CLOSE_REASONS)[number];

/** One recorded piece of the visit's clip. */
export interface ClipPart {
  path: string;
  durationMs: number;
  firstFrameAt: EpochMs;
  lastFrameAt: EpochMs;
}

export interface Visit {
  id: VisitId;
  doorId: DoorId;
  credentialId?: CredentialId;
  /** The provider whose credential opened the door, for provider-scoped listing. */
  providerId?: ProviderId;
  via: VisitVia;
  state: VisitState;
  startedAt: EpochMs;
  unlockedAt?: EpochMs;
  relockedAt?: EpochMs;
  endedAt?: EpochMs;
  /** When the relock is scheduled. */
  relockAt?: EpochMs;
  closeReason?: CloseReason;
  alerts: string[];
  clip: ClipPart[];
}

export interface NewVisit {
  doorId: DoorId;
  via: VisitVia;
  credentialId?: CredentialId;
  providerId?: ProviderId;
  /** Default: now. */
  startedAt?: EpochMs;
  relockAt?: EpochMs;
}

/** One transition. `addAlerts` / `addClipParts` append; `closeReason` is required exactly when `state` becomes "closed". */
export interface VisitPatch {
  state?: VisitState;
  unlockedAt?: EpochMs;
  relockedAt?: EpochMs;
  /** Set on close; defaults to now. */
  endedAt?: EpochMs;
  /** `null` clears a scheduled relock. */
  relockAt?: EpochMs | null;
  closeReason?: CloseReason;
  addAlerts?: string[];
  addClipParts?: ClipPart[];
}

export interface VisitFilter {
  doorId?: DoorId;
  providerId?: ProviderId;
  /** true: only visits not yet closed; false: only closed ones. */
  open?: boolean;
  /** Default 50, at most 1000. */
  limit?: number;
  /** Only visits started strictly before this instant (paging backwards). */
  before?: EpochMs;
}

/** The allowed moves; staying in a state (to record a field) is allowed for every state except "closed". */
const TRANSITIONS: Record<VisitState, readonly VisitState[]> = {
  opening: ["opening", "open", "relocking", "closed"],
  open: ["open", "relocking", "closed"],
  // A failed relock leaves the door open again.
  relocking: ["relocking", "open", "closed"],
  closed: [],
};

const MAX_LIMIT = 1000;

export class VisitStore {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** Persists a new visit in state "opening" (committed before the caller unlocks anything). */
  create(input: NewVisit): Visit {
    if (!(VISIT_VIAS as readonly string[]).includes(input.via)) {
      throw new ValidationError(`unknown way in "${input.via}"`, "via");
    }
    const visit: Visit = {
      id: VisitId(randomUUID()),
      doorId: input.doorId,
      via: input.via,
      state: "opening",
      startedAt: input.startedAt ?? this.clock.now(),
      alerts: [],
      clip: [],
    };
    if (input.credentialId !== undefined) visit.credentialId = input.credentialId;
    if (input.providerId !== undefined) visit.providerId = input.providerId;
    if (input.relockAt !== undefined) visit.relockAt = input.relockAt;
    this.db.run(
      `INSERT INTO visits (id, door_id, credential_id, provider_id, via, state, started_at, relock_at, alerts, clip)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, '[]', '[]')`,
      visit.id,
      visit.doorId,
      nullable(visit.credentialId),
      nullable(visit.providerId),
      visit.via,
      visit.state,
      visit.startedAt,
      nullable(visit.relockAt),
    );
    return visit;
  }

  /**
   * Applies one transition as one committed write and returns the visit as stored. ConflictError for a move the state
   * machine does not allow (a closed visit is never reopened or changed); ValidationError for an inconsistent patch.
   */
  transition(id: VisitId, patch: VisitPatch): Visit {
    return this.db.transaction(() => {
      const current = this.get(id);
      if (!current) throw new NotFoundError(`No visit "${id}".`);
      const target = patch.state ?? current.state;
      if (!(VISIT_STATES as readonly string[]).includes(target)) {
        throw new ValidationError(`unknown state "${target}"`, "state");
      }
      if (!TRANSITIONS[current.state].includes(target)) {
        throw new ConflictError(`Visit "${id}" is ${current.state}; it cannot become ${target}.`);
      }
      if (target === "closed") {
        if (patch.closeReason === undefined) throw new ValidationError("is required to close a visit", "closeReason");
        if (!(CLOSE_REASONS as readonly string[]).includes(patch.closeReason)) {
          throw new ValidationError(`unknown reason "${patch.closeReason}"`, "closeReason");
        }
      } else if (patch.closeReason !== undefined) {
        throw new ValidationError("is only set when the visit closes", "closeReason");
      }
      const next: Visit = {
        ...current,
        state: target,
        alerts: [...current.alerts, ...(patch.addAlerts ?? [])],
        clip: [...current.clip, ...(patch.addClipParts ?? [])],
      };
      if (patch.unlockedAt !== undefined) next.unlockedAt = patch.unlockedAt;
      if (patch.relockedAt !== undefined) next.relockedAt = patch.relockedAt;
      if (patch.relockAt === null) delete next.relockAt;
      else if (patch.relockAt !== undefined) next.relockAt = patch.relockAt;
      if (target === "closed") {
        next.closeReason = patch.closeReason!;
        next.endedAt = patch.endedAt ?? this.clock.now();
        delete next.relockAt;
      } else if (patch.endedAt !== undefined) {
        throw new ValidationError("is only set when the visit closes", "endedAt");
      }
      this.db.run(
        `UPDATE visits SET state = ?, unlocked_at = ?, relocked_at = ?, ended_at = ?, relock_at = ?, close_reason = ?,
           alerts = ?, clip = ? WHERE id = ?`,
        next.state,
        nullable(next.unlockedAt),
        nullable(next.relockedAt),
        nullable(next.endedAt),
        nullable(next.relockAt),
        nullable(next.closeReason),
        JSON.stringify(next.alerts),
        JSON.stringify(next.clip),
        id,
      );
      return next;
    });
  }

  get(id: VisitId): Visit | undefined {
    const row = this.db.get("SELECT * FROM visits WHERE id = ?", id);
    return row ? toVisit(row) : undefined;
  }

  /** Newest first. */
  list(filter: VisitFilter = {}): Visit[] {
    const where: string[] = [];
    const params: Param[] = [];
    if (filter.doorId !== undefined) {
      where.push("door_id = ?");
      params.push(filter.doorId);
    }
    if (filter.providerId !== undefined) {
      where.push("provider_id = ?");
      params.push(filter.providerId);
    }
    if (filter.open !== undefined) where.push(filter.open ? "state <> 'closed'" : "state = 'closed'");
    if (filter.before !== undefined) {
      where.push("started_at < ?");
      params.push(filter.before);
    }
    const limit = filter.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      throw new ValidationError(`must be an integer from 1 to ${MAX_LIMIT}`, "limit");
    }
    params.push(limit);
    const sql = `SELECT * FROM visits ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
                 ORDER BY started_at DESC, id DESC LIMIT ?`;
    return this.db.all(sql, ...params).map(toVisit);
  }

  /** Every visit not yet closed, oldest first: what start-up recovery must finish. */
  openVisits(): Visit[] {
    return this.db.all("SELECT * FROM visits WHERE state <> 'closed' ORDER BY started_at, id").map(toVisit);
  }
}

function toVisit(row: Row): Visit {
  const visit: Visit = {
    id: VisitId(text(row, "id")),
    doorId: text(row, "door_id") as DoorId,
    via: text(row, "via") as VisitVia,
    state: text(row, "state") as VisitState,
    startedAt: int(row, "started_at"),
    alerts: JSON.parse(text(row, "alerts")) as string[],
    clip: JSON.parse(text(row, "clip")) as ClipPart[],
  };
  const credentialId = optText(row, "credential_id");
  if (credentialId !== undefined) visit.credentialId = credentialId as CredentialId;
  const providerId = optText(row, "provider_id");
  if (providerId !== undefined) visit.providerId = providerId as ProviderId;
  const optional = {
    unlockedAt: "unlocked_at",
    relockedAt: "relocked_at",
    endedAt: "ended_at",
    relockAt: "relock_at",
  } as const;
  for (const [field, column] of Object.entries(optional) as [keyof typeof optional, string][]) {
    const value = optInt(row, column);
    if (value !== undefined) visit[field] = value;
  }
  const closeReason = optText(row, "close_reason");
  if (closeReason !== undefined) visit.closeReason = closeReason as CloseReason;
  return visit;
}
