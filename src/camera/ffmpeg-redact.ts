// Camera passwords travel inside RTSP URLs (ffmpeg needs them there); they must never reach a log line or an error.

const USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi;

/** Replaces the `user:pass@` part of every URL in `text` with `***@`. */
export function redactUrl(text: string): string {
  return text.replace(USERINFO, "$1***@");
}

/** Redacts URLs and, in addition, every literal secret (for tools that echo a password outside a URL). */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = redactUrl(text);
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    out = out.split(secret).join("***");
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) out = out.split(encoded).join("***");
  }
  return out;
}

/** The user and password inside a URL, decoded, so that `redactSecrets` also catches them elsewhere. */
export function urlSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    // Both spellings: as written in the URL (percent-encoded) and as the camera knows it.
    return [...new Set([u.password, decodeURIComponent(u.password)])].filter((s) => s.length > 0);
  } catch {
    return [];
  }
}
