// What each route does, given the validated request and the caller. Everything goes through the DeliveryPort (and its
// CredentialService); what is sent back is filtered by the route's response schema.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { DoorId, EpochMs } from "../access/ids.js";
import { InternalError, NotFoundError } from "../core/errors.js";
import type { Actor } from "../delivery/actor.js";
import type { DeliveryPort } from "../delivery/delivery-port.js";
import type { AuditVerification } from "../store/audit-log.js";
import type { ConsoleOperationId } from "./console-api-routes.js";
import type { OperationId } from "./routes.js";
import type { SetupPort } from "./setup-port.js";
import { createSetupHandlers } from "./setup-routes.js";
import { createOwnerHandlers } from "./owner-routes.js";

export interface HandlerContext {
  delivery: DeliveryPort;
  verifyAudit: () => AuditVerification;
  setup?: SetupPort;
}

/** The caller as established by the auth hook; undefined only on public routes called without a token. */
export type Handler = (request: FastifyRequest, reply: FastifyReply, actor: Actor | undefined) => Promise<unknown>;

type Params = { id: string; doorId: string };
type Query = Record<string, string | number | boolean | undefined>;

const params = (request: FastifyRequest) => request.params as Params;
const query = (request: FastifyRequest) => (request.query ?? {}) as Query;
/** Routes other than "public" never run without an actor (the auth hook refuses first). */
const who = (actor: Actor | undefined): Actor => {
  if (!actor) throw new InternalError("route ran without an authenticated actor");
  return actor;
};

/** Copies only the defined entries, so optional filters stay absent rather than `undefined`. */
function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function createHandlers({ delivery, verifyAudit, setup }: HandlerContext): Record<Exclude<OperationId, ConsoleOperationId>, Handler> {
  return {
    ...createSetupHandlers(setup),
    ...createOwnerHandlers(delivery),
    async createCredential(request, reply, actor) {
      const { credential, pin } = delivery.credentials.create(request.body, who(actor));
      return reply.code(201).send({ id: credential.id, pin, credential });
    },
    async listCredentials(request, _reply, actor) {
      const q = query(request);
      return delivery.credentials.list(who(actor), defined({ doorId: q["doorId"] as DoorId | undefined, includeRevoked: q["includeRevoked"] as boolean | undefined }));
    },
    async getCredential(request, _reply, actor) {
      return delivery.credentials.get(params(request).id, who(actor));
    },
    async revokeCredential(request, _reply, actor) {
      return delivery.credentials.revoke(params(request).id, who(actor));
    },
    async redeemAccess(request, reply, actor) {
      const { pin } = request.body as { pin: string };
      const outcome = await delivery.redeem({ doorId: params(request).doorId, pin, actor: who(actor), source: request.ip });
      switch (outcome.outcome) {
        case "unlocked":
          return reply.code(200).send(outcome);
        case "denied":
          return reply.code(403).send(outcome);
        case "leave-outside":
          return reply.code(409).send(outcome);
        case "locked-out": {
          const seconds = Math.max(1, Math.ceil(outcome.retryAfterSeconds));
          return reply.code(429).header("retry-after", String(seconds)).send({ ...outcome, retryAfterSeconds: seconds });
        }
      }
    },
    async endVisit(request, _reply, actor) {
      return delivery.endVisit(params(request).id, who(actor));
    },
    async listVisits(request, _reply, actor) {
      const q = query(request);
      return delivery.listVisits(
        who(actor),
        defined({
          doorId: q["doorId"] as string | undefined,
          open: q["open"] as boolean | undefined,
          limit: q["limit"] as number | undefined,
          before: q["before"] as EpochMs | undefined,
        }),
      );
    },
    async getVisit(request, _reply, actor) {
      return delivery.getVisit(params(request).id, who(actor));
    },
    async getVisitClip(request, reply, actor) {
      const { id } = params(request);
      const index = (query(request)["part"] as number | undefined) ?? 0;
      const parts = delivery.clipParts(id, who(actor));
      if (parts.length === 0) throw new NotFoundError(`Visit ${id} has no assembled clip yet.`);
      const part = parts[index];
      if (!part) throw new NotFoundError(`Visit ${id} has ${parts.length} clip part${parts.length === 1 ? "" : "s"}; there is no part ${index}.`);
      const size = await stat(part.path).then(
        (s) => s.size,
        () => undefined,
      );
      if (size === undefined) throw new NotFoundError(`The clip of visit ${id} is no longer on disk.`);
      return sendFile(request, reply, part.path, size);
    },
    async listDoors(_request, _reply, actor) {
      const doors = delivery.doors();
      // A provider needs door ids to redeem, not the state of the home.
      return who(actor).kind === "owner" ? doors : doors.map((d) => ({ id: d.id, name: d.name }));
    },
    async patchDoor(request, _reply, actor) {
      return delivery.setSwitches(params(request).doorId, request.body as { inHomeDeliveries?: boolean; petsHome?: boolean }, who(actor));
    },
    async health(_request, _reply, actor) {
      const report = delivery.health();
      return actor?.kind === "owner" ? report : { ok: report.ok };
    },
    async verifyAudit() {
      return verifyAudit();
    },
  };
}

const RANGE = /^bytes=(\d*)-(\d*)$/;

/** Streams a file as video/mp4, honouring one byte range (players seek with Range requests). */
function sendFile(request: FastifyRequest, reply: FastifyReply, path: string, size: number): FastifyReply {
  reply.header("content-type", "video/mp4").header("accept-ranges", "bytes");
  const range = request.headers.range;
  const match = typeof range === "string" ? RANGE.exec(range.trim()) : null;
  if (match && (match[1] !== "" || match[2] !== "")) {
    let start: number;
    let end: number;
    if (match[1] === "") {
      start = Math.max(0, size - Number(match[2]));
      end = size - 1;
    } else {
      start = Number(match[1]);
      end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
    }
    if (!Number.isSafeInteger(start) || start >= size || end < start) {
      return reply.code(416).header("content-range", `bytes */${size}`).serializer(JSON.stringify).type("application/json; charset=utf-8")
        .send({ code: "range-not-satisfiable", message: `The clip part is ${size} bytes long.` });
    }
    return reply
      .code(206)
      .header("content-range", `bytes ${start}-${end}/${size}`)
      .header("content-length", String(end - start + 1))
      .send(createReadStream(path, { start, end }));
  }
  return reply.code(200).header("content-length", String(size)).send(createReadStream(path));
}
