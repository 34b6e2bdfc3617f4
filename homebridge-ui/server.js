// The Homebridge UI's server for Doorstep's settings screen. The UI runs it as a child process only while the screen
// is open. It reaches the running plugin's API on loopback with the owner credential the plugin writes to its storage
// (ui-credential.json, rotated at every start); the browser gets answers, never the token. See README.md beside it.
import { readFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { isAbsolute, join } from "node:path";
import { HomebridgePluginUiServer } from "@homebridge/plugin-ui-utils";

const PLATFORM = "Doorstep";
const CREDENTIAL_FILE = "ui-credential.json";
const METHODS = new Set(["GET", "POST", "PATCH", "DELETE"]);
/** An API path: /v1/ and plain segments (no dot segments, no scheme or host), an optional query. */
const API_PATH = /^\/v1\/(?:[A-Za-z0-9._~%-]+\/)*[A-Za-z0-9._~%-]*(?:\?[A-Za-z0-9._~%&=+-]*)?$/;
const REQUEST_TIMEOUT_MS = 10_000;
/** A clip is sent to the browser as a data URL; beyond this it is refused rather than stalling the UI's socket. */
const MAX_CLIP_BYTES = 64 * 1024 * 1024;
const NOT_RUNNING = "Doorstep is not running: check the Homebridge log (the plugin writes its UI credential when it starts), then reopen this screen.";

class DoorstepUiServer extends HomebridgePluginUiServer {
  constructor() {
    super();
    this.onRequest("/api", (payload) => this.forward(payload));
    this.onRequest("/clip", (payload) => this.clip(payload));
    this.onRequest("/snapshot", (payload) => this.snapshot(payload));
    this.onRequest("/status", () => this.status());
    this.ready();
    this.relay = new EventRelay((event) => this.pushEvent("doorstep", event), () => this.credential());
    this.relay.start();
  }

  /** The plugin's storage dir: the platform block's storagePath, else <Homebridge storage>/doorstep. */
  async storageDir() {
    const base = this.homebridgeStoragePath ?? process.cwd();
    try {
      const config = JSON.parse(await readFile(this.homebridgeConfigPath ?? join(base, "config.json"), "utf8"));
      const block = (config.platforms ?? []).find((p) => p && p.platform === PLATFORM);
      if (block && typeof block.storagePath === "string" && block.storagePath !== "") {
        return isAbsolute(block.storagePath) ? block.storagePath : join(base, block.storagePath);
      }
    } catch {
      // No readable config: the default place.
    }
    return join(base, "doorstep");
  }

  /** The credential of the running plugin, or undefined when none is there (or its process is gone). */
  async credential() {
    try {
      const credential = JSON.parse(await readFile(join(await this.storageDir(), CREDENTIAL_FILE), "utf8"));
      if (typeof credential.url !== "string" || typeof credential.token !== "string") return undefined;
      if (typeof credential.pid === "number" && !alive(credential.pid)) return undefined;
      return credential;
    } catch {
      return undefined;
    }
  }

  /** `{ method, path, body }` → `{ status, body }`; 503 with code "not-running" when the plugin cannot be reached. */
  async forward(payload) {
    const method = String(payload?.method ?? "GET").toUpperCase();
    const path = payload?.path;
    if (!METHODS.has(method)) return problem(400, "bad-request", `method must be one of ${[...METHODS].join(", ")}`);
    // Dot segments, plain or percent-encoded, would leave /v1/ once the URL is resolved.
    if (typeof path !== "string" || !API_PATH.test(path) || /%2e/i.test(path) || path.split("?")[0].split("/").some((s) => s === "." || s === "..")) {
      return problem(400, "bad-request", "path must be an API path like /v1/doors");
    }
    const credential = await this.credential();
    if (!credential) return problem(503, "not-running", NOT_RUNNING);
    try {
      const response = await call(credential, method, path, payload.body);
      return { status: response.status, body: decode(response) };
    } catch (error) {
      return problem(503, "not-running", `${NOT_RUNNING} (${describe(error)})`);
    }
  }

  /** `{ visitId, part? }` → the clip as a `data:video/mp4;base64,…` URL (works wherever the browser is). */
  async clip(payload) {
    const visitId = payload?.visitId;
    const part = payload?.part ?? 0;
    if (typeof visitId !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(visitId)) throw new Error("visitId must be a visit id");
    if (!Number.isInteger(part) || part < 0 || part > 999) throw new Error("part must be a whole number");
    const credential = await this.credential();
    if (!credential) throw new Error(NOT_RUNNING);
    const response = await call(credential, "GET", `/v1/visits/${encodeURIComponent(visitId)}/clip?part=${part}`, undefined, MAX_CLIP_BYTES);
    if (response.status !== 200) throw new Error(decode(response)?.message ?? `The clip is not available (HTTP ${response.status}).`);
    return `data:video/mp4;base64,${response.bytes.toString("base64")}`;
  }

  /** `{ doorId }` → the door camera's current picture as a `data:image/jpeg;base64,…` URL. */
  async snapshot(payload) {
    const doorId = payload?.doorId;
    if (typeof doorId !== "string" || !/^[a-z0-9][a-z0-9-]{0,31}$/.test(doorId)) throw new Error("doorId must be a door id");
    const credential = await this.credential();
    if (!credential) throw new Error(NOT_RUNNING);
    const response = await call(credential, "GET", `/v1/doors/${doorId}/snapshot`);
    if (response.status !== 200) throw new Error(decode(response)?.message ?? `No picture (HTTP ${response.status}).`);
    return decode(response);
  }

  /** Whether the plugin answers, for the screen's first paint. */
  async status() {
    const credential = await this.credential();
    if (!credential) return { running: false, message: NOT_RUNNING };
    try {
      const response = await call(credential, "GET", "/v1/health");
      return { running: response.status === 200, health: decode(response) };
    } catch (error) {
      return { running: false, message: `${NOT_RUNNING} (${describe(error)})` };
    }
  }
}

/**
 * Follows GET /v1/events (server-sent events) and hands each event on as `{ type, data }`. It reconnects after the
 * plugin restarts (re-reading the rotated credential), waiting longer after each failure, up to 10 s.
 */
class EventRelay {
  constructor(push, credential) {
    this.push = push;
    this.credential = credential;
    this.delayMs = 250;
    this.stopped = false;
  }

  start() {
    void this.connect();
  }

  async connect() {
    if (this.stopped) return;
    const credential = await this.credential();
    if (!credential) return this.retry();
    const url = new URL("/v1/events", credential.url);
    const request = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, {
      method: "GET",
      headers: { authorization: `Bearer ${credential.token}`, accept: "text/event-stream" },
      // The certificate names the homeowner's host, not loopback; the request never leaves this machine.
      rejectUnauthorized: false,
    });
    request.on("response", (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        return this.retry();
      }
      this.delayMs = 250;
      response.setEncoding("utf8");
      let buffer = "";
      response.on("data", (chunk) => {
        buffer += chunk.replace(/\r\n/g, "\n");
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          this.dispatch(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      });
      response.on("end", () => this.retry());
      response.on("error", () => this.retry());
    });
    request.on("error", () => this.retry());
    request.end();
  }

  dispatch(block) {
    let type = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) continue; // a comment (keep-alive)
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") type = value;
      else if (field === "data") data.push(value);
    }
    if (data.length === 0) return;
    const text = data.join("\n");
    let parsed = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: handed on as text
    }
    this.push({ type, data: parsed });
  }

  retry() {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.connect();
    }, this.delayMs);
    this.delayMs = Math.min(10_000, this.delayMs * 2);
  }
}

/** One request to the plugin's API; resolves with the status, content type and raw bytes. */
function call(credential, method, path, body, maxBytes = 4 * 1024 * 1024) {
  const url = new URL(path, credential.url);
  const payload = body === undefined || method === "GET" || method === "DELETE" ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const request = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, {
      method,
      headers: {
        authorization: `Bearer ${credential.token}`,
        accept: "application/json, video/mp4, image/jpeg",
        ...(payload ? { "content-type": "application/json", "content-length": String(payload.length) } : {}),
      },
      timeout: REQUEST_TIMEOUT_MS,
      rejectUnauthorized: false,
    });
    request.on("timeout", () => request.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
    request.on("error", reject);
    request.on("response", (response) => {
      const chunks = [];
      let size = 0;
      response.on("data", (chunk) => {
        size += chunk.length;
        if (size > maxBytes) request.destroy(new Error(`the answer is larger than ${Math.round(maxBytes / 1048576)} MiB`));
        else chunks.push(chunk);
      });
      response.on("error", reject);
      response.on("end", () => resolve({ status: response.statusCode ?? 0, type: String(response.headers["content-type"] ?? ""), bytes: Buffer.concat(chunks) }));
    });
    request.end(payload);
  });
}

/** JSON bodies parsed; other media (a snapshot) as a data URL; an empty body as null. */
function decode(response) {
  if (response.bytes.length === 0) return null;
  if (response.type.includes("json")) {
    try {
      return JSON.parse(response.bytes.toString("utf8"));
    } catch {
      return { code: "bad-gateway", message: "The plugin answered with broken JSON." };
    }
  }
  return `data:${response.type.split(";")[0] || "application/octet-stream"};base64,${response.bytes.toString("base64")}`;
}

const problem = (status, code, message) => ({ status, body: { code, message } });

function describe(error) {
  const code = error && typeof error === "object" && "code" in error ? error.code : undefined;
  if (code === "ECONNREFUSED") return "nothing listens on its API port";
  return error instanceof Error ? error.message : String(error);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

(() => new DoorstepUiServer())();
