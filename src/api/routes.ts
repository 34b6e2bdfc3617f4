// The routes of the HTTP API v1 as data: method, path, who may call, and the schemas. The server registers them and the
// OpenAPI document is generated from them, so the published contract is the validator.
import { CONSOLE_ROUTES, type ConsoleOperationId } from "./console-api-routes.js";
import {
  accessInputSchema,
  auditVerificationSchema,
  clipQuery,
  createdCredentialSchema,
  credentialInputSchema,
  credentialListQuery,
  credentialSchema,
  deniedSchema,
  doorParams,
  doorPatchSchema,
  doorSchema,
  healthSchema,
  idParams,
  type JsonSchema,
  leaveOutsideSchema,
  lockedOutSchema,
  unlockedSchema,
  visitListQuery,
  visitSchema,
} from "./schemas.js";
import { SETUP_ROUTES, type SetupOperationId } from "./setup-routes.js";
import { OWNER_ROUTES, type OwnerOperationId } from "./owner-routes.js";

/** public: no token needed; any: the owner or a provider; owner: the homeowner's token only (providers get 403). */
export type RouteAuth = "public" | "any" | "owner";

export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";

export interface ResponseSpec {
  description: string;
  /** JSON body schema (also the serializer's allowlist). */
  schema?: JsonSchema;
  /** A non-JSON body, e.g. video/mp4. */
  mediaType?: string;
  headers?: Record<string, { description: string; schema: JsonSchema }>;
}

export interface RouteSpec {
  /** Names the handler and the OpenAPI operation. */
  operationId: OperationId;
  method: HttpMethod;
  /** Fastify style: "/v1/credentials/:id". */
  url: string;
  summary: string;
  description?: string;
  auth: RouteAuth;
  params?: JsonSchema;
  querystring?: JsonSchema;
  body?: JsonSchema;
  /** Success and outcome responses; the error responses (400, 401, 403, 404, …) are added from the error schema. */
  responses: Record<number, ResponseSpec>;
  /** Error statuses this route can answer besides the common ones (400/401/500). */
  errors?: number[];
}

export type OperationId =
  | "createCredential"
  | "listCredentials"
  | "getCredential"
  | "revokeCredential"
  | "redeemAccess"
  | "endVisit"
  | "listVisits"
  | "getVisit"
  | "getVisitClip"
  | "listDoors"
  | "patchDoor"
  | "health"
  | "verifyAudit"
  | SetupOperationId
  | OwnerOperationId
  | ConsoleOperationId;

const list = (items: JsonSchema): JsonSchema => ({ type: "array", items });

export const ROUTES: readonly RouteSpec[] = [
  {
    operationId: "createCredential",
    method: "POST",
    url: "/v1/credentials",
    summary: "Create a guest credential",
    description:
      "The PIN is in this response only; store it or hand it over now. A provider's credential belongs to that provider. " +
      'A provider token may create only kind "delivery", with maxUses 1, allowWhenPetsHome false, requireRecording true, no pin, ' +
      "only the doors its token was given, and validUntil at most 24 h after validFrom (or now); anything else is 403 forbidden with issues naming the field. " +
      "The owner's switches bind every provider credential whatever is stored.",
    auth: "any",
    body: credentialInputSchema,
    responses: { 201: { description: "Created; the PIN is shown this once.", schema: createdCredentialSchema } },
    errors: [403, 409, 413, 415],
  },
  {
    operationId: "listCredentials",
    method: "GET",
    url: "/v1/credentials",
    summary: "List credentials (a provider sees only its own)",
    auth: "any",
    querystring: credentialListQuery,
    responses: { 200: { description: "The credentials, without PINs.", schema: list(credentialSchema) } },
  },
  {
    operationId: "getCredential",
    method: "GET",
    url: "/v1/credentials/:id",
    summary: "One credential (404 for another provider's)",
    auth: "any",
    params: idParams,
    responses: { 200: { description: "The credential, without its PIN.", schema: credentialSchema } },
    errors: [404],
  },
  {
    operationId: "revokeCredential",
    method: "DELETE",
    url: "/v1/credentials/:id",
    summary: "Revoke a credential",
    description: "Takes effect at once for remote redemption; the delivery service clears it from the lock. Revoking twice is not an error.",
    auth: "any",
    params: idParams,
    responses: { 200: { description: "The revoked credential.", schema: credentialSchema } },
    errors: [404],
  },
  {
    operationId: "redeemAccess",
    method: "POST",
    url: "/v1/doors/:doorId/access",
    summary: "Open the door for a guest PIN (record, then unlock)",
    description:
      "Checks the credential, confirms the camera is recording, persists the visit and only then unlocks. " +
      "Wrong PINs count towards a lockout per door and per client address.",
    auth: "any",
    params: doorParams,
    body: accessInputSchema,
    responses: {
      200: { description: "Unlocked; the door relocks at relockAt.", schema: unlockedSchema },
      403: { description: "Denied: the credential does not allow this.", schema: deniedSchema },
      409: { description: "Leave outside: the credential is fine but the home says no (deliveries paused, pets, camera, lock).", schema: leaveOutsideSchema },
      429: {
        description: "Locked out after too many wrong PINs.",
        schema: lockedOutSchema,
        headers: { "Retry-After": { description: "Seconds until the next attempt is considered.", schema: { type: "integer" } } },
      },
    },
    errors: [404, 413, 415],
  },
  {
    operationId: "endVisit",
    method: "POST",
    url: "/v1/visits/:id/end",
    summary: "End a visit now (relock)",
    auth: "any",
    params: idParams,
    responses: { 200: { description: "The visit after the relock.", schema: visitSchema } },
    errors: [404, 409],
  },
  {
    operationId: "listVisits",
    method: "GET",
    url: "/v1/visits",
    summary: "List visits, newest first (a provider sees those of its own credentials)",
    auth: "any",
    querystring: visitListQuery,
    responses: { 200: { description: "Visits.", schema: list(visitSchema) } },
  },
  {
    operationId: "getVisit",
    method: "GET",
    url: "/v1/visits/:id",
    summary: "One visit",
    auth: "any",
    params: idParams,
    responses: { 200: { description: "The visit.", schema: visitSchema } },
    errors: [404],
  },
  {
    operationId: "getVisitClip",
    method: "GET",
    url: "/v1/visits/:id/clip",
    summary: "A visit's video (owner only)",
    description: "Streams one assembled clip part as MP4 (part 0 unless ?part=N). 404 while no clip is assembled.",
    auth: "owner",
    params: idParams,
    querystring: clipQuery,
    responses: { 200: { description: "The clip part.", mediaType: "video/mp4" } },
    errors: [403, 404],
  },
  {
    operationId: "listDoors",
    method: "GET",
    url: "/v1/doors",
    summary: "The doors: lock, door, camera, switches (providers: id and name only)",
    auth: "any",
    responses: { 200: { description: "Doors.", schema: list(doorSchema) } },
  },
  {
    operationId: "patchDoor",
    method: "PATCH",
    url: "/v1/doors/:doorId",
    summary: 'Set the "In-home deliveries" and "Pets home" switches (owner only)',
    auth: "owner",
    params: doorParams,
    body: doorPatchSchema,
    responses: { 200: { description: "The door after the change.", schema: doorSchema } },
    errors: [403, 404, 413, 415],
  },
  {
    operationId: "health",
    method: "GET",
    url: "/v1/health",
    summary: "Health (detail with the owner token)",
    auth: "public",
    responses: { 200: { description: "Health.", schema: healthSchema } },
  },
  {
    operationId: "verifyAudit",
    method: "GET",
    url: "/v1/audit/verify",
    summary: "Verify the hash-chained audit log (owner only)",
    auth: "owner",
    responses: { 200: { description: "The verification result; ok false names the first entry that cannot be trusted.", schema: auditVerificationSchema } },
    errors: [403],
  },
  ...SETUP_ROUTES,
  ...OWNER_ROUTES,
  ...CONSOLE_ROUTES,
];
