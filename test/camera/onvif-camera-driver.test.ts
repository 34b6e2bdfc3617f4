// The ONVIF driver with the real `onvif` 0.8.3 library inside, against the simulated camera on loopback.

import { expect } from "chai";
import { createServer, type AddressInfo, type Socket } from "node:net";
import type { CameraHealth, MotionEvent, ResubscribeReason } from "../../src/camera/camera-driver.js";
import { redactUrl } from "../../src/camera/camera-driver.js";
import { TestClock } from "../../src/access/test-clock.js";
import { OnvifCameraDriver, type OnvifCameraDriverOptions } from "../../src/camera/onvif-camera-driver.js";
import { DeviceRejectedError, DeviceUnreachableError } from "../../src/core/errors.js";
import { MemoryLogger } from "../../src/core/logger.js";
import { startOnvifSimulator, type OnvifSimulator, type OnvifSimulatorOptions } from "../../src/sim/camera/onvif-simulator.js";
import { SIM_SNAPSHOT_JPEG } from "../../src/sim/camera/onvif-sim-jpeg.js";
import { eventually } from "../helpers/eventually.js";

const USER = "admin";
const PASSWORD = "S3cret:p@ss/word"; // reserved URL characters on purpose
const RTSP = "rtsp://127.0.0.1:8554/Streaming/Channels/101";

describe("OnvifCameraDriver against the simulated camera", function () {
  this.timeout(20_000);
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  async function sim(o: Partial<OnvifSimulatorOptions> = {}): Promise<OnvifSimulator> {
    const s = await startOnvifSimulator({ username: USER, password: PASSWORD, rtspUrl: RTSP, ...o });
    cleanups.push(() => s.stop());
    return s;
  }

  function driver(s: { host: string; port: number }, o: Partial<OnvifCameraDriverOptions> = {}) {
    const logger = new MemoryLogger();
    const d = new OnvifCameraDriver({
      name: "Front door",
      host: s.host,
      port: s.port,
      username: USER,
      password: PASSWORD,
      logger,
      events: false,
      requestTimeoutMs: 3000,
      ...o,
    });
    cleanups.push(() => d.stop());
    return { d, logger };
  }

  function next<T>(register: (resolve: (v: T) => void) => void, what: string, ms = 8000): Promise<T> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
      register((v) => {
        clearTimeout(t);
        resolve(v);
      });
    });
  }

  it("connects, reads device information and profiles, picks the best H.264 profile, and gives a stream URI and a JPEG", async () => {
    const s = await sim();
    const { d } = driver(s);
    const health = await d.connect();
    expect(health.state, health.message).to.equal("ready");
    expect(d.info).to.deep.equal({ manufacturer: "Doorstep", model: "SIM-CAM-1", firmware: "V5.7.3 build 260101", serial: "SIMCAM0001234567" });
    expect(d.profiles.map((p) => `${p.token}:${p.encoding}:${p.width}x${p.height}`)).to.deep.equal([
      "Profile_3:JPEG:2560x1440",
      "Profile_2:H264:640x360",
      "Profile_1:H264:1920x1080",
    ]);
    // Not the MJPEG profile with more pixels, not the first H.264 one: the largest H.264.
    expect(d.profile?.token).to.equal("Profile_1");

    const uri = await d.streamUri();
    expect(s.stats().lastStreamProfile).to.equal("Profile_1");
    const u = new URL(uri);
    expect(`${u.protocol}//${u.host}${u.pathname}`).to.equal(RTSP);
    expect(decodeURIComponent(u.username)).to.equal(USER);
    expect(decodeURIComponent(u.password)).to.equal(PASSWORD);
    expect(redactUrl(uri)).to.not.include("S3cret");
    expect(redactUrl(uri)).to.include(":***@");

    const jpeg = await d.snapshot();
    expect(jpeg[0]).to.equal(0xff);
    expect(jpeg[1]).to.equal(0xd8);
    expect(jpeg.equals(SIM_SNAPSHOT_JPEG)).to.equal(true);
    expect(s.stats().snapshots).to.equal(1);
  });

  it("uses the configured profile by name, and says which profiles exist when the configured one is missing", async () => {
    const s = await sim();
    const { d } = driver(s, { profile: "subStream" });
    expect((await d.connect()).state).to.equal("ready");
    expect(d.profile?.token).to.equal("Profile_2");
    await d.streamUri();
    expect(s.stats().lastStreamProfile).to.equal("Profile_2");

    const { d: d2 } = driver(s, { profile: "fourK", reconnectInitialMs: 60_000 });
    const h = await d2.connect();
    expect(h.state).to.equal("unusable");
    expect(h.message).to.include('"fourK"').and.to.include("Profile_1 (mainStream)");
    await d2.streamUri().then(
      () => expect.fail("streamUri must refuse while the camera is unusable"),
      (e: unknown) => expect(e).to.be.instanceOf(DeviceUnreachableError),
    );
  });

  it("reports a wrong password as unauthorized after one fresh-offset retry and a Digest try, and never shows the password", async () => {
    const s = await sim();
    const wrong = "Wr0ng-Pa55word!";
    const { d, logger } = driver(s, { password: wrong });
    const health = await d.connect();
    expect(health.state).to.equal("unauthorized");
    expect(health.message).to.include("wrong username or password for camera Front door");
    // WS-UsernameToken, again with a freshly measured clock offset, then HTTP Digest: three logins, no more.
    expect(s.stats().operations["GetSystemDateAndTime"]).to.equal(3);
    expect(s.stats().operations["GetDeviceInformation"]).to.equal(3);
    const errors: string[] = [];
    for (const call of [() => d.streamUri(), () => d.snapshot(), () => d.waitReady(200)]) {
      await call().then(
        () => expect.fail("must not succeed with a wrong password"),
        (e: unknown) => errors.push(e instanceof Error ? e.message : String(e)),
      );
    }
    for (const text of [logger.text(), health.message, ...errors]) {
      expect(text).to.not.include(wrong);
      expect(text).to.not.include(PASSWORD);
    }
    expect(logger.lines.some((l) => l.level === "error" && l.message.includes("wrong username or password"))).to.equal(true);
    // Not retried on its own (cameras lock accounts after failed logins); connect() again is the explicit retry.
    expect(s.stats().operations["GetSystemDateAndTime"]).to.equal(3);
    expect((await d.connect()).state).to.equal("unauthorized");
    expect(s.stats().operations["GetSystemDateAndTime"]).to.equal(6);
  });

  it("authenticates against a camera whose clock is an hour ahead, and again after the camera's clock jumps", async () => {
    const s = await sim({ clockSkewMs: 3_600_000 });
    const { d, logger } = driver(s);
    expect((await d.connect()).state).to.equal("ready");
    expect(logger.text()).to.match(/clock is off by (3599|3600) s/); // the camera reports whole seconds
    expect(s.stats().authFailures).to.equal(0);

    // The camera rebooted and its clock reset (agsh #249): the next call is refused, the driver reconnects
    // (recomputing the offset) and the call goes through.
    s.setClockSkew(-7_200_000);
    const uri = await d.streamUri();
    expect(uri).to.include("127.0.0.1:8554");
    expect(s.stats().authFailures).to.be.greaterThan(0);
    expect(s.stats().operations["GetSystemDateAndTime"]).to.equal(2);
    expect(d.health.state).to.equal("ready");
  });

  it("falls back to HTTP Digest when the camera refuses WS-UsernameToken", async () => {
    const s = await sim({ auth: "http-digest" });
    const { d, logger } = driver(s);
    const h = await d.connect();
    expect(h.state, h.message).to.equal("ready");
    expect(h.state === "ready" && h.auth).to.equal("http-digest");
    expect(logger.text()).to.include("using HTTP Digest");
    expect(await d.streamUri()).to.include("127.0.0.1:8554");
  });

  it("fetches a snapshot protected by Basic auth", async () => {
    const s = await sim({ snapshotAuth: "basic" });
    const { d } = driver(s);
    expect((await d.connect()).state).to.equal("ready");
    const jpeg = await d.snapshot();
    expect(jpeg.subarray(0, 2).toString("hex")).to.equal("ffd8");
  });

  it("turns an injected motion event into a typed motion event", async () => {
    const s = await sim({ maxPullWaitMs: 500 });
    const { d } = driver(s, { events: true });
    const motions: MotionEvent[] = [];
    d.on("motion", (m) => motions.push(m));
    expect((await d.connect()).state).to.equal("ready");
    // The subscription first reports the current state (Initialized, no motion).
    await next<void>((r) => d.on("motion", (m) => m.operation === "Initialized" && r()), "the Initialized message");
    const active = next<MotionEvent>((r) => d.on("motion", (m) => m.active && r(m)), "motion");
    s.injectMotion(true);
    const m = await active;
    expect(m.topic).to.equal("tns1:RuleEngine/CellMotionDetector/Motion");
    expect(m.operation).to.equal("Changed");
    const ended = next<MotionEvent>((r) => d.on("motion", (x) => !x.active && x.operation === "Changed" && r(x)), "motion end");
    s.injectMotion(false);
    await ended;
    expect(motions.filter((x) => x.operation === "Changed").map((x) => x.active)).to.deep.equal([true, false]);
  });

  /**
   * Camera and driver share a TestClock for the event service. An empty answer on a clock that has not moved parks the
   * pull loop on the clock (pacing, beside the watchdog): only then is the clock stepped, so time passes between pulls.
   */
  function stepWhileParked(clock: TestClock, stepMs: number): void {
    if (clock.pending === 2) clock.advance(stepMs);
  }

  it("renews the subscription before it terminates instead of letting it lapse", async () => {
    const clock = new TestClock(Date.now());
    const s = await sim({ maxPullWaitMs: 20, maxSubscriptionMs: 60_000, eventClock: clock });
    const { d } = driver(s, { events: true, clock });
    const resubscribed: ResubscribeReason[] = [];
    d.on("resubscribed", (r) => resubscribed.push(r));
    const motions: MotionEvent[] = [];
    d.on("motion", (m) => motions.push(m));
    const t0 = clock.now();
    expect((await d.connect()).state).to.equal("ready");
    // Renewed at half the 60 s lifetime: four renewals span about three lifetimes, without Renew it would have expired twice.
    await eventually("four renewals", () => (stepWhileParked(clock, 10_000), (s.stats().operations["Renew"] ?? 0) >= 4), { everyMs: 5 });
    expect(clock.now() - t0, "more than two lifetimes passed").to.be.greaterThan(120_000);
    expect(s.stats().operations["CreatePullPointSubscription"]).to.equal(1);
    expect(resubscribed).to.deep.equal([]);
    s.injectMotion(true);
    await eventually("motion after renewals", () => (stepWhileParked(clock, 1000), motions.some((m) => m.active)), { everyMs: 5 });
  });

  it("keeps one subscription, renews it and gets motion from a camera whose event replies have no CurrentTime (Axis)", async () => {
    const clock = new TestClock(Date.now());
    const s = await sim({ eventReplies: "axis", maxPullWaitMs: 20, maxSubscriptionMs: 60_000, eventClock: clock });
    const { d, logger } = driver(s, { events: true, clock });
    const motions: MotionEvent[] = [];
    d.on("motion", (m) => motions.push(m));
    expect((await d.connect()).state).to.equal("ready");
    await eventually("two renewals", () => (stepWhileParked(clock, 10_000), (s.stats().operations["Renew"] ?? 0) >= 2), { everyMs: 5 });
    s.injectMotion(true);
    await eventually("motion from the Axis-worded replies", () => (stepWhileParked(clock, 1000), motions.some((m) => m.active)), { everyMs: 5 });
    expect(s.stats().operations["CreatePullPointSubscription"]).to.equal(1);
    expect(logger.lines.filter((l) => l.level === "warn" || l.level === "error")).to.deep.equal([]);
  });

  it("survives replies that make onvif throw inside its callback: backs off on the clock, 0 s then 5 s doubling to 300 s, one warning, one recovery line", async () => {
    const clock = new TestClock(Date.now());
    const s = await sim({ eventReplies: "no-subscription-reference", maxPullWaitMs: 5000 });
    // The watchdog sleeps past the whole backoff (915 s), so the next due delay is always the next attempt.
    const { d, logger } = driver(s, { events: true, clock, eventWatchdogMs: 3_600_000 });
    expect((await d.connect()).state).to.equal("ready");
    const failures = () => logger.lines.filter((l) => l.message.includes("event CreatePullPointSubscription failed"));
    const waitsS: number[] = [];
    for (let n = 1; n <= 9; n++) {
      const line = await eventually(`failed subscription ${n}`, () => failures()[n - 1]);
      const waitS = Number(/subscribing again in (\d+) s/.exec(line.message)?.[1] ?? 0);
      waitsS.push(waitS);
      if (waitS === 0) continue; // a zero delay is already resolved: the next attempt is on its way
      expect(clock.nextDue(), `attempt ${n + 1} waits on the clock`).to.equal(clock.now() + waitS * 1000);
      clock.advance(waitS * 1000);
    }
    expect(waitsS).to.deep.equal([0, 5, 10, 20, 40, 80, 160, 300, 300]);
    expect(s.stats().operations["CreatePullPointSubscription"]).to.equal(9);
    // One line per state change: the warning when it starts failing; the attempts around it are debug.
    expect(failures().map((l) => l.level)).to.deep.equal(["debug", "warn", ...Array<string>(7).fill("debug")]);
    expect(failures()[1]!.message).to.match(/subscribing again in 5 s; retrying with backoff up to 300 s, logged again when it works$/);
    expect(d.health.state).to.equal("ready");

    s.setEventReplies("standard");
    clock.advance(300_000);
    await eventually("the recovery line", () => logger.lines.find((l) => l.message.includes("event subscription working again")));
    const active = next<MotionEvent>((r) => d.on("motion", (m) => m.active && r(m)), "motion once the replies are whole again");
    s.injectMotion(true);
    await active;
    expect(logger.lines.filter((l) => l.level === "warn")).to.have.length(1);
  });

  it("notices a subscription that went silent on the clock, subscribes again and gets events on the new one", async () => {
    const clock = new TestClock(Date.now());
    const s = await sim({ maxPullWaitMs: 200 });
    const { d, logger } = driver(s, { events: true, clock, eventWatchdogMs: 90_000 });
    expect((await d.connect()).state).to.equal("ready");
    await next<void>((r) => d.on("motion", (m) => m.operation === "Initialized" && r()), "the first subscription");
    // An empty answer on a clock that has not moved is paced: the loop waits on the clock beside the watchdog.
    await eventually("the pull loop paced on the clock", () => clock.pending === 2);
    s.setEventsSilent(true);
    clock.advance(1000);
    await eventually("a pull held by the silent camera", () => s.stats().pendingPulls === 1);
    const quiet = next<ResubscribeReason>((r) => d.on("resubscribed", r), "the watchdog");
    clock.advance(89_000);
    expect(s.stats().operations["CreatePullPointSubscription"], "not quiet yet at 90 s").to.equal(1);
    clock.advance(1);
    expect(await quiet).to.equal("quiet");
    expect(logger.text()).to.include("event subscription quiet for 90 s");
    expect(s.stats().operations["CreatePullPointSubscription"]).to.equal(2);
    await eventually("the quiet subscription released", () => s.stats().operations["Unsubscribe"] === 1);

    // The new subscription's first pull reached the camera while it was silent: the watchdog replaces that one too.
    await eventually("the new subscription's pull held too", () => s.stats().pendingPulls === 2);
    s.setEventsSilent(false);
    const third = next<void>((r) => d.on("motion", (m) => m.operation === "Initialized" && r()), "the third subscription");
    clock.advance(90_001);
    await third;
    const active = next<MotionEvent>((r) => d.on("motion", (m) => m.active && r(m)), "motion on the new subscription");
    s.injectMotion(true);
    expect((await active).operation).to.equal("Changed");
    expect(s.stats().operations["CreatePullPointSubscription"]).to.equal(3);
  });

  it("subscribes again at once when the camera drops a pull connection, without reconnecting the session", async () => {
    const s = await sim({ maxPullWaitMs: 5000 });
    const { d } = driver(s, { events: true, eventWatchdogMs: 30_000, eventRetryMs: 30_000 });
    expect((await d.connect()).state).to.equal("ready");
    await next<void>((r) => d.on("motion", (m) => m.operation === "Initialized" && r()), "the first subscription");
    const states: CameraHealth["state"][] = [];
    d.on("health", (h) => states.push(h.state));
    const reason = next<ResubscribeReason>((r) => d.on("resubscribed", r), "a new subscription");
    // Wait for the next pull to reach the camera, then cut it.
    await eventually("a pending pull", () => s.stats().pendingPulls > 0);
    s.dropEventConnections();
    expect(await reason).to.equal("failed");
    expect(states).to.deep.equal([]);
    expect(s.stats().operations["GetSystemDateAndTime"]).to.equal(1);
    const active = next<MotionEvent>((r) => d.on("motion", (m) => m.active && r(m)), "motion after the drop");
    s.injectMotion(true);
    await active;
  });

  it("reports an unreachable camera, retries on the clock 2 s doubling to 60 s with one warning, and is ready when the camera comes up", async () => {
    const clock = new TestClock(Date.now());
    const port = await freePort();
    const { d, logger } = driver({ host: "127.0.0.1", port }, { clock });
    const first = await d.connect();
    expect(first.state).to.equal("unreachable");
    expect(first.message).to.include(`unreachable at 127.0.0.1:${port}`).and.to.include("connection refused").and.to.include("retrying in 2 s");
    await d.snapshot().then(
      () => expect.fail("snapshot of an unreachable camera"),
      (e: unknown) => expect(e).to.be.instanceOf(DeviceUnreachableError),
    );
    const retryS = (h: CameraHealth) => (h.state === "unreachable" ? h.retryInMs / 1000 : h.state);
    const waits = [retryS(first)];
    for (let n = 1; n <= 6; n++) {
      const due = clock.nextDue();
      expect(due, `retry ${n} waits on the clock`).to.equal(clock.now() + Number(waits.at(-1)) * 1000);
      const health = next<CameraHealth>((r) => d.once("health", r), `the outcome of retry ${n}`);
      clock.set(due!);
      waits.push(retryS(await health));
    }
    expect(waits).to.deep.equal([2, 4, 8, 16, 32, 60, 60]);
    expect(logger.lines.filter((l) => l.level === "warn").map((l) => l.message)).to.have.length(1);

    await sim({ port });
    const ready = next<CameraHealth>((r) => d.on("health", (h) => h.state === "ready" && r(h)), "ready");
    clock.set(clock.nextDue()!);
    await ready;
    expect(clock.pending, "no retry left once ready").to.equal(0);
    expect(await d.streamUri()).to.include("127.0.0.1:8554");
  });

  it("goes unreachable when a ready camera disappears, and stop() ends the retries", async () => {
    const clock = new TestClock(Date.now());
    const s = await sim();
    const { d } = driver(s, { clock });
    expect((await d.connect()).state).to.equal("ready");
    await s.stop();
    const err = await d.streamUri().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(DeviceUnreachableError);
    expect(d.health.state).to.equal("unreachable");
    expect(clock.pending, "a retry waits on the clock").to.equal(1);
    await d.stop();
    expect(d.health.state).to.equal("stopped");
    expect(clock.pending, "stop() cancelled it").to.equal(0);
  });

  it("stop() aborts a login to a camera that accepts the connection but never answers", async () => {
    const held = new Set<Socket>();
    const blackhole = createServer((sock) => held.add(sock));
    await new Promise<void>((r) => blackhole.listen(0, "127.0.0.1", r));
    cleanups.push(async () => {
      for (const sock of held) sock.destroy();
      await new Promise<void>((r) => blackhole.close(() => r()));
    });
    const port = (blackhole.address() as AddressInfo).port;
    const { d } = driver({ host: "127.0.0.1", port }, { requestTimeoutMs: 60_000 });
    const connecting = d.connect();
    await eventually("the login request", () => held.size > 0);
    const stopped = d.stop();
    // Well before the 60 s request timeout: the login's sockets were destroyed.
    await next<void>((r) => stopped.then(() => r(), () => r()), "stop()", 5000);
    await connecting;
    expect(d.health.state).to.equal("stopped");
  });

  it("refuses a stream URI the camera gives for another scheme", async () => {
    const s = await sim({ rtspUrl: "http://127.0.0.1/not-rtsp" });
    const { d } = driver(s);
    expect((await d.connect()).state).to.equal("ready");
    await d.streamUri().then(
      () => expect.fail("non-RTSP URI accepted"),
      (e: unknown) => expect(e).to.be.instanceOf(DeviceRejectedError),
    );
    s.setStreamUri("rtsp://127.0.0.1:9554/live");
    expect(new URL(await d.streamUri()).port).to.equal("9554");
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const a = srv.address();
      const port = typeof a === "object" && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
