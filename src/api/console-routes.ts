// The web console on the API's port: the app from homebridge-ui/public (the same files the Homebridge UI shows), wrapped
// in a full HTML document at "/", and the login/session/logout endpoints that turn an owner credential into a cookie.
import { readdirSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ConfigError } from "../core/errors.js";
import type { ConsoleSessions } from "./console-session.js";
import { UnauthorizedError } from "./http-errors.js";

/** homebridge-ui/public from dist/src/api (built) — the package ships both. */
export const DEFAULT_PUBLIC_DIR = fileURLToPath(new URL("../../../homebridge-ui/public/", import.meta.url));

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

// Everything the page may load comes from here: no CDN, no inline script, nothing framed elsewhere.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join("; ");

const loginBody = {
  type: "object",
  additionalProperties: false,
  minProperties: 1,
  maxProperties: 1,
  properties: {
    code: { type: "string", minLength: 1, maxLength: 200, description: "The one-time code after '#' in the login link." },
    token: { type: "string", minLength: 1, maxLength: 200, description: "The owner token." },
  },
} as const;

export interface ConsoleRoutesOptions {
  sessions: ConsoleSessions;
  publicDir?: string;
  /** "http" or "https": the scheme of the console's own origin. */
  scheme: "http" | "https";
}

/** The console's own origin for a request, from its Host header. */
export function originOf(request: FastifyRequest, scheme: "http" | "https"): string {
  return `${scheme}://${request.headers.host ?? ""}`;
}

export function registerConsoleRoutes(app: FastifyInstance, options: ConsoleRoutesOptions): void {
  const dir = options.publicDir ?? DEFAULT_PUBLIC_DIR;
  const files = loadPublicFiles(dir);
  const fragment = files.get("index.html");
  if (!fragment) throw new ConfigError(`The console's page is missing: ${join(dir, "index.html")} (is homebridge-ui/public shipped?).`);
  const page = Buffer.from(
    [
      "<!doctype html>",
      '<html lang="en">',
      "<head>",
      '<meta charset="utf-8">',
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      '<meta name="color-scheme" content="light dark">',
      "<title>Doorstep</title>",
      '<link rel="icon" href="/favicon.svg">',
      "</head>",
      '<body class="standalone">',
      fragment.body.toString("utf8"),
      "</body>",
      "</html>",
    ].join("\n"),
  );
  const { sessions } = options;

  const sendPage = async (_request: FastifyRequest, reply: FastifyReply) =>
    reply.header("content-security-policy", CSP).header("cache-control", "no-store").type("text/html; charset=utf-8").send(page);
  app.get("/", sendPage);
  app.get("/login", sendPage);
  for (const [name, file] of files) {
    if (name === "index.html") continue;
    app.get(`/${name}`, async (_request, reply) =>
      reply.header("content-security-policy", CSP).header("cache-control", "no-cache").type(file.type).send(file.body),
    );
  }

  app.post("/console/login", { schema: { body: loginBody } }, async (request, reply) => {
    // A cross-site page must not log the browser in to a session of its choosing (login CSRF).
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== originOf(request, options.scheme)) {
      return reply.code(403).send({ code: "forbidden", message: "Refused: log in from the console's own page." });
    }
    const session = sessions.login(request.body as { code?: string; token?: string });
    if (!session) throw new UnauthorizedError("That login link was already used or has expired, or the token is not the owner's.", true);
    return reply.header("set-cookie", session.cookie).header("cache-control", "no-store").send({ csrf: session.csrf, expiresAt: session.expiresAt });
  });

  app.get("/console/session", async (request, reply) => {
    const session = sessions.find(request.headers);
    if (!session) throw new UnauthorizedError("Not logged in to the console.", sessions.hasCookie(request.headers));
    return reply.header("cache-control", "no-store").send({ csrf: session.csrf, expiresAt: session.expiresAt });
  });

  app.post("/console/logout", async (request, reply) => {
    sessions.authenticate(request.method, request.headers, originOf(request, options.scheme));
    return reply.header("set-cookie", sessions.logout(request.headers)).code(204).send();
  });
}

function loadPublicFiles(dir: string): Map<string, { body: Buffer; type: string }> {
  const out = new Map<string, { body: Buffer; type: string }>();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    throw new ConfigError(`The console's files are missing: cannot read ${dir}.`);
  }
  // A fixed set read once at start: nothing a request names can reach the file system.
  for (const name of names) {
    if (!/^[a-z0-9][a-z0-9.-]*$/.test(name)) continue;
    const type = name === "index.html" ? "text/html; charset=utf-8" : TYPES[extname(name)];
    if (!type) continue;
    out.set(name, { body: readFileSync(join(dir, name)), type });
  }
  return out;
}
