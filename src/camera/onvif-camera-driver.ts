// CameraDriver over `onvif` (agsh) 0.8.3. One "session" is one library Cam with its own HTTP agent: a
// reconnect throws the session away (the library computes the clock offset only once per Cam, agsh #249)
// and destroying the agent aborts whatever the old session still had in flight.

import { EventEmitter } from "node:events";
import { Agent } from "node:http";
import { systemClock, type Clock } from "../access/clock.js";
import { DeviceRejectedError, DeviceUnreachableError, formatError } from "../core/errors.js";
import { prefixed, silentLogger, type Logger } from "../core/logger.js";
import {
  withCredentials,
  type CameraAuthMode,
  type CameraDriver,
  type CameraDriverEvents,
  type CameraHealth,
  type CameraInfo,
  type CameraProfile,
} from "./camera-driver.js";
import { OnvifEventPuller } from "./onvif-event-puller.js";
import { classifyOnvifError, describeNetworkError } from "./onvif-faults.js";
import { onvif, type OnvifCam } from "./onvif-module.js";
import { parseDeviceInformation, parseMediaUri, parseProfiles } from "./onvif-parse.js";
import { selectProfile } from "./onvif-profile-select.js";
import { fetchSnapshot } from "./onvif-snapshot.js";

export interface OnvifCameraDriverOptions {
  /** Used in every log line and health message. */
  readonly name: string;
  readonly host: string;
  /** HTTP port of the device service (`camera.port`, default in the config catalogue). */
  readonly port: number;
  /** Device service path; default /onvif/device_service. */
  readonly path?: string;
  readonly username: string;
  readonly password: string;
  /** Profile token or name; default the best H.264 profile. */
  readonly profile?: string;
  /** Subscribe to motion events (PullPoint); default true. */
  readonly events?: boolean;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Per SOAP request; default 10 s. A socket deadline inside the library and the snapshot request, so real time, not the clock. */
  readonly requestTimeoutMs?: number;
  /** Reconnect backoff for an unreachable camera: first wait and cap; default 2 s doubling to 60 s. */
  readonly reconnectInitialMs?: number;
  readonly reconnectMaxMs?: number;
  /** No answer from the event service for this long recreates the subscription; default 90 s (pulls wait up to 60 s). */
  readonly eventWatchdogMs?: number;
  /** After a failed event subscription; default 5 s. */
  readonly eventRetryMs?: number;
}

interface Session {
  readonly cam: OnvifCam;
  readonly agent: Agent;
  readonly auth: CameraAuthMode;
  readonly profile: CameraProfile;
  puller?: OnvifEventPuller;
}

type Attempt =
  | { readonly ok: true; readonly session: Session; readonly info: CameraInfo; readonly profiles: CameraProfile[]; readonly why: string }
  | { readonly ok: false; readonly health: CameraHealth };

class SessionError extends Error {
  constructor(
    readonly kind: "not-authorized" | "unreachable" | "rejected",
    override readonly cause: unknown,
    readonly step: string,
  ) {
    super(step);
  }
}

function callback<T>(run: (cb: (error: Error | null, result: T, xml?: string) => void) => void): Promise<{ result: T; xml?: string }> {
  return new Promise((resolve, reject) => {
    try {
      run((error, result, xml) => (error ? reject(error) : resolve(xml === undefined ? { result } : { result, xml })));
    } catch (e) {
      reject(e);
    }
  });
}

/** An ONVIF (Profile S/T) camera: WS-UsernameToken with the camera's clock, HTTP Digest fallback, PullPoint motion. */
export class OnvifCameraDriver extends EventEmitter<CameraDriverEvents> implements CameraDriver {
  readonly name: string;
  private current: CameraHealth;
  private session: Session | undefined;
  private lastInfo: CameraInfo | undefined;
  private lastProfiles: CameraProfile[] = [];
  private preferredAuth: CameraAuthMode = "ws-username-token";
  /** The pending reconnect wait on the clock; a reconnect or stop() cancels it. */
  private retryWait: AbortController | undefined;
  private failures = 0;
  private connecting: Promise<CameraHealth> | undefined;
  private started = false;
  /** Agents of logins in progress, so stop() can abort them instead of waiting for their timeouts. */
  private readonly loginAgents = new Set<Agent>();
  private stopped = false;
  private readonly log: Logger;
  private readonly clock: Clock;

  constructor(private readonly o: OnvifCameraDriverOptions) {
    super();
    this.name = o.name;
    this.log = o.logger ?? silentLogger;
    this.clock = o.clock ?? systemClock;
    this.current = { state: "connecting", message: `connecting to camera ${o.name}` };
  }

  get health(): CameraHealth {
    return this.current;
  }
  get info(): CameraInfo | undefined {
    return this.lastInfo;
  }
  get profile(): CameraProfile | undefined {
    return this.session?.profile;
  }
  get profiles(): readonly CameraProfile[] {
    return this.lastProfiles;
  }

  private get where(): string {
    return `${this.o.host}:${this.o.port}`;
  }

  async connect(): Promise<CameraHealth> {
    if (this.stopped) return this.current;
    // After "unauthorized" (never retried on its own) a new connect() is the owner's explicit retry.
    if (this.started) return this.connecting ?? (this.current.state === "unauthorized" ? this.reconnect() : this.current);
    this.started = true;
    this.setHealth({ state: "connecting", message: `connecting to camera ${this.name} at ${this.where}` });
    return this.reconnect();
  }

  waitReady(timeoutMs: number): Promise<void> {
    if (this.current.state === "ready") return Promise.resolve();
    // Wrong credentials do not fix themselves: say so now rather than at the deadline.
    if (this.current.state === "unauthorized") return Promise.reject(new DeviceRejectedError(this.current.message));
    return new Promise((resolve, reject) => {
      const onHealth = (h: CameraHealth) => {
        if (h.state === "ready") done(undefined);
        else if (h.state === "unauthorized") done(new DeviceRejectedError(h.message));
        else if (h.state === "stopped") done(new DeviceUnreachableError(h.message));
      };
      const late = () => new DeviceUnreachableError(`camera ${this.name} not ready after ${timeoutMs} ms: ${this.current.message}`);
      // Real time, not the clock: the caller's bound on a real camera coming up (startup must not hang on a test clock either).
      const t = setTimeout(() => done(late()), timeoutMs);
      const done = (error: Error | undefined) => {
        clearTimeout(t);
        this.off("health", onHealth);
        if (error) reject(error);
        else resolve();
      };
      this.on("health", onHealth);
    });
  }

  async streamUri(): Promise<string> {
    const { result } = await this.call("GetStreamUri", (s) =>
      callback<unknown>((cb) => s.cam.getStreamUri({ protocol: "RTSP", stream: "RTP-Unicast", profileToken: s.profile.token }, cb)),
    );
    const uri = parseMediaUri(result, "GetStreamUri");
    if (!/^rtsps?:\/\//i.test(uri)) throw new DeviceRejectedError(`camera ${this.name}: GetStreamUri gave a non-RTSP URI`);
    return withCredentials(uri, this.o.username, this.o.password);
  }

  async snapshot(): Promise<Buffer> {
    const { result } = await this.call("GetSnapshotUri", (s) =>
      callback<unknown>((cb) => s.cam.getSnapshotUri({ profileToken: s.profile.token }, cb)),
    );
    const uri = parseMediaUri(result, "GetSnapshotUri");
    const session = this.session;
    return fetchSnapshot({
      uri,
      username: this.o.username,
      password: this.o.password,
      timeoutMs: this.o.requestTimeoutMs ?? 10_000,
      label: `camera ${this.name}`,
      ...(session ? { agent: session.agent } : {}),
    });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.retryWait?.abort();
    this.retryWait = undefined;
    for (const a of this.loginAgents) a.destroy();
    await this.connecting?.catch(() => undefined);
    await this.closeSession();
    this.setHealth({ state: "stopped", message: `camera ${this.name} stopped` });
    this.removeAllListeners();
  }

  // ---- sessions -------------------------------------------------------------------------------------------

  /** Runs one request on the ready session; a NotAuthorized answer reconnects (fresh clock offset) and retries once. */
  private async call<T>(step: string, run: (s: Session) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const s = this.session;
      if (!s || this.current.state !== "ready") {
        throw new DeviceUnreachableError(`camera ${this.name} is not ready: ${this.current.message}`);
      }
      try {
        return await run(s);
      } catch (error) {
        const kind = classifyOnvifError(error);
        if (kind === "rejected") {
          throw new DeviceRejectedError(`camera ${this.name}: ${step} failed: ${formatError(error)}`);
        }
        if (s !== this.session) continue; // someone else already replaced the session
        const what = kind === "unreachable" ? `failed (${describeNetworkError(error)})` : "was refused (not authorized)";
        this.log.warn(`camera ${this.name}: ${step} ${what}; reconnecting`);
        const health = await this.reconnect();
        if (health.state !== "ready" || attempt > 0) {
          throw health.state === "unauthorized"
            ? new DeviceRejectedError(health.message)
            : new DeviceUnreachableError(health.message);
        }
      }
    }
  }

  /** Replaces the session; concurrent callers share one attempt. */
  /** A reconnect nobody waits for: a failure is logged, never left unhandled. */
  private reconnectLogged(): void {
    this.reconnect().catch((error: unknown) => this.log.error(`camera ${this.name}: reconnect failed: ${formatError(error)}`));
  }

  private reconnect(): Promise<CameraHealth> {
    if (this.connecting) return this.connecting;
    this.retryWait?.abort();
    this.retryWait = undefined;
    const run = (async () => {
      await this.closeSession();
      if (this.stopped) return this.current;
      const attempt = await this.attempt();
      if (this.stopped) {
        if (attempt.ok) await this.disposeSession(attempt.session);
        return this.current;
      }
      if (attempt.ok) {
        this.session = attempt.session;
        this.lastInfo = attempt.info;
        this.lastProfiles = attempt.profiles;
        this.preferredAuth = attempt.session.auth;
        this.failures = 0;
        const p = attempt.session.profile;
        const i = attempt.info;
        this.setHealth({
          state: "ready",
          auth: attempt.session.auth,
          message:
            `camera ${this.name} ready: ${i.manufacturer} ${i.model} (firmware ${i.firmware}), ` +
            `profile ${p.token} ${p.encoding} ${p.width}x${p.height} (${attempt.why})`,
        });
        if (this.o.events !== false) this.startEvents(attempt.session);
      } else {
        this.setHealth(attempt.health);
        if (attempt.health.state === "unreachable" || attempt.health.state === "unusable") {
          const wait = new AbortController();
          this.retryWait = wait;
          this.clock.delay(attempt.health.retryInMs, { signal: wait.signal }).then(
            () => {
              if (this.retryWait === wait) this.retryWait = undefined;
              this.reconnectLogged();
            },
            () => undefined, // cancelled by a reconnect or stop()
          );
        }
      }
      return this.current;
    })().finally(() => {
      this.connecting = undefined;
    });
    this.connecting = run;
    return run;
  }

  private nextRetryMs(): number {
    const initial = this.o.reconnectInitialMs ?? 2000;
    const max = this.o.reconnectMaxMs ?? 60_000;
    const ms = Math.min(max, initial * 2 ** Math.min(this.failures, 20));
    this.failures++;
    return ms;
  }

  /**
   * WS-UsernameToken first (then again with a freshly measured clock offset), HTTP Digest last; the mode that
   * worked last time goes first.
   */
  private async attempt(): Promise<Attempt> {
    const order: CameraAuthMode[] =
      this.preferredAuth === "http-digest"
        ? ["http-digest", "ws-username-token", "ws-username-token"]
        : ["ws-username-token", "ws-username-token", "http-digest"];
    let lastError: SessionError | undefined;
    for (const auth of order) {
      if (this.stopped) break;
      try {
        return await this.open(auth);
      } catch (e) {
        const error = e instanceof SessionError ? e : new SessionError(classifyOnvifError(e), e, "connect");
        lastError = error;
        if (error.kind !== "not-authorized") break;
        this.log.debug(`camera ${this.name}: ${auth} login refused at ${error.step}; trying again`);
      }
    }
    const e = lastError ?? new SessionError("unreachable", new DeviceUnreachableError("stopped"), "connect");
    if (e.kind === "not-authorized") {
      return {
        ok: false,
        health: {
          state: "unauthorized",
          message: `wrong username or password for camera ${this.name} (user "${this.o.username}"), or the camera refused its own clock; fix the camera credentials in the config`,
        },
      };
    }
    const retryInMs = this.nextRetryMs();
    if (e.kind === "unreachable") {
      return {
        ok: false,
        health: {
          state: "unreachable",
          retryInMs,
          message: `camera ${this.name} unreachable at ${this.where} (${describeNetworkError(e.cause)}); retrying in ${Math.round(retryInMs / 1000)} s`,
        },
      };
    }
    return {
      ok: false,
      health: {
        state: "unusable",
        retryInMs,
        message: `camera ${this.name} answered but cannot be used: ${e.step}: ${formatError(e.cause)}; retrying in ${Math.round(retryInMs / 1000)} s`,
      },
    };
  }

  private async open(auth: CameraAuthMode): Promise<Attempt & { ok: true }> {
    const agent = new Agent({ keepAlive: false });
    this.loginAgents.add(agent);
    const cam = new onvif.Cam({
      hostname: this.o.host,
      port: this.o.port,
      path: this.o.path ?? "/onvif/device_service",
      username: this.o.username,
      password: this.o.password,
      useWSSecurity: auth === "ws-username-token",
      timeout: this.o.requestTimeoutMs ?? 10_000,
      agent,
      autoconnect: false,
      preserveAddress: true,
    });
    // The library reports media it could not read as a warning and connects anyway; GetDeviceInformation
    // below is what tells a wrong password apart.
    cam.on("warning", (m) => this.log.debug(`camera ${this.name}: onvif: ${m}`));
    const step = async <T>(name: string, p: Promise<T>): Promise<T> => {
      try {
        return await p;
      } catch (e) {
        throw new SessionError(classifyOnvifError(e), e, name);
      }
    };
    try {
      await step("connect", callback<unknown>((cb) => cam.connect((error) => cb(error, undefined))));
      const { xml } = await step("GetDeviceInformation", callback<unknown>((cb) => cam.getDeviceInformation(cb)));
      const info = parseDeviceInformation(xml);
      const profiles = parseProfiles(cam.profiles);
      const choice = selectProfile(profiles, this.o.profile);
      if (!choice.ok) throw new SessionError("rejected", new DeviceRejectedError(choice.reason), "GetProfiles");
      this.noteClock(cam);
      if (auth === "http-digest") this.log.info(`camera ${this.name} refuses WS-UsernameToken; using HTTP Digest`);
      return { ok: true, session: { cam, agent, auth, profile: choice.profile }, info, profiles, why: choice.why };
    } catch (e) {
      cam.removeAllListeners();
      agent.destroy();
      throw e;
    } finally {
      this.loginAgents.delete(agent);
    }
  }

  private noteClock(cam: OnvifCam): void {
    if (cam.timeShift === undefined) return;
    const offset = cam.timeShift + process.uptime() * 1000 - this.clock.now();
    if (Math.abs(offset) > 5000) {
      this.log.info(`camera ${this.name}'s clock is off by ${Math.round(offset / 1000)} s; signing requests with its time`);
    }
  }

  private startEvents(session: Session): void {
    const puller = new OnvifEventPuller({
      cam: session.cam,
      logger: prefixed(this.log, `camera ${this.name}`),
      clock: this.clock,
      watchdogMs: this.o.eventWatchdogMs ?? 90_000,
      retryMs: this.o.eventRetryMs ?? 5000,
      stopTimeoutMs: Math.min(this.o.requestTimeoutMs ?? 10_000, 2000),
      onMotion: (m) => this.emit("motion", m),
      onResubscribe: (r) => this.emit("resubscribed", r),
      onSessionFailure: () => {
        if (this.session === session && !this.stopped) this.reconnectLogged();
      },
    });
    session.puller = puller;
    puller.start();
  }

  private async closeSession(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    if (s) await this.disposeSession(s);
  }

  private async disposeSession(s: Session): Promise<void> {
    await s.puller?.stop();
    s.cam.removeAllListeners();
    s.agent.destroy();
  }

  private setHealth(next: CameraHealth): void {
    const prev = this.current;
    this.current = next;
    if (prev.state !== next.state) {
      const line = next.message;
      if (next.state === "unauthorized") this.log.error(line);
      else if (next.state === "unreachable" || next.state === "unusable") this.log.warn(line);
      else this.log.info(line);
    } else if (prev.message !== next.message) {
      this.log.debug(next.message);
    }
    this.emit("health", next);
  }
}
