import type { Credential, CredentialUsage } from "./credential.js";
import type { EpochMs } from "./ids.js";
import { boundByOwner } from "./provider-rights.js";

/** The end of a credential's life given its use so far: validUntil, shortened by expiresAfterFirstUseMinutes once used. */
export function effectiveUntil(credential: Credential, usage: CredentialUsage): EpochMs {
  const { expiresAfterFirstUseMinutes: minutes } = credential;
  if (minutes === undefined || usage.firstUsedAt === undefined) return credential.validUntil;
  return Math.min(credential.validUntil, usage.firstUsedAt + minutes * 60_000);
}

/**
 * Live: could still open a door at some point from `now` on (not revoked, not expired, uses left).
 * Two live credentials may not share a PIN on the same door.
 */
export function isLive(stored: Credential, usage: CredentialUsage, now: EpochMs): boolean {
  const credential = boundByOwner(stored);
  if (credential.revokedAt !== undefined) return false;
  if (now >= effectiveUntil(credential, usage)) return false;
  if (credential.maxUses !== undefined && usage.uses >= credential.maxUses) return false;
  return true;
}
