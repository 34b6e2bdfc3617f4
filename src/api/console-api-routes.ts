// API routes the web console needs beyond the v1 core: live events (SSE), a door's current snapshot, "why can't they
// get in?" for a credential, its PIN slots on the locks, and provider tokens. Registered through ROUTES like the rest,
// so auth, validation and the OpenAPI document treat them alike.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { SetupPort } from "./setup-port.js";
import type { EpochMs } from "../access/ids.js";
import { InternalError, NotFoundError } from "../core/errors.js";
import type { Actor } from "../delivery/actor.js";
import type { DeliveryEvents, DeliveryPort } from "../delivery/delivery-port.js";
import type { Handler } from "./handlers.js";
import type { RouteSpec } from "./routes.js";
import { doorIdSchema, doorParams, idParams, recordIdSchema, type JsonSchema } from "./schemas.js";

export type ConsoleOperationId = "home" | "events" | "doorSnapshot" | "explainCredential" | "listLockSlots" | "listTokens" | "createToken" | "revokeToken";

/** A provider token as the owner sees it: never the secret. */
export interface ProviderTokenView {
  id: string;
  provider: string;
  createdAt: EpochMs;
  revokedAt?: EpochMs;
  /** Newest activity under this provider's name (a credential made or a visit opened); absent when none. */
  lastUsedAt?: EpochMs;
}

export interface LockSlotView {
  doorId: string;
  slot: number;
  credentialId: string | null;
  desired: "present" | "absent";
  state: "synced" | "pending" | "failed";
  lastError?: string;
  nextAttemptAt?: EpochMs;
}

/** What the composition root lends the console routes; each is optional so the API runs without it. */
export interface ConsoleApiContext {
  delivery: DeliveryPort;
  /** The bridge's name and the home's IANA time zone (schedules are written in it). */
  home?: { name: string; timeZone: string };
  /** A current JPEG from a door's camera; undefined when the door has no camera. */
  snapshot?: (doorId: string) => Promise<Buffer> | undefined;
  lockSlots?: () => LockSlotView[];
  /** Zigbee joining: its changes are streamed as `pairing` events. */
  setup?: Pick<SetupPort, "onPairing">;
  tokens?: {
    list(): ProviderTokenView[];
    create(provider: string): { id: string; token: string };
    revoke(id: string): ProviderTokenView;
  };
}

const epochMs = { type: "integer", description: "Milliseconds since the UNIX epoch (UTC)." } as const;
const providerTokenSchema = {
  title: "ProviderToken",
  type: "object",
  additionalProperties: false,
  required: ["id", "provider", "createdAt"],
  properties: { id: { type: "string" }, provider: { type: "string" }, createdAt: epochMs, revokedAt: epochMs, lastUsedAt: epochMs },
} as const;
const tokenIdParams = { type: "object", additionalProperties: false, required: ["id"], properties: { id: recordIdSchema } } as const;
const lockSlotSchema = {
  title: "LockSlot",
  type: "object",
  additionalProperties: false,
  required: ["doorId", "slot", "credentialId", "desired", "state"],
  properties: {
    doorId: { type: "string" },
    slot: { type: "integer" },
    credentialId: { type: ["string", "null"] },
    desired: { enum: ["present", "absent"] },
    state: { enum: ["synced", "pending", "failed"], description: "synced: the lock confirmed it; pending: not written yet; failed: see lastError." },
    lastError: { type: "string" },
    nextAttemptAt: epochMs,
  },
} as const;
const explainBody = {
  title: "ExplainInput",
  type: "object",
  additionalProperties: false,
  required: ["doorId"],
  properties: {
    doorId: doorIdSchema,
    at: { ...epochMs, minimum: 0, maximum: 8_640_000_000_000_000, description: "Default: now." },
    via: { enum: ["keypad", "remote"], description: "Default keypad." },
  },
} as const;
const explanationSchema = {
  title: "Explanation",
  type: "object",
  additionalProperties: false,
  required: ["outcome", "sentence"],
  properties: {
    outcome: { enum: ["allowed", "denied", "leave-outside"] },
    reason: { type: "string" },
    sentence: { type: "string", description: "What the homeowner reads: why, and when it would work." },
  },
} as const;
const list = (items: JsonSchema): JsonSchema => ({ type: "array", items });

export const CONSOLE_ROUTES: readonly RouteSpec[] = [
  {
    operationId: "home",
    method: "GET",
    url: "/v1/home",
    summary: "The bridge's name and the home's time zone (schedules are written in it)",
    auth: "any",
    responses: {
      200: {
        description: "The home.",
        schema: {
          title: "Home",
          type: "object",
          additionalProperties: false,
          required: ["name", "timeZone"],
          properties: { name: { type: "string" }, timeZone: { type: "string", description: "IANA time zone." } },
        },
      },
    },
  },
  {
    operationId: "events",
    method: "GET",
    url: "/v1/events",
    summary: "Live events as server-sent events (owner only)",
    description:
      "text/event-stream; each event is named visitStarted, visitEnded, lockState, switches, alert, refused or pairing and carries " +
      "JSON. Owner only: a provider learns about its visits from GET /v1/visits.",
    auth: "owner",
    responses: { 200: { description: "The event stream.", mediaType: "text/event-stream" } },
    errors: [403],
  },
  {
    operationId: "doorSnapshot",
    method: "GET",
    url: "/v1/doors/:doorId/snapshot",
    summary: "A current picture from the door's camera (owner only)",
    auth: "owner",
    params: doorParams,
    responses: { 200: { description: "The picture.", mediaType: "image/jpeg" } },
    errors: [403, 404, 503],
  },
  {
    operationId: "explainCredential",
    method: "POST",
    url: "/v1/credentials/:id/explain",
    summary: "Why can't they get in? The policy's answer for this credential at a door, now or at a time",
    description: "No side effect: nothing is counted or unlocked. Lock and camera are taken as they are now.",
    auth: "any",
    params: idParams,
    body: explainBody,
    responses: { 200: { description: "The answer.", schema: explanationSchema } },
    errors: [404, 413, 415],
  },
  {
    operationId: "listLockSlots",
    method: "GET",
    url: "/v1/lock-slots",
    summary: "Which credential's PIN each lock slot holds, and whether the lock confirmed it (owner only)",
    auth: "owner",
    responses: { 200: { description: "Slots.", schema: list(lockSlotSchema) } },
    errors: [403],
  },
  {
    operationId: "listTokens",
    method: "GET",
    url: "/v1/tokens",
    summary: "Provider tokens, without secrets (owner only)",
    auth: "owner",
    responses: { 200: { description: "Tokens.", schema: list(providerTokenSchema) } },
    errors: [403],
  },
  {
    operationId: "createToken",
    method: "POST",
    url: "/v1/tokens",
    summary: "Create a provider token (owner only; the token is in this response only)",
    auth: "owner",
    body: {
      title: "TokenInput",
      type: "object",
      additionalProperties: false,
      required: ["provider"],
      properties: { provider: { type: "string", minLength: 1, maxLength: 64, pattern: "^\\S(.*\\S)?$", description: "The courier company's name." } },
    },
    responses: {
      201: {
        description: "Created; the token is shown this once.",
        schema: {
          title: "CreatedToken",
          type: "object",
          additionalProperties: false,
          required: ["id", "provider", "token"],
          properties: { id: { type: "string" }, provider: { type: "string" }, token: { type: "string" } },
        },
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
    responses: { 200: { description: "The revoked token.", schema: providerTokenSchema } },
    errors: [403, 404],
  },
];

const EVENT_NAMES = ["visitStarted", "visitEnded", "lockState", "switches", "alert", "refused"] as const satisfies readonly (keyof DeliveryEvents)[];
/** A comment line this often keeps proxies and the browser from timing the stream out (ms). */
const HEARTBEAT_MS = 25_000;

const who = (actor: Actor | undefined): Actor => {
  if (!actor) throw new InternalError("route ran without an authenticated actor");
  return actor;
};

export function createConsoleHandlers(context: ConsoleApiContext): Record<ConsoleOperationId, Handler> {
  const { delivery } = context;
  const missing = (what: string) => new NotFoundError(`This bridge does not offer ${what}.`);
  return {
    async home() {
      return context.home ?? { name: "Doorstep", timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone };
    },
    async events(request: FastifyRequest, reply: FastifyReply) {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      res.write(": doorstep events\n\n");
      const listeners = EVENT_NAMES.map((name) => {
        const listener = (payload: unknown) => res.write(`event: ${name}\ndata: ${JSON.stringify(publicPayload(name, payload))}\n\n`);
        delivery.events.on(name, listener as never);
        return () => delivery.events.off(name, listener as never);
      });
      const offPairing = context.setup?.onPairing((event) => res.write(`event: pairing\ndata: ${JSON.stringify(event.data)}\n\n`));
      // Real time, not the Clock: keeps a real socket alive through proxies.
      const heartbeat = setInterval(() => res.write(": ping\n\n"), HEARTBEAT_MS);
      heartbeat.unref();
      request.raw.socket.once("close", () => {
        clearInterval(heartbeat);
        for (const off of listeners) off();
        offPairing?.();
      });
    },
    async doorSnapshot(request, reply) {
      const { doorId } = request.params as { doorId: string };
      delivery.door(doorId); // NotFoundError for an unknown door
      const picture = context.snapshot?.(doorId);
      if (!picture) throw new NotFoundError(`Door ${doorId} has no camera.`);
      return reply.header("cache-control", "no-store").type("image/jpeg").send(await picture);
    },
    async explainCredential(request, _reply, actor) {
      const { id } = request.params as { id: string };
      const body = request.body as { doorId: string; at?: EpochMs; via?: "keypad" | "remote" };
      const door = delivery.door(body.doorId);
      const result = delivery.credentials.explain(id, who(actor), {
        doorId: body.doorId,
        via: body.via ?? "keypad",
        recording: door.camera.recording,
        lockAvailable: door.lock.available,
        ...(body.at !== undefined ? { at: body.at } : {}),
      });
      const { decision } = result;
      return { outcome: decision.outcome, ...(decision.outcome !== "allowed" ? { reason: decision.reason } : {}), sentence: result.sentence };
    },
    async listLockSlots() {
      if (!context.lockSlots) throw missing("lock slot status");
      return context.lockSlots();
    },
    async listTokens() {
      if (!context.tokens) throw missing("provider tokens");
      return context.tokens.list();
    },
    async createToken(request, reply) {
      if (!context.tokens) throw missing("provider tokens");
      const { provider } = request.body as { provider: string };
      const issued = context.tokens.create(provider);
      return reply.code(201).send({ id: issued.id, provider, token: issued.token });
    },
    async revokeToken(request) {
      if (!context.tokens) throw missing("provider tokens");
      return context.tokens.revoke((request.params as { id: string }).id);
    },
  };
}

/** Visits travel without their clip file paths (the clip route serves them); other payloads are plain data. */
function publicPayload(name: string, payload: unknown): unknown {
  if ((name === "visitStarted" || name === "visitEnded") && payload && typeof payload === "object" && "visit" in payload) {
    const { visit } = payload as { visit: { clip?: { durationMs: number; firstFrameAt: number; lastFrameAt: number }[] } & Record<string, unknown> };
    return { visit: { ...visit, clip: (visit.clip ?? []).map((c) => ({ durationMs: c.durationMs, firstFrameAt: c.firstFrameAt, lastFrameAt: c.lastFrameAt })) } };
  }
  return payload;
}
