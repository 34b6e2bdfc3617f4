import type { Credential } from "../../src/access/credential.js";
import { CredentialId, DoorId } from "../../src/access/ids.js";

/** A valid credential for tests: a guest code for the front door in December 2026, no schedule. */
export function credential(overrides: Partial<Credential> = {}): Credential {
  return {
    id: CredentialId("c-1"),
    label: "Test guest",
    kind: "guest",
    doors: [DoorId("front")],
    validFrom: Date.parse("2026-12-01T00:00:00Z"),
    validUntil: Date.parse("2026-12-08T00:00:00Z"),
    mode: "both",
    allowWhenPetsHome: false,
    requireRecording: true,
    createdAt: Date.parse("2026-11-26T00:00:00Z"),
    ...overrides,
  };
}
