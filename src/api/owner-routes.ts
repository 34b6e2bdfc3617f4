// The homeowner's console needs two things the core routes lack: locking and unlocking a door from the page, and
// managing the courier companies' tokens (create: shown once; list: never the secret; revoke). Owner only.
import type { Actor } from "../delivery/actor.js";
import type { DeliveryPort } from "../delivery/delivery-port.js";
import { ConflictError, InternalError } from "../core/errors.js";
import type { Handler } from "./handlers.js";
import type { RouteSpec } from "./routes.js";
import { doorParams, doorSchema, type JsonSchema } from "./schemas.js";

export type OwnerOperationId = "lockDoor" | "unlockDoor" | "listTokens" | "createToken" | "revokeToken";

/** A token's record, never its secret. */
export interface TokenView {
  id: string;
  kind: "owner" | "provider";
  providerId?: string;
  createdAt: number;
  revokedAt?: number;
}

/** Provider tokens from the console; the bridge implements it over its token store and audit log. */
export interface TokenPort {
  list(): TokenView[];
  /** A provider token; the secret is in this answer only. */
  createProvider(providerId: string, actor: Actor): { id: string; token: string; providerId: string };
  /** Revokes a provider token (owner tokens are managed with `doorstep token`); NotFoundError for an unknown id. */
  revokeProvider(id: string, actor: Actor): TokenView;
}

const tokenView: JsonSchema = {
  type: "object",
  additionalProperties: false,
  required: ["id", "kind", "createdAt"],
  properties: {
    id: { type: "string" },
    kind: { type: "string", enum: ["owner", "provider"] },
    providerId: { type: "string" },
    createdAt: { type: "integer" },
    revokedAt: { type: "integer" },
  },
};
const tokenIdParams: JsonSchema = { type: "object", additionalProperties: false, required: ["id"], properties: { id: { type: "string", pattern: "^tok_[A-Za-z0-9_-]{1,32}$" } } };

export const OWNER_ROUTES: readonly RouteSpec[] = [
  {
    operationId: "lockDoor",
    method: "POST",
    url: "/v1/doors/:doorId/lock",
    summary: "Lock the door now (owner only)",
    auth: "owner",
    params: doorParams,
    responses: { 200: { description: "The door after the lock answered.", schema: doorSchema } },
    errors: [403, 404, 409, 502, 504],
  },
  {
    operationId: "unlockDoor",
    method: "POST",
    url: "/v1/doors/:doorId/unlock",
    summary: "Unlock the door now (owner only; audited as the owner's)",
    auth: "owner",
    params: doorParams,
    responses: { 200: { description: "The door after the lock answered.", schema: doorSchema } },
    errors: [403, 404, 409, 502, 504],
  },
  {
    operationId: "listTokens",
    method: "GET",
    url: "/v1/tokens",
    summary: "API tokens, without their secrets (owner only)",
    auth: "owner",
    responses: { 200: { description: "Tokens, oldest first.", schema: { type: "array", items: tokenView } } },
    errors: [403],
  },
  {
    operationId: "createToken",
    method: "POST",
    url: "/v1/tokens",
    summary: "Create a token for a courier company (owner only)",
    description: "The token is in this answer only; only its hash is kept.",
    auth: "owner",
    body: {
      type: "object",
      additionalProperties: false,
      required: ["providerId"],
      properties: { providerId: { type: "string", minLength: 1, maxLength: 64, pattern: "^\\S(.*\\S)?$" } },
    },
    responses: {
      201: {
        description: "Created; the token is shown this once.",
        schema: { type: "object", additionalProperties: false, required: ["id", "token", "providerId"], properties: { id: { type: "string" }, token: { type: "string" }, providerId: { type: "string" } } },
      },
    },
    errors: [403, 413, 415],
  },
  {
    operationId: "revokeToken",
    method: "DELETE",
    url: "/v1/tokens/:id",
    summary: "Revoke a provider token (owner only)",
    auth: "owner",
    params: tokenIdParams,
    responses: { 200: { description: "The revoked token.", schema: tokenView } },
    errors: [403, 404, 409],
  },
];

export function createOwnerHandlers(delivery: DeliveryPort, tokens: TokenPort | undefined): Record<OwnerOperationId, Handler> {
  const owner = (actor: Actor | undefined): Actor => {
    if (!actor) throw new InternalError("route ran without an authenticated actor");
    return actor;
  };
  const tokenPort = (): TokenPort => {
    if (!tokens) throw new ConflictError("This bridge does not manage tokens over the API; use `doorstep token`.");
    return tokens;
  };
  const doorId = (request: Parameters<Handler>[0]) => (request.params as { doorId: string }).doorId;
  return {
    async lockDoor(request, _reply, actor) {
      await delivery.ownerLock(doorId(request), owner(actor));
      return delivery.door(doorId(request));
    },
    async unlockDoor(request, _reply, actor) {
      await delivery.ownerUnlock(doorId(request), owner(actor));
      return delivery.door(doorId(request));
    },
    async listTokens() {
      return tokenPort().list();
    },
    async createToken(request, reply, actor) {
      return reply.code(201).send(tokenPort().createProvider((request.body as { providerId: string }).providerId, owner(actor)));
    },
    async revokeToken(request, _reply, actor) {
      return tokenPort().revokeProvider((request.params as { id: string }).id, owner(actor));
    },
  };
}
