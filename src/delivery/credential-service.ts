// Guest credentials as the API, the CLI and Matter manage them: validation, PIN generation, storage and audit in one place.
import { randomBytes, randomUUID } from "node:crypto";
import type { Clock } from "../access/clock.js";
import type { Credential, CredentialUsage } from "../access/credential.js";
import { validateCredentialInput } from "../access/credential-input.js";
import { decide, type Decision, type Via } from "../access/decide.js";
import { CredentialId, DoorId, type EpochMs } from "../access/ids.js";
import { isLive } from "../access/liveness.js";
import { generatePin, type PinLimits } from "../access/pin.js";
import { describe as describeReason } from "../access/reasons.js";
import { ConflictError, NotFoundError, ValidationError } from "../core/errors.js";
import type { Store } from "../store/store.js";
import { type Actor, auditActor } from "./actor.js";

export interface CredentialServiceOptions {
  store: Store;
  clock: Clock;
  /** The configured doors, each with the PIN lengths its lock accepts when known. */
  doors: readonly { id: DoorId; pinLimits?: Partial<PinLimits> }[];
  maxCredentialDays: number;
  timeZone: string;
  requireRecording: boolean;
  /** The initial "In-home deliveries" switch for doors the owner never switched. */
  inHomeDeliveries: boolean;
}

/** A credential as shown to whoever may see it: never the PIN, plus its use and whether it is still live. */
export interface CredentialView extends Credential {
  usage: CredentialUsage;
  live: boolean;
}

const GENERATED_PIN_LENGTH = 6;
const GENERATE_ATTEMPTS = 20;

export class CredentialService {
  constructor(private readonly options: CredentialServiceOptions) {}

  /** Validates and stores a credential. The PIN is returned this once; a provider's credential belongs to that provider. */
  create(input: unknown, actor: Actor): { credential: CredentialView; pin: string } {
    const { store, clock } = this.options;
    const now = clock.now();
    // A provider choosing PINs could probe which PINs are in use at a door (a duplicate is refused); the bridge picks them.
    if (actor.kind === "provider" && typeof input === "object" && input !== null && "pin" in input) {
      throw new ValidationError("is chosen by the bridge for provider credentials; leave it out", "pin");
    }
    const result = validateCredentialInput(input, {
      knownDoors: this.options.doors.map((d) => d.id),
      now,
      maxSpanDays: this.options.maxCredentialDays,
      pinLimits: this.pinLimitsFor(input),
    });
    if (!result.ok) throw ValidationError.of(result.errors);
    const { pin: requestedPin, ...fields } = result.value;
    const credential: Credential = {
      ...fields,
      id: CredentialId(`cred_${randomUUID()}`),
      createdAt: now,
      ...(actor.kind === "provider" ? { providerId: actor.providerId } : {}),
    };
    const limits = this.pinLimitsFor(input);
    for (let attempt = 0; ; attempt++) {
      const pin = requestedPin ?? generatePin(Math.max(limits.minLength ?? 4, Math.min(GENERATED_PIN_LENGTH, limits.maxLength ?? 8)), randomBytes);
      try {
        store.transaction(() => {
          store.credentials.insert(credential, pin);
          store.audit.append({
            type: "credential.created",
            actor: auditActor(actor),
            credentialId: credential.id,
            details: { label: credential.label, kind: credential.kind, doors: credential.doors, validFrom: credential.validFrom, validUntil: credential.validUntil },
          });
        });
        return { credential: this.view(credential), pin };
      } catch (error) {
        // A generated PIN that collides is silently replaced; a chosen one is the caller's to change.
        if (!(error instanceof ConflictError) || requestedPin !== undefined || attempt >= GENERATE_ATTEMPTS) throw error;
      }
    }
  }

  list(actor: Actor, filter: { doorId?: DoorId; includeRevoked?: boolean } = {}): CredentialView[] {
    const providerId = actor.kind === "provider" ? actor.providerId : undefined;
    return this.options.store.credentials.list({ ...filter, ...(providerId ? { providerId } : {}) }).map((c) => this.view(c));
  }

  /** NotFoundError also when the credential belongs to another provider: a provider cannot learn other ids exist. */
  get(id: string, actor: Actor): CredentialView {
    const credential = this.options.store.credentials.get(CredentialId(id));
    if (!credential || !this.visibleTo(credential, actor)) throw new NotFoundError(`No credential ${id}.`);
    return this.view(credential);
  }

  revoke(id: string, actor: Actor): CredentialView {
    const { store, clock } = this.options;
    const existing = this.get(id, actor);
    if (existing.revokedAt !== undefined) return existing;
    const revoked = store.transaction(() => {
      const c = store.credentials.revoke(existing.id, clock.now());
      store.audit.append({ type: "credential.revoked", actor: auditActor(actor), credentialId: c.id, details: { label: c.label } });
      return c;
    });
    return this.view(revoked);
  }

  /**
   * The policy's answer for a PIN at a door and time, with no side effect ("why can't the dog walker get in?").
   * Lock and camera are taken as given by the caller (the CLI, offline, assumes both are up and says so).
   */
  check(args: { doorId: string; pin: string; at?: EpochMs; via: Via; recording: boolean; lockAvailable: boolean }): {
    decision: Decision;
    sentence: string;
    credential?: CredentialView;
  } {
    const { store, clock } = this.options;
    const door = this.options.doors.find((d) => d.id === args.doorId);
    if (!door) throw new ValidationError(`unknown door "${args.doorId}" (known: ${this.options.doors.map((d) => d.id).join(", ") || "none"})`, "door");
    const at = args.at ?? clock.now();
    return this.decideFor(door.id, store.credentials.findByPin(door.id, args.pin, at), { ...args, at });
  }

  /**
   * The same answer for a credential the caller may see, without its PIN ("why can't the dog walker get in?" from the
   * console, where the PIN was shown once and is gone). NotFoundError for another provider's credential.
   */
  explain(id: string, actor: Actor, args: { doorId: string; at?: EpochMs; via: Via; recording: boolean; lockAvailable: boolean }): {
    decision: Decision;
    sentence: string;
    credential?: CredentialView;
  } {
    const view = this.get(id, actor);
    const door = this.options.doors.find((d) => d.id === args.doorId);
    if (!door) throw new ValidationError(`unknown door "${args.doorId}" (known: ${this.options.doors.map((d) => d.id).join(", ") || "none"})`, "doorId");
    const { usage, live: _live, ...credential } = view;
    return this.decideFor(door.id, { credential, usage }, { ...args, at: args.at ?? this.options.clock.now() });
  }

  private decideFor(
    doorId: DoorId,
    match: { credential: Credential; usage: CredentialUsage } | undefined,
    args: { at: EpochMs; via: Via; recording: boolean; lockAvailable: boolean },
  ): { decision: Decision; sentence: string; credential?: CredentialView } {
    const { store } = this.options;
    const door = { id: doorId };
    const at = args.at;
    const switches = store.doorSettings.get(door.id, { inHomeDeliveries: this.options.inHomeDeliveries, petsHome: false });
    const decision = decide({
      credential: match?.credential,
      usage: match?.usage,
      door: door.id,
      via: args.via,
      now: at,
      switches,
      recording: args.recording,
      lockAvailable: args.lockAvailable,
      lockedOut: false,
      requireRecording: this.options.requireRecording,
    });
    const sentence =
      decision.outcome === "allowed"
        ? `Allowed: "${match?.credential.label}" may open ${door.id} now.`
        : describeReason(decision.reason, { credential: match?.credential, usage: match?.usage, now: at, timeZone: this.options.timeZone });
    return { decision, sentence, ...(match ? { credential: this.view(match.credential) } : {}) };
  }

  private view(credential: Credential): CredentialView {
    const usage = this.options.store.credentials.usage(credential.id) ?? { uses: 0 };
    return { ...credential, usage, live: isLive(credential, usage, this.options.clock.now()) };
  }

  private visibleTo(credential: Credential, actor: Actor): boolean {
    return actor.kind === "owner" || credential.providerId === actor.providerId;
  }

  /** The strictest PIN limits among the requested doors' locks. */
  private pinLimitsFor(input: unknown): Partial<PinLimits> {
    const requested = (input as { doors?: unknown })?.doors;
    const ids = Array.isArray(requested) ? new Set(requested) : new Set();
    const limits: Partial<PinLimits> = {};
    for (const door of this.options.doors) {
      if (!ids.has(door.id) || !door.pinLimits) continue;
      const { minLength, maxLength } = door.pinLimits;
      if (minLength !== undefined) limits.minLength = Math.max(limits.minLength ?? 0, minLength);
      if (maxLength !== undefined) limits.maxLength = Math.min(limits.maxLength ?? 99, maxLength);
    }
    return limits;
  }
}
