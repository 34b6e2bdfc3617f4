// The provider/homeowner HTTP API v1 on Fastify: routes from the route table, bearer auth, one error mapping, and one
// log line per request that names the route, never the body (a PIN) or the headers (a token).
import { readFile } from "node:fs/promises";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { ConfigError, formatError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { Actor } from "../delivery/actor.js";
import type { DeliveryPort } from "../delivery/delivery-port.js";
import type { AuditVerification } from "../store/audit-log.js";
import { authenticate, type VerifyToken } from "./auth.js";
import { createConsoleHandlers, type ConsoleApiContext } from "./console-api-routes.js";
import { originOf, registerConsoleRoutes } from "./console-routes.js";
import { createConsoleSessions, type ConsoleSessions } from "./console-session.js";
import { createHandlers } from "./handlers.js";
import { parseJsonBody } from "./json-body.js";
import { clientErrorResponse, ForbiddenError, toHttpError } from "./http-errors.js";
import { ROUTES, type RouteSpec } from "./routes.js";
import type { SetupPort } from "./setup-port.js";
import type { JsonSchema } from "./schemas.js";
import { compileValidator } from "./validation.js";

export interface ApiServerOptions {
  delivery: DeliveryPort;
  /** TokenStore.verify (owner or provider subject, or undefined). */
  verifyToken: VerifyToken;
  /** AuditLog.verify, for GET /v1/audit/verify. */
  verifyAudit: () => AuditVerification;
  logger: Logger;
  /** Pairing a lock and discovering cameras (absent: those routes answer 409). */
  setup?: SetupPort;
  /** `api.host`: its default keeps the API off the network. */
  host: string;
  /** `api.port`; 0 picks a free port. */
  port: number;
  /** PEM file paths; read at start. */
  tls?: { cert: string; key: string };
  /** Largest accepted body in bytes; default 16 KiB (a credential is well under 2 KiB). */
  bodyLimit?: number;
  /** Timeouts in ms (defaults: headers 10 s, whole request 30 s, idle keep-alive 5 s, idle socket 60 s). */
  timeouts?: { headersMs?: number; requestMs?: number; keepAliveMs?: number; idleMs?: number };
  /** What the console's extra routes need (snapshots, lock slots, provider tokens); without it they answer 404. */
  consoleApi?: Omit<ConsoleApiContext, "delivery">;
  /** Serve the web console at "/" with cookie login (default true); `publicDir` overrides where its files are. */
  console?: { enabled?: boolean; publicDir?: string };
}

export interface ApiServer {
  /**
   * Listens; resolves with the base URL, e.g. "http://127.0.0.1:8787", and (console on) the one-time login link for
   * the owner's eyes only — print it, never log it.
   */
  start(): Promise<{ url: string; loginUrl?: string }>;
  /** Stops listening and closes open connections. Safe to call twice, or before start. */
  stop(): Promise<void>;
}

export const DEFAULT_BODY_LIMIT = 16 * 1024;

/** Builds the API server; nothing listens until start(). */
export function createApiServer(options: ApiServerOptions): ApiServer {
  let app: FastifyInstance | undefined;
  return {
    async start() {
      if (app) throw new ConfigError("The API server is already started.");
      const https = options.tls ? await readTls(options.tls) : undefined;
      const sessions =
        options.console?.enabled === false
          ? undefined
          : createConsoleSessions({ isOwnerToken: (token) => options.verifyToken(token)?.kind === "owner", secure: https !== undefined });
      const instance = buildApp(options, https, sessions);
      app = instance;
      try {
        await instance.listen({ host: options.host, port: options.port });
      } catch (error) {
        app = undefined;
        await instance.close().catch(() => {});
        throw new ConfigError(`The API cannot listen on ${options.host}:${options.port}: ${formatError(error)}`);
      }
      const address = instance.server.address() as AddressInfo;
      const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
      const url = `${https ? "https" : "http"}://${host}:${address.port}`;
      options.logger.info(`API listening on ${url}${sessions ? " (console at /)" : ""}`);
      // The link names the loopback address when the API listens on every interface: the owner opens it on this machine.
      const linkBase = /^https?:\/\/(0\.0\.0\.0|\[::\])/.test(url) ? url.replace(/\/\/[^/]+:/, `//127.0.0.1:`) : url;
      return { url, ...(sessions ? { loginUrl: `${linkBase}/login#${sessions.issueLoginCode()}` } : {}) };
    },
    async stop() {
      const instance = app;
      app = undefined;
      if (instance) await instance.close();
    },
  };
}

async function readTls(tls: { cert: string; key: string }): Promise<{ cert: Buffer; key: Buffer }> {
  const read = (path: string, what: string) =>
    readFile(path).catch((error: NodeJS.ErrnoException) => {
      // The path is configuration, not a secret; the file's contents never reach a message.
      throw new ConfigError(`api.tls.${what}: cannot read ${path} (${error.code ?? "error"}).`, [{ path: `api.tls.${what}`, message: `cannot read ${path}` }]);
    });
  return { cert: await read(tls.cert, "cert"), key: await read(tls.key, "key") };
}

function buildApp(options: ApiServerOptions, https: { cert: Buffer; key: Buffer } | undefined, sessions: ConsoleSessions | undefined): FastifyInstance {
  const { logger } = options;
  const timeouts = options.timeouts ?? {};
  const app = Fastify({
    // Fastify's logger would write request headers (the token); one line per request is logged below instead.
    logger: false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    connectionTimeout: timeouts.idleMs ?? 60_000,
    requestTimeout: timeouts.requestMs ?? 30_000,
    keepAliveTimeout: timeouts.keepAliveMs ?? 5_000,
    forceCloseConnections: true,
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
    return503OnClosing: true,
    // Long enough that an over-long id reaches the validator (and gets a 400 naming it) rather than missing the route.
    routerOptions: { maxParamLength: 500 },
    ...(https ? { https } : {}),
    frameworkErrors: (error, _request, reply) => void sendError(reply, error),
    // Requests Node's parser refuses (headers too large, garbage) never reach a route: same error shape all the same.
    clientErrorHandler: (error: NodeJS.ErrnoException, socket: Duplex) => {
      if (error.code === "ECONNRESET" || socket.destroyed) return;
      if (socket.writable) socket.write(clientErrorResponse(error));
      socket.destroy();
    },
    // The https variant is a differently parameterised FastifyInstance; routes and hooks are the same for both.
  }) as unknown as FastifyInstance;

  // Node wants the headers deadline within the whole-request deadline.
  const requestMs = timeouts.requestMs ?? 30_000;
  const headersMs = timeouts.headersMs ?? 10_000;
  app.server.headersTimeout = requestMs > 0 ? Math.min(headersMs, requestMs) : headersMs;
  // Node sockets start with Nagle's algorithm on; with delayed ACKs a small response can stall ~40 ms
  // (research/perf-reliability.md measured 41.5 ms vs 3.2 ms). The guest is standing at the door.
  app.server.on("connection", (socket: Socket) => socket.setNoDelay(true));

  // Only JSON bodies: text/plain would reach the validator as a string.
  app.removeContentTypeParser("text/plain");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.setValidatorCompiler(({ schema, httpPart }) => compileValidator(schema as JsonSchema, httpPart));

  const actors = new WeakMap<FastifyRequest, Actor>();
  const started = new WeakMap<FastifyRequest, bigint>();
  const handlers = {
    ...createHandlers({ delivery: options.delivery, verifyAudit: options.verifyAudit, ...(options.setup ? { setup: options.setup } : {}) }),
    ...createConsoleHandlers({ ...options.consoleApi, ...(options.setup ? { setup: options.setup } : {}), delivery: options.delivery }),
  };
  const scheme = https ? "https" : "http";

  function sendError(reply: FastifyReply, error: unknown): FastifyReply {
    const http = toHttpError(error);
    if (http.unexpected) logger.error(`API ${reply.request.method} ${routeOf(reply.request)}: ${formatError(error)}`);
    // The error body bypasses the route's response schemas: its shape is fixed here.
    return reply
      .code(http.status)
      .headers(http.headers ?? {})
      .serializer(JSON.stringify)
      .type("application/json; charset=utf-8")
      .send(http.body);
  }

  app.setErrorHandler((error, _request, reply) => sendError(reply, error));

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0] ?? "";
    const allowed: string[] = ROUTES.filter((r) => routePattern(r).test(path)).map((r) => r.method);
    if (allowed.includes("GET")) allowed.push("HEAD");
    // The method fits but the router found nothing (e.g. a path segment longer than it accepts): plain 404.
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      return reply
        .code(405)
        .header("allow", allowed.join(", "))
        .serializer(JSON.stringify)
        .type("application/json; charset=utf-8")
        .send({ code: "method-not-allowed", message: `${request.method} is not allowed here; use ${allowed.join(", ")}.` });
    }
    return reply.code(404).serializer(JSON.stringify).type("application/json; charset=utf-8").send({ code: "not-found", message: "No such API route." });
  });

  app.addHook("onRequest", async (request) => {
    started.set(request, process.hrtime.bigint());
    const spec = (request.routeOptions.config as { spec?: RouteSpec } | undefined)?.spec;
    if (!spec) return; // the not-found handler: 404/405 need no token
    const header = request.headers.authorization;
    // A bearer token wins; without one, the console's session cookie speaks for the owner (CSRF-checked).
    const cookie = header === undefined && sessions?.hasCookie(request.headers) === true;
    if (spec.auth === "public" && header === undefined && !cookie) return;
    const actor = cookie ? sessions!.authenticate(request.method, request.headers, originOf(request, scheme)) : authenticate(header, options.verifyToken);
    // Known before it is refused, so the log line of a forbidden request names the provider, not "anonymous".
    actors.set(request, actor);
    if (spec.auth === "owner" && actor.kind !== "owner") {
      throw new ForbiddenError("Only the homeowner's token may do this; provider tokens manage their own credentials and open doors.");
    }
  });

  // A page on another port of this host is "same-site": the session cookie would ride along on its <img>/<video> loads
  // of a snapshot or clip. CORP keeps every response to our own origin; nosniff keeps JSON from being run as script.
  app.addHook("onSend", async (_request, reply, payload) => {
    reply.header("cross-origin-resource-policy", "same-origin").header("x-content-type-options", "nosniff");
    return payload;
  });

  app.addHook("onResponse", async (request, reply) => {
    const start = started.get(request);
    const ms = start === undefined ? 0 : Number(process.hrtime.bigint() - start) / 1e6;
    const actor = actors.get(request);
    const who = actor === undefined ? "anonymous" : actor.kind === "owner" ? "owner" : `provider:${actor.providerId}`;
    // The route pattern, not the raw URL, and never the body or headers.
    const line = `API ${request.method} ${routeOf(request)} ${reply.statusCode} ${ms.toFixed(1)} ms ${who}`;
    if (reply.statusCode >= 500) logger.warn(line);
    else if (request.method === "GET" || request.method === "HEAD") logger.debug(line);
    else logger.info(line);
  });

  if (sessions) {
    try {
      registerConsoleRoutes(app, { sessions, scheme, ...(options.console?.publicDir ? { publicDir: options.console.publicDir } : {}) });
    } catch (error) {
      // The API (guests at the door, HomeKit's peers) matters more than the console: run on without the page.
      logger.warn(`The web console is not served: ${formatError(error)}`);
    }
  }

  for (const spec of ROUTES) {
    const handler = handlers[spec.operationId];
    const response: Record<number, JsonSchema> = {};
    for (const [status, r] of Object.entries(spec.responses)) if (r.schema) response[Number(status)] = r.schema;
    app.route({
      method: spec.method,
      url: spec.url,
      config: { spec },
      schema: {
        ...(spec.params ? { params: spec.params } : {}),
        ...(spec.querystring ? { querystring: spec.querystring } : {}),
        ...(spec.body ? { body: spec.body } : {}),
        response,
      },
      handler: (request, reply) => handler(request, reply, actors.get(request)),
    });
  }
  return app;
}

function routeOf(request: FastifyRequest): string {
  // Requests refused by the router itself (a broken URL) have no route options.
  const spec = (request.routeOptions?.config as { spec?: RouteSpec } | undefined)?.spec;
  return spec?.url ?? "(no route)";
}

const patterns = new WeakMap<RouteSpec, RegExp>();
function routePattern(spec: RouteSpec): RegExp {
  let re = patterns.get(spec);
  if (!re) {
    re = new RegExp(`^${spec.url.replace(/:[A-Za-z]+/g, "[^/]+")}/?$`);
    patterns.set(spec, re);
  }
  return re;
}
