// Bearer tokens → actors. The token store finds a token by its hash and compares in constant time; here we only take
// the header apart, refusing anything that is not exactly "Bearer <token>", and never put the token in a message.
import type { DoorId, ProviderId } from "../access/ids.js";
import type { Actor } from "../delivery/actor.js";
import { UnauthorizedError } from "./http-errors.js";

/** Whom a token speaks for (the shape of TokenStore.verify), or undefined for an unknown, malformed or revoked one. */
export type VerifyToken = (token: string) => { kind: "owner" } | { kind: "provider"; providerId: ProviderId; doors?: readonly DoorId[] } | undefined;

// RFC 6750 b64token characters; a token never holds a space, so one header carries one token.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
/** Longer headers are refused without looking further (real tokens are 47 characters). */
const MAX_HEADER = 512;

/** The actor for an Authorization header, or UnauthorizedError (401) saying what is wrong — never echoing the token. */
export function authenticate(header: string | string[] | undefined, verifyToken: VerifyToken): Actor {
  if (header === undefined || header === "") {
    throw new UnauthorizedError('This request needs "Authorization: Bearer <token>" (create a token with `doorstep token create`).', false);
  }
  const value = Array.isArray(header) ? undefined : header;
  const match = value !== undefined && value.length <= MAX_HEADER ? BEARER.exec(value) : null;
  if (!match) throw new UnauthorizedError('The Authorization header must be "Bearer <token>".', true);
  const subject = verifyToken(match[1]!);
  if (!subject) throw new UnauthorizedError("The token is unknown or revoked.", true);
  if (subject.kind === "owner") return { kind: "owner", via: "api" };
  return { kind: "provider", providerId: subject.providerId, ...(subject.doors ? { doors: subject.doors } : {}) };
}
