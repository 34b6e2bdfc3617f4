// How the simulated camera checks a caller: the WS-Security UsernameToken PasswordDigest that ONVIF
// requires (OASIS UsernameToken Profile 1.0 §3.1: Base64(SHA-1(nonce + created + password)), created
// checked against the camera's own clock) and RFC 7616 HTTP Digest (MD5, qop=auth) for digest-only
// cameras and the snapshot URI.

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { startTag, textOf } from "./onvif-sim-soap.js";

const PASSWORD_DIGEST = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest";

export type UsernameTokenCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly why: "no-token" | "wrong-user" | "not-digest" | "bad-digest" | "stale" | "replayed" };

/** Base64(SHA-1(nonce bytes + created + password)), the spec's formula. */
export function passwordDigest(nonce: Buffer, created: string, password: string): string {
  return createHash("sha1")
    .update(Buffer.concat([nonce, Buffer.from(created, "utf8"), Buffer.from(password, "utf8")]))
    .digest("base64");
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Verifies UsernameTokens; remembers nonces inside the tolerance window so a captured header cannot be replayed. */
export class UsernameTokenVerifier {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly username: string,
    private readonly password: string,
    private readonly toleranceMs: number,
  ) {}

  /** `cameraNow` is the simulated camera's clock (skew included). */
  check(header: string, cameraNow: number): UsernameTokenCheck {
    if (!/<(?:[\w.-]+:)?UsernameToken[\s>]/.test(header)) return { ok: false, why: "no-token" };
    const user = textOf(header, "Username") ?? "";
    const digest = textOf(header, "Password") ?? "";
    const type = /Type\s*=\s*"([^"]*)"/.exec(startTag(header, "Password") ?? "")?.[1];
    const nonce = textOf(header, "Nonce") ?? "";
    const created = textOf(header, "Created") ?? "";
    if (!sameText(user, this.username)) return { ok: false, why: "wrong-user" };
    if (type !== PASSWORD_DIGEST) return { ok: false, why: "not-digest" };
    const createdAt = Date.parse(created);
    if (!Number.isFinite(createdAt) || Math.abs(createdAt - cameraNow) > this.toleranceMs) return { ok: false, why: "stale" };
    if (!sameText(digest, passwordDigest(Buffer.from(nonce, "base64"), created, this.password))) return { ok: false, why: "bad-digest" };
    for (const [n, at] of this.seen) if (Math.abs(cameraNow - at) > 2 * this.toleranceMs) this.seen.delete(n);
    if (this.seen.has(nonce)) return { ok: false, why: "replayed" };
    this.seen.set(nonce, createdAt);
    return { ok: true };
  }
}

function md5(s: string): string {
  return createHash("md5").update(s, "utf8").digest("hex");
}

/** Server side of HTTP Digest (MD5, qop=auth), with nonces it issued itself. */
export class DigestVerifier {
  private readonly nonces = new Set<string>();

  constructor(
    private readonly username: string,
    private readonly password: string,
    readonly realm: string,
  ) {}

  /** A fresh WWW-Authenticate value. */
  challenge(): string {
    const nonce = randomBytes(16).toString("hex");
    this.nonces.add(nonce);
    if (this.nonces.size > 1000) this.nonces.delete(this.nonces.values().next().value!);
    return `Digest realm="${this.realm}", qop="auth", nonce="${nonce}", stale="FALSE"`;
  }

  /** True when `authorization` answers one of our nonces with the right password for this method and URI. */
  check(authorization: string | undefined, method: string, requestUri: string): boolean {
    if (!authorization || !/^Digest\s/i.test(authorization)) return false;
    const p = new Map<string, string>();
    for (const m of authorization.slice(7).matchAll(/([\w-]+)\s*=\s*(?:"([^"]*)"|([^,\s]*))/g)) {
      p.set(m[1]!.toLowerCase(), m[2] ?? m[3] ?? "");
    }
    const nonce = p.get("nonce") ?? "";
    const uri = p.get("uri") ?? "";
    if (!this.nonces.has(nonce) || p.get("realm") !== this.realm || uri !== requestUri) return false;
    if (!sameText(p.get("username") ?? "", this.username)) return false;
    const alg = (p.get("algorithm") ?? "MD5").toUpperCase();
    if (alg !== "MD5") return false;
    const ha1 = md5(`${this.username}:${this.realm}:${this.password}`);
    const ha2 = md5(`${method}:${uri}`);
    const qop = p.get("qop");
    const expected =
      qop === "auth"
        ? md5(`${ha1}:${nonce}:${p.get("nc") ?? ""}:${p.get("cnonce") ?? ""}:auth:${ha2}`)
        : md5(`${ha1}:${nonce}:${ha2}`);
    return sameText(p.get("response") ?? "", expected);
  }
}
