import type { DoorId, ProviderId } from "../access/ids.js";

/** Who asks: the homeowner (API owner token, CLI, HomeKit, Matter) or a service provider (its own token). */
export type Actor =
  | { kind: "owner"; via: "api" | "cli" | "homekit" | "matter" }
  /** `doors`: the doors the provider's token was given (absent: every configured door). */
  | { kind: "provider"; providerId: ProviderId; doors?: readonly DoorId[] };

export const ownerVia = (via: "api" | "cli" | "homekit" | "matter"): Actor => ({ kind: "owner", via });

/** How an actor appears in the audit log: never a token, only who it stands for. */
export function auditActor(actor: Actor): string {
  return actor.kind === "owner" ? `owner:${actor.via}` : `provider:${actor.providerId}`;
}
