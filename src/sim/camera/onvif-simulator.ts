// A simulated ONVIF camera (Profile S device, media and event services) on loopback, for tests, `doorstep sim`
// and `serve --demo`. It insists on what real cameras insist on (a WS-UsernameToken signed with a time close
// to its own clock) and has switches for the faults real cameras show: a skewed clock, a digest-only login,
// an event subscription that stops answering.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Clock } from "../../access/clock.js";
import { DigestVerifier, UsernameTokenVerifier } from "./onvif-sim-auth.js";
import { startDiscoveryResponder, type DiscoveryResponder } from "./onvif-sim-discovery.js";
import { SimEventService, notificationXml } from "./onvif-sim-events.js";
import { SIM_SNAPSHOT_JPEG } from "./onvif-sim-jpeg.js";
import * as R from "./onvif-sim-responses.js";
import { envelope, fault, notAuthorized, parseDuration, parseSoapRequest, textOf, type SoapFault, type SoapRequest } from "./onvif-sim-soap.js";

export interface OnvifSimulatorOptions {
  readonly username: string;
  readonly password: string;
  /** What GetStreamUri answers (no credentials in it, as real cameras answer). */
  readonly rtspUrl: string;
  /** Default 0 (ephemeral). The simulator only ever listens on 127.0.0.1. */
  readonly port?: number;
  /** The camera's clock minus the real clock. */
  readonly clockSkewMs?: number;
  /** Friendly name (scopes, discovery, device information). */
  readonly name?: string;
  /** SOAP authentication: WS-UsernameToken (default), or HTTP Digest only, refusing UsernameToken headers. */
  readonly auth?: "ws-username-token" | "http-digest";
  /** How the snapshot URI is protected; default digest (as Hikvision). */
  readonly snapshotAuth?: "digest" | "basic" | "none";
  /** Accepted distance between a token's Created and the camera clock; default 5 s. */
  readonly timestampToleranceMs?: number;
  /** Cap on a PullMessages wait; default 60 s. */
  readonly maxPullWaitMs?: number;
  /** Cap on a subscription's lifetime (Create and Renew); default 10 min. */
  readonly maxSubscriptionMs?: number;
  /**
   * Times the event service (lifetimes, expiry, CurrentTime in event replies); default the camera's clock. A TestClock
   * shared with the driver makes renewal a matter of clock steps. Logins keep the real clock: the library signs with it.
   */
  readonly eventClock?: Pick<Clock, "now">;
  readonly profiles?: readonly R.SimProfile[];
  /** How event replies are worded (default "standard"); "axis" leaves CurrentTime out as Axis cameras do. */
  readonly eventReplies?: R.SimEventReplies;
  readonly device?: Partial<R.SimDeviceInfo>;
  /** Answer WS-Discovery Probes (multicast 239.255.255.250:3702) — only inside a private network namespace. */
  readonly discovery?: { readonly interfaceAddress?: string };
}

export interface OnvifSimulatorStats {
  /** Requests per SOAP operation, authenticated or not. */
  readonly operations: Readonly<Record<string, number>>;
  /** Requests refused for authentication (fault or 401 without a following success). */
  readonly authFailures: number;
  readonly snapshots: number;
  readonly lastStreamProfile: string | undefined;
  readonly liveSubscriptions: number;
  /** PullMessages requests waiting for an answer right now. */
  readonly pendingPulls: number;
}

export interface OnvifSimulator {
  /** Device service XAddr, e.g. http://127.0.0.1:PORT/onvif/device_service. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Queues a motion edge (default: motion started) on every live subscription. */
  injectMotion(active?: boolean): void;
  setClockSkew(ms: number): void;
  /** true: PullMessages is never answered (the subscription went quiet); CreatePullPointSubscription still works. */
  setEventsSilent(silent: boolean): void;
  setEventReplies(replies: R.SimEventReplies): void;
  setStreamUri(url: string): void;
  /** Closes the connections of pending PullMessages without an answer, as a Tapo does after 10 s (agsh #314). */
  dropEventConnections(): void;
  stats(): OnvifSimulatorStats;
  stop(): Promise<void>;
}

/** Operations ONVIF Core §5.9.4 puts in the PRE_AUTH access class: answered without credentials. */
const PRE_AUTH = new Set(["GetSystemDateAndTime", "GetServices", "GetCapabilities", "GetServiceCapabilities", "GetWsdlUrl", "GetHostname", "GetEndpointReference"]);
const SNAPSHOT_PATH = "/onvif-http/snapshot";
const PULL_PATH = /^\/onvif\/Events\/PullSubManager_(\d+)$/;
const ACTION = {
  create: "http://www.onvif.org/ver10/events/wsdl/EventPortType/CreatePullPointSubscriptionResponse",
  pull: "http://www.onvif.org/ver10/events/wsdl/PullPointSubscription/PullMessagesResponse",
  renew: "http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/RenewResponse",
  unsubscribe: "http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/UnsubscribeResponse",
};

type Answer = { readonly status: number; readonly xml: string; readonly headers?: Record<string, string> } | "hold";

/** Starts the simulated camera on 127.0.0.1. */
export async function startOnvifSimulator(options: OnvifSimulatorOptions): Promise<OnvifSimulator> {
  const host = "127.0.0.1";
  const name = options.name ?? "Doorstep simulated camera";
  let skew = options.clockSkewMs ?? 0;
  let rtspUrl = options.rtspUrl;
  let eventReplies = options.eventReplies ?? "standard";
  const now = () => Date.now() + skew;
  const eventNow = options.eventClock ? () => options.eventClock!.now() : now;
  const profiles = options.profiles ?? R.DEFAULT_PROFILES;
  const device: R.SimDeviceInfo = {
    manufacturer: "Doorstep",
    model: "SIM-CAM-1",
    firmware: "V5.7.3 build 260101",
    serial: "SIMCAM0001234567",
    hardwareId: "88",
    ...options.device,
  };
  const tokens = new UsernameTokenVerifier(options.username, options.password, options.timestampToleranceMs ?? 5000);
  const digest = new DigestVerifier(options.username, options.password, "IP Camera(SIM)");
  const events = new SimEventService({
    now: eventNow,
    maxPullWaitMs: options.maxPullWaitMs ?? 60_000,
    maxLifetimeMs: options.maxSubscriptionMs ?? 600_000,
  });
  const operations: Record<string, number> = {};
  let authFailures = 0;
  let snapshots = 0;
  let lastStreamProfile: string | undefined;
  let base = "";
  const sockets = new Set<Socket>();
  /** Sockets with a PullMessages waiting for its answer. */
  const pulling = new Set<Socket>();

  const ok = (body: string, action?: string): Answer => ({ status: 200, xml: envelope(body, action) });
  const asAnswer = (f: SoapFault): Answer => ({ status: f.status, xml: f.xml });
  const profileFor = (req: SoapRequest) => {
    const token = textOf(req.body, "ProfileToken");
    return profiles.find((p) => p.token === token);
  };
  const noProfile = () => asAnswer(fault("Sender", "ter:InvalidArgVal/ter:NoProfile", "The requested profile token does not exist"));

  function authenticate(req: SoapRequest, http: IncomingMessage): Answer | undefined {
    if (PRE_AUTH.has(req.operation)) return undefined;
    if ((options.auth ?? "ws-username-token") === "ws-username-token") {
      if (tokens.check(req.header, now()).ok) return undefined;
      authFailures++;
      return asAnswer(notAuthorized());
    }
    // Digest-only: a UsernameToken header is refused outright (WS-Security switched off on the camera).
    if (/UsernameToken/.test(req.header)) {
      authFailures++;
      return asAnswer(notAuthorized());
    }
    if (digest.check(http.headers.authorization, "POST", http.url ?? "")) return undefined;
    if (http.headers.authorization) authFailures++;
    return { status: 401, xml: "<html><body>401 Unauthorized</body></html>", headers: { "WWW-Authenticate": digest.challenge() } };
  }

  async function handle(req: SoapRequest, http: IncomingMessage): Promise<Answer> {
    operations[req.operation] = (operations[req.operation] ?? 0) + 1;
    const refused = authenticate(req, http);
    if (refused) return refused;
    const pullId = PULL_PATH.exec(http.url ?? "")?.[1];
    switch (req.operation) {
      case "GetSystemDateAndTime":
        return ok(R.systemDateAndTime(now()));
      case "GetServices":
        return ok(R.services(base));
      case "GetCapabilities":
        return ok(R.capabilities(base));
      case "GetDeviceInformation":
        return ok(R.deviceInformation(device));
      case "GetScopes":
        return ok(R.scopes(name, device.model));
      case "GetVideoSources":
        return ok(R.videoSources());
      case "GetProfiles":
        return ok(R.profiles(profiles));
      case "GetStreamUri": {
        const p = profileFor(req);
        if (!p) return noProfile();
        lastStreamProfile = p.token;
        return ok(R.streamUri(rtspUrl));
      }
      case "GetSnapshotUri": {
        const p = profileFor(req);
        if (!p) return noProfile();
        return ok(R.snapshotUri(`${base}${SNAPSHOT_PATH}?${encodeURIComponent(p.token)}`));
      }
      case "CreatePullPointSubscription": {
        const sub = events.create(parseDuration(textOf(req.body, "InitialTerminationTime")));
        return ok(R.pullPointCreated(`${base}/onvif/Events/PullSubManager_${sub.id}`, eventNow(), sub.terminatesAt, eventReplies), ACTION.create);
      }
      case "PullMessages":
      case "Renew":
      case "Unsubscribe": {
        const sub = pullId === undefined ? undefined : events.get(Number(pullId));
        if (!sub) return asAnswer(fault("Sender", "wsrf-rw:ResourceUnknownFault", "The subscription does not exist or has expired"));
        if (req.operation === "Renew") {
          events.renew(sub, parseDuration(textOf(req.body, "TerminationTime")));
          return ok(R.renewed(eventNow(), sub.terminatesAt, eventReplies), ACTION.renew);
        }
        if (req.operation === "Unsubscribe") {
          events.unsubscribe(sub);
          return ok(R.unsubscribed(), ACTION.unsubscribe);
        }
        const timeout = parseDuration(textOf(req.body, "Timeout")) ?? 0;
        const limit = Math.max(1, Number(textOf(req.body, "MessageLimit") ?? "10") || 10);
        pulling.add(http.socket);
        const result = await events.pull(sub.id, timeout, limit).finally(() => pulling.delete(http.socket));
        if (result.kind === "silent") return "hold";
        if (result.kind === "unknown") return asAnswer(fault("Sender", "wsrf-rw:ResourceUnknownFault", "The subscription does not exist or has expired"));
        return ok(R.pullMessages(eventNow(), result.subscription.terminatesAt, result.messages.map(notificationXml).join(""), eventReplies), ACTION.pull);
      }
      default:
        return asAnswer(fault("Receiver", "ter:ActionNotSupported", `${req.operation} is not supported by this device`));
    }
  }

  function snapshot(http: IncomingMessage, res: ServerResponse): void {
    const mode = options.snapshotAuth ?? "digest";
    let allowed = mode === "none";
    if (mode === "digest") allowed = digest.check(http.headers.authorization, "GET", http.url ?? "");
    if (mode === "basic") {
      const expected = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString("base64")}`;
      allowed = http.headers.authorization === expected;
    }
    if (!allowed) {
      if (http.headers.authorization) authFailures++;
      res.writeHead(401, {
        "WWW-Authenticate": mode === "digest" ? digest.challenge() : `Basic realm="IP Camera(SIM)"`,
        "Content-Type": "text/html",
      });
      res.end("<html><body>401 Unauthorized</body></html>");
      return;
    }
    snapshots++;
    res.writeHead(200, { "Content-Type": "image/jpeg", "Content-Length": SIM_SNAPSHOT_JPEG.length });
    res.end(SIM_SNAPSHOT_JPEG);
  }

  const server = createServer((http, res) => {
    const path = (http.url ?? "").split("?")[0];
    if (http.method === "GET" && path === SNAPSHOT_PATH) return snapshot(http, res);
    if (http.method !== "POST") {
      res.writeHead(405, { Allow: "POST" }).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    http.on("data", (c: Buffer) => {
      size += c.length;
      if (size > 1 << 20) http.destroy();
      else chunks.push(c);
    });
    http.on("end", () => {
      const req = parseSoapRequest(Buffer.concat(chunks).toString("utf8"));
      const answer: Promise<Answer> = req
        ? handle(req, http)
        : Promise.resolve(asAnswer(fault("Sender", "ter:WellFormed", "The request is not a SOAP 1.2 envelope")));
      answer.then((a) => {
        if (a === "hold" || res.destroyed) return;
        res.writeHead(a.status, { "Content-Type": "application/soap+xml; charset=utf-8", ...a.headers });
        res.end(a.xml);
      }).catch(() => res.destroy()); // a handler bug: the client sees a dropped connection
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  base = `http://${host}:${port}`;
  const url = `${base}/onvif/device_service`;

  let discovery: DiscoveryResponder | undefined;
  if (options.discovery) {
    try {
      discovery = await startDiscoveryResponder({
        xaddrs: [url],
        name,
        hardware: device.model,
        ...(options.discovery.interfaceAddress ? { interfaceAddress: options.discovery.interfaceAddress } : {}),
      });
    } catch (e) {
      server.close();
      server.closeAllConnections();
      throw e;
    }
  }

  return {
    url,
    host,
    port,
    injectMotion: (active = true) => events.publishMotion(active),
    setClockSkew: (ms) => {
      skew = ms;
    },
    setEventsSilent: (silent) => events.setSilent(silent),
    setEventReplies: (replies) => {
      eventReplies = replies;
    },
    setStreamUri: (u) => {
      rtspUrl = u;
    },
    dropEventConnections: () => {
      for (const s of pulling) s.destroy();
      pulling.clear();
    },
    stats: () => ({ operations: { ...operations }, authFailures, snapshots, lastStreamProfile, liveSubscriptions: events.size, pendingPulls: pulling.size }),
    stop: async () => {
      events.stop();
      await discovery?.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await closed;
    },
  };
}
