// Browser sessions for the web console: a login (owner token or the one-time link printed at start) becomes an HTTP-only,
// SameSite=Strict cookie; requests that change something with that cookie must also carry the session's CSRF token and
// come from the console's own origin. Bearer-token clients never see any of this.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { Actor } from "../delivery/actor.js";
import { ForbiddenError, UnauthorizedError } from "./http-errors.js";

export const SESSION_COOKIE = "doorstep_session";
export const CSRF_HEADER = "x-doorstep-csrf";
/** A session lasts this long from login, however busy (ms). */
export const SESSION_TTL_MS = 12 * 60 * 60_000;
/** The one-time login link printed at start works this long, once (ms). */
export const LOGIN_LINK_TTL_MS = 60 * 60_000;
/** Open sessions beyond this evict the oldest: a script logging in in a loop cannot grow memory. */
const MAX_SESSIONS = 64;

interface Session {
  csrf: string;
  expiresAt: number;
}

export interface ConsoleSessions {
  /** A fresh one-time login code (the part after "#" in the login link); the previous one stops working. */
  issueLoginCode(): string;
  /** Logs in with a one-time code or the owner token; undefined when neither is valid. */
  login(credential: { code?: string; token?: string }): { cookie: string; csrf: string; expiresAt: number } | undefined;
  /** The session named by the request's cookie, or undefined (no cookie, unknown, expired). */
  find(headers: IncomingHttpHeaders): { id: string; csrf: string; expiresAt: number } | undefined;
  /**
   * The owner actor for a cookie-authenticated request. State-changing methods must come from `origin` and carry the
   * CSRF header: a cross-site page can make the browser send the cookie, but can neither set that header nor fake Origin.
   */
  authenticate(method: string, headers: IncomingHttpHeaders, origin: string): Actor;
  logout(headers: IncomingHttpHeaders): string;
  /** True when the request carries a session cookie at all (valid or not). */
  hasCookie(headers: IncomingHttpHeaders): boolean;
}

export interface ConsoleSessionOptions {
  /** TokenStore.verify's owner answer, for logging in with the owner token. */
  isOwnerToken: (token: string) => boolean;
  /** Set the cookie's Secure flag (the API runs on TLS). */
  secure: boolean;
  now?: () => number;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function createConsoleSessions(options: ConsoleSessionOptions): ConsoleSessions {
  const now = options.now ?? Date.now;
  // Keyed by the SHA-256 of the cookie value: a heap dump does not hand out live sessions.
  const sessions = new Map<string, Session>();
  let loginCode: { hash: Buffer; expiresAt: number } | undefined;

  const hash = (value: string) => createHash("sha256").update(value, "utf8").digest();
  const cookieOf = (headers: IncomingHttpHeaders) => parseCookies(headers.cookie)[SESSION_COOKIE];
  const cookie = (value: string, maxAgeS: number) =>
    `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${options.secure ? "; Secure" : ""}`;

  function prune(): void {
    const t = now();
    for (const [key, s] of sessions) if (s.expiresAt <= t) sessions.delete(key);
    while (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
  }

  function find(headers: IncomingHttpHeaders) {
    const value = cookieOf(headers);
    if (!value || !/^[A-Za-z0-9_-]{43}$/.test(value)) return undefined;
    const id = hash(value).toString("hex");
    const session = sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= now()) {
      sessions.delete(id);
      return undefined;
    }
    return { id, ...session };
  }

  return {
    issueLoginCode() {
      const code = randomBytes(24).toString("base64url");
      loginCode = { hash: hash(code), expiresAt: now() + LOGIN_LINK_TTL_MS };
      return code;
    },
    login({ code, token }) {
      let ok = false;
      if (typeof code === "string" && loginCode && loginCode.expiresAt > now()) {
        const given = hash(code);
        ok = timingSafeEqual(given, loginCode.hash);
        if (ok) loginCode = undefined; // one use
      } else if (typeof token === "string") {
        ok = options.isOwnerToken(token);
      }
      if (!ok) return undefined;
      prune();
      const value = randomBytes(32).toString("base64url");
      const csrf = randomBytes(24).toString("base64url");
      const expiresAt = now() + SESSION_TTL_MS;
      sessions.set(hash(value).toString("hex"), { csrf, expiresAt });
      return { cookie: cookie(value, Math.floor(SESSION_TTL_MS / 1000)), csrf, expiresAt };
    },
    find,
    authenticate(method, headers, origin) {
      const session = find(headers);
      if (!session) throw new UnauthorizedError("The console session has expired or is unknown: log in again.", true);
      if (!SAFE_METHODS.has(method.toUpperCase())) {
        if (headers.origin !== origin) throw new ForbiddenError("Refused: a console request that changes something must come from the console's own page (Origin).");
        const given = headers[CSRF_HEADER];
        if (typeof given !== "string" || !equal(given, session.csrf)) {
          throw new ForbiddenError(`Refused: a console request that changes something needs the session's ${CSRF_HEADER} header.`);
        }
      }
      return { kind: "owner", via: "api" };
    },
    logout(headers) {
      const session = find(headers);
      if (session) sessions.delete(session.id);
      return cookie("", 0);
    },
    hasCookie(headers) {
      return cookieOf(headers) !== undefined;
    },
  };
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The cookies of a Cookie header; malformed pairs are skipped. */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!(name in out)) out[name] = part.slice(eq + 1).trim();
  }
  return out;
}
