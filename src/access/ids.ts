// Branded ids: a DoorId can never be passed where a CredentialId is expected.
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type DoorId = Brand<string, "DoorId">;
export type CredentialId = Brand<string, "CredentialId">;
export type ProviderId = Brand<string, "ProviderId">;
export type VisitId = Brand<string, "VisitId">;

/** Milliseconds since the UNIX epoch, UTC. Every instant in the domain is one of these. */
export type EpochMs = number;

export const DoorId = (s: string): DoorId => s as DoorId;
export const CredentialId = (s: string): CredentialId => s as CredentialId;
export const ProviderId = (s: string): ProviderId => s as ProviderId;
export const VisitId = (s: string): VisitId => s as VisitId;
