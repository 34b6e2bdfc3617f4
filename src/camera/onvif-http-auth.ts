// HTTP Digest (RFC 7616 / RFC 2617, MD5 and SHA-256, qop=auth) and Basic, for the snapshot GET: the onvif
// library only authenticates its SOAP calls, and snapshot URIs (Hikvision /onvif-http/snapshot, Dahua
// /onvifsnapshot, Axis /jpg/image.cgi) usually want one of these.

import { createHash, randomBytes } from "node:crypto";

export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly qop?: string;
  readonly opaque?: string;
  readonly algorithm?: string;
}

/** Splits `k=v, k2="v, 2"` into pairs, honouring quotes. */
function authParams(s: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (const m of s.matchAll(re)) out.set(m[1]!.toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : (m[3] ?? ""));
  return out;
}

/** The Digest challenge from WWW-Authenticate header values; prefers SHA-256 over MD5 when both are offered. */
export function parseDigestChallenge(headers: readonly string[]): DigestChallenge | undefined {
  let best: DigestChallenge | undefined;
  for (const h of headers) {
    if (!/^\s*Digest\s/i.test(h)) continue;
    const p = authParams(h.replace(/^\s*Digest\s+/i, ""));
    const realm = p.get("realm");
    const nonce = p.get("nonce");
    if (realm === undefined || nonce === undefined) continue;
    const algorithm = p.get("algorithm");
    if (algorithm && !/^(MD5|SHA-256)$/i.test(algorithm)) continue;
    const c: DigestChallenge = {
      realm,
      nonce,
      ...(p.has("qop") ? { qop: p.get("qop")! } : {}),
      ...(p.has("opaque") ? { opaque: p.get("opaque")! } : {}),
      ...(algorithm ? { algorithm } : {}),
    };
    if (!best || /^SHA-256$/i.test(algorithm ?? "")) best = c;
  }
  return best;
}

export interface DigestInput {
  readonly method: string;
  /** The request-target, path plus query. */
  readonly uri: string;
  readonly username: string;
  readonly password: string;
  readonly nc?: number;
  /** Tests pin it to reproduce the RFC example; otherwise random. */
  readonly cnonce?: string;
}

/** The `Authorization: Digest ...` header value answering `challenge`. */
export function digestAuthorization(challenge: DigestChallenge, input: DigestInput): string {
  const alg = /^SHA-256$/i.test(challenge.algorithm ?? "") ? "sha256" : "md5";
  const h = (s: string) => createHash(alg).update(s, "utf8").digest("hex");
  const ha1 = h(`${input.username}:${challenge.realm}:${input.password}`);
  const ha2 = h(`${input.method}:${input.uri}`);
  const qops = (challenge.qop ?? "").split(",").map((q) => q.trim());
  const useQop = qops.includes("auth");
  const nc = (input.nc ?? 1).toString(16).padStart(8, "0");
  const cnonce = input.cnonce ?? randomBytes(8).toString("hex");
  const response = useQop ? h(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:auth:${ha2}`) : h(`${ha1}:${challenge.nonce}:${ha2}`);
  const q = (s: string) => `"${s.replace(/(["\\])/g, "\\$1")}"`;
  const parts = [
    `username=${q(input.username)}`,
    `realm=${q(challenge.realm)}`,
    `nonce=${q(challenge.nonce)}`,
    `uri=${q(input.uri)}`,
  ];
  if (challenge.algorithm) parts.push(`algorithm=${challenge.algorithm}`);
  if (useQop) parts.push(`qop=auth`, `nc=${nc}`, `cnonce=${q(cnonce)}`);
  parts.push(`response=${q(response)}`);
  if (challenge.opaque !== undefined) parts.push(`opaque=${q(challenge.opaque)}`);
  return `Digest ${parts.join(", ")}`;
}

export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}
