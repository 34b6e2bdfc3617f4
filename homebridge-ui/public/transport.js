// How the console reaches the bridge, in either home:
//  - standalone (the bridge serves this page): fetch() with the session cookie and the CSRF header, live events from
//    EventSource("/v1/events");
//  - inside the Homebridge UI (window.homebridge exists): homebridge.request("/api", {method, path, body}) through the
//    plugin's UI server, which holds the credential; live events arrive as the UI's "doorstep" push events.

/** Server-sent event names the bridge emits (GET /v1/events). */
export const EVENT_NAMES = ["visitStarted", "visitEnded", "lockState", "switches", "alert", "refused", "credential", "pairing"];

export function createTransport(global = globalThis) {
  return global.homebridge ? homebridgeTransport(global.homebridge) : standaloneTransport(global);
}

function standaloneTransport(global) {
  let csrf = "";
  async function call(method, path, body) {
    const headers = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (method !== "GET" && method !== "HEAD") headers["x-doorstep-csrf"] = csrf;
    const response = await global.fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let parsed = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = { message: text };
    }
    return { status: response.status, body: parsed };
  }
  return {
    mode: "standalone",
    request: call,
    /** The session's CSRF token, or false when not logged in. */
    async session() {
      const r = await call("GET", "/console/session");
      if (r.status !== 200) return false;
      csrf = r.body.csrf;
      return true;
    },
    async login(credential) {
      const r = await call("POST", "/console/login", credential);
      if (r.status === 200) csrf = r.body.csrf;
      return r;
    },
    async logout() {
      await call("POST", "/console/logout");
      csrf = "";
    },
    subscribe(onEvent) {
      const source = new global.EventSource("/v1/events");
      for (const name of EVENT_NAMES) {
        source.addEventListener(name, (e) => {
          let data = null;
          try {
            data = JSON.parse(e.data);
          } catch {
            return;
          }
          onEvent({ type: name, data });
        });
      }
      source.addEventListener("open", () => onEvent({ type: "connection", data: { open: true } }));
      source.addEventListener("error", () => onEvent({ type: "connection", data: { open: source.readyState === 1 } }));
      return () => source.close();
    },
    async clipUrl(visitId, part = 0) {
      return `/v1/visits/${encodeURIComponent(visitId)}/clip${part ? `?part=${part}` : ""}`;
    },
    async snapshotUrl(doorId) {
      return `/v1/doors/${encodeURIComponent(doorId)}/snapshot?at=${Date.now()}`;
    },
  };
}

function homebridgeTransport(hb) {
  return {
    mode: "homebridge",
    async request(method, path, body) {
      try {
        const r = await hb.request("/api", { method, path, ...(body !== undefined ? { body } : {}) });
        return { status: r?.status ?? 502, body: r?.body ?? null };
      } catch (error) {
        return { status: 502, body: { code: "ui-server", message: messageOf(error) } };
      }
    },
    async session() {
      return true;
    },
    async login() {
      return { status: 200, body: {} };
    },
    async logout() {},
    subscribe(onEvent) {
      const listener = (e) => {
        const event = e?.data;
        if (event && typeof event === "object") onEvent({ type: event.type ?? event.event, data: event.data });
      };
      hb.addEventListener("doorstep", listener);
      onEvent({ type: "connection", data: { open: true } });
      return () => hb.removeEventListener("doorstep", listener);
    },
    async clipUrl(visitId, part = 0) {
      const r = await hb.request("/clip", { visitId, part });
      return typeof r === "string" ? r : r?.url;
    },
    async snapshotUrl(doorId) {
      try {
        const r = await hb.request("/snapshot", { doorId });
        return typeof r === "string" ? r : r?.url;
      } catch {
        return undefined;
      }
    },
  };
}

function messageOf(error) {
  return typeof error?.message === "string" ? error.message : "The Homebridge UI server did not answer.";
}
