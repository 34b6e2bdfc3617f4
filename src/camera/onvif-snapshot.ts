// GET the JPEG behind a GetSnapshotUri answer: unauthenticated first, then Digest or Basic as the camera's
// 401 asks. The URI is never put in an error (some cameras embed credentials in it).

import { request, type Agent, type IncomingMessage } from "node:http";
import { DeviceRejectedError, DeviceUnreachableError } from "../core/errors.js";
import { basicAuthorization, digestAuthorization, parseDigestChallenge } from "./onvif-http-auth.js";

export interface SnapshotRequest {
  readonly uri: string;
  readonly username: string;
  readonly password: string;
  readonly timeoutMs: number;
  readonly agent?: Agent;
  /** For error messages: "camera Front door". */
  readonly label: string;
  /** Larger answers are refused (a snapshot is tens of kB to a few MB). */
  readonly maxBytes?: number;
}

interface RawResponse {
  readonly status: number;
  readonly headers: IncomingMessage["headers"];
  readonly challenges: string[];
  readonly body: Buffer;
}

function get(url: URL, authorization: string | undefined, req: SnapshotRequest): Promise<RawResponse> {
  const maxBytes = req.maxBytes ?? 10 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const r = request(
      {
        hostname: url.hostname,
        port: url.port || 80,
        path: `${url.pathname}${url.search}`,
        method: "GET",
        agent: req.agent,
        headers: authorization ? { Authorization: authorization } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) {
            res.destroy();
            reject(new DeviceRejectedError(`${req.label}: snapshot larger than ${maxBytes} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on("error", reject);
        res.on("end", () => {
          const challenges: string[] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            if (res.rawHeaders[i]!.toLowerCase() === "www-authenticate") challenges.push(res.rawHeaders[i + 1]!);
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, challenges, body: Buffer.concat(chunks) });
        });
      },
    );
    // A timeout reads like the socket error it stands for (ETIMEDOUT).
    r.setTimeout(req.timeoutMs, () => r.destroy(new DeviceUnreachableError(`${req.label}: snapshot request failed (ETIMEDOUT)`)));
    r.on("error", (e: NodeJS.ErrnoException) =>
      reject(e instanceof DeviceUnreachableError ? e : new DeviceUnreachableError(`${req.label}: snapshot request failed (${e.code ?? e.message})`, { cause: e })),
    );
    r.end();
  });
}

/** Fetches and checks one JPEG (the SOI marker FF D8). */
export async function fetchSnapshot(req: SnapshotRequest): Promise<Buffer> {
  const url = new URL(req.uri);
  if (url.protocol !== "http:") throw new DeviceRejectedError(`${req.label}: snapshot URI is not http (${url.protocol})`);
  // Credentials in the URI itself win over the configured ones (the camera put them there).
  const username = url.username ? decodeURIComponent(url.username) : req.username;
  const password = url.password ? decodeURIComponent(url.password) : req.password;
  let res = await get(url, undefined, req);
  if (res.status === 401) {
    const digest = parseDigestChallenge(res.challenges);
    const path = `${url.pathname}${url.search}`;
    if (digest) {
      res = await get(url, digestAuthorization(digest, { method: "GET", uri: path, username, password }), req);
    } else if (res.challenges.some((c) => /^\s*Basic\b/i.test(c))) {
      res = await get(url, basicAuthorization(username, password), req);
    }
    if (res.status === 401) throw new DeviceRejectedError(`${req.label}: snapshot refused: wrong username or password`, 401);
  }
  if (res.status !== 200) throw new DeviceRejectedError(`${req.label}: snapshot answered HTTP ${res.status}`, res.status);
  if (res.body.length < 4 || res.body[0] !== 0xff || res.body[1] !== 0xd8) {
    throw new DeviceRejectedError(`${req.label}: snapshot is not a JPEG (${res.headers["content-type"] ?? "no content type"})`);
  }
  return res.body;
}
