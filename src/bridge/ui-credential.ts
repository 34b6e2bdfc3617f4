// The credential the Homebridge UI's server (homebridge-ui/server.js) uses to reach this running bridge's API: an owner
// token of its own, written to <storage>/ui-credential.json (mode 0600) and replaced at every start, so a copy taken
// from an old run is worthless. The UI server runs as the same user on the same machine; the browser never sees it.
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TokenId, TokenStore } from "../store/token-store.js";

export const UI_CREDENTIAL_FILE = "ui-credential.json";

/** The file's content. */
export interface UiCredential {
  /** The API's base URL on loopback. */
  url: string;
  token: string;
  tokenId: string;
  /** The bridge process that issued it (the UI server says "not running" when it is gone). */
  pid: number;
}

/** Revokes the previous UI token (if its file names one), issues a new owner token and writes the file. */
export function rotateUiCredential(tokens: TokenStore, storageDir: string, apiUrl: string): UiCredential {
  revokeUiCredential(tokens, storageDir);
  const issued = tokens.create({ kind: "owner" });
  const credential: UiCredential = { url: loopbackUrl(apiUrl), token: issued.token, tokenId: issued.id, pid: process.pid };
  const file = join(storageDir, UI_CREDENTIAL_FILE);
  const partial = `${file}.${process.pid}.tmp`;
  // Written whole under another name, then renamed: a reader sees the old file or the new one, never half of one.
  writeFileSync(partial, `${JSON.stringify(credential)}\n`, { mode: 0o600 });
  renameSync(partial, file);
  return credential;
}

/** Revokes the token the file names and removes the file; a missing or unreadable file is nothing to revoke. */
export function revokeUiCredential(tokens: TokenStore, storageDir: string): void {
  const file = join(storageDir, UI_CREDENTIAL_FILE);
  let tokenId: string | undefined;
  try {
    tokenId = (JSON.parse(readFileSync(file, "utf8")) as Partial<UiCredential>).tokenId;
  } catch {
    return;
  }
  if (typeof tokenId === "string") {
    try {
      tokens.revoke(tokenId as TokenId);
    } catch {
      // Not in this store (a store reset since): nothing to revoke.
    }
  }
  rmSync(file, { force: true });
}

/** The API bound to every interface is reached on loopback. */
function loopbackUrl(apiUrl: string): string {
  const url = new URL(apiUrl);
  if (url.hostname === "0.0.0.0") url.hostname = "127.0.0.1";
  else if (url.hostname === "[::]") url.hostname = "[::1]";
  return url.origin;
}
