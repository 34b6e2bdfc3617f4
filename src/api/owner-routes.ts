// The homeowner's console locks and unlocks a door from the page (owner only; audited as the owner's, like HomeKit).
import type { Actor } from "../delivery/actor.js";
import type { DeliveryPort } from "../delivery/delivery-port.js";
import { InternalError } from "../core/errors.js";
import type { Handler } from "./handlers.js";
import type { RouteSpec } from "./routes.js";
import { doorParams, doorSchema } from "./schemas.js";

export type OwnerOperationId = "lockDoor" | "unlockDoor";

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
];

export function createOwnerHandlers(delivery: DeliveryPort): Record<OwnerOperationId, Handler> {
  const owner = (actor: Actor | undefined): Actor => {
    if (!actor) throw new InternalError("route ran without an authenticated actor");
    return actor;
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
  };
}
