// Issue 5, "Show": the guest flow end to end through the real binaries. `doorstep sim` runs the hardware (Z-Stack
// emulator with a simulated lock, ONVIF camera, GStreamer RTSP stream whose frames carry the wall clock); `doorstep serve`
// is the bridge (real zigbee-herdsman over TCP, real ffmpeg ring recorder). The test speaks only HTTP: the bridge API as
// a courier and as the owner, the simulator's control endpoint as the physical world.
import { expect } from "chai";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { readFrameClocks } from "../../src/sim/camera/rtsp-frame-clock.js";
import { eventually } from "../helpers/eventually.js";
import { processesOfStorage, type RunningDoorstep } from "../helpers/ready-line.js";
import { makeTempDir, removeTempDir } from "../helpers/temp-dir.js";
import {
  call,
  createProviderToken,
  isoIn,
  simLock,
  startServe,
  startSim,
  utcHhMm,
  ringSeconds,
  writeBridgeConfig,
  type DoorView,
  type SimLockView,
  type ServeReady,
  type SimReady,
  type VisitView,
} from "./e2e-harness.js";

const LOCKED = 1;
const YEAR_DAY_USER = 1;
const UNLOCKED = 2;
const TIMING = { relockAfterSeconds: 5, preRollSeconds: 4, postRollSeconds: 1 };
const HOUR = 3_600_000;

describe("end to end: doorstep serve against doorstep sim, through the HTTP API", function () {
  this.timeout(300_000);
  let dir: string;
  let sim: RunningDoorstep<SimReady> | undefined;
  let bridge: RunningDoorstep<ServeReady> | undefined;
  let api: string;
  let control: string;
  let owner: string;
  let courier: string;

  before(async () => {
    dir = makeTempDir("doorstep-e2e-");
    sim = await startSim(dir, 1);
    control = sim.ready.control;
    const configPath = await writeBridgeConfig(dir, join(dir, "storage"), TIMING);
    courier = await createProviderToken(configPath, "acme");
    bridge = await startServe(configPath);
    api = bridge.ready.api;
    expect(bridge.ready.ownerToken, "the first start prints the owner token").to.be.a("string");
    owner = bridge.ready.ownerToken!;
    expect(bridge.ready.simulated).to.equal(false);
    // The lock is paired and the recorder has held frames for longer than the pre-roll before any guest arrives.
    await eventually("the door to be locked, available and recording", async () => {
      const door = await frontDoor();
      return door.lock?.available && door.lock.state === "locked" && door.camera?.recording ? door : undefined;
    }, { timeoutMs: 90_000, everyMs: 100 });
    // The ring holds more than the pre-roll before the first guest (one segment per second, the newest still being written).
    await eventually("the ring to hold more than the pre-roll", () => ringSeconds(dir, "front") >= TIMING.preRollSeconds + 2, { timeoutMs: 30_000 });
  });

  after(async () => {
    const code = await bridge?.stop();
    await sim?.stop();
    const leftovers = await processesOfStorage(join(dir, "storage"));
    removeTempDir(dir);
    // Checked last so the processes are stopped even when it fails.
    if (bridge) expect(code, `doorstep serve exit on SIGTERM; stderr:\n${bridge.stderr().slice(-2000)}`).to.equal(0);
    expect(leftovers, "processes (ffmpeg recorders) left behind by the bridge").to.deep.equal([]);
  });

  async function frontDoor(): Promise<DoorView> {
    const r = await call<DoorView[]>(api, "GET", "/v1/doors", owner);
    expect(r.status).to.equal(200);
    return r.body.find((d) => d.id === "front")!;
  }

  async function createCredential(token: string, input: Record<string, unknown>): Promise<{ id: string; pin: string }> {
    const r = await call<{ id: string; pin: string }>(api, "POST", "/v1/credentials", token, { doors: ["front"], validUntil: isoIn(HOUR), ...input });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    return r.body;
  }

  const redeem = (token: string, pin: string) => call<Record<string, unknown>>(api, "POST", "/v1/doors/front/access", token, { pin });

  async function closedVisit(id: string): Promise<VisitView> {
    return eventually(`visit ${id} to close`, async () => {
      const r = await call<VisitView>(api, "GET", `/v1/visits/${id}`, owner);
      return r.status === 200 && r.body.state === "closed" ? r.body : undefined;
    }, { timeoutMs: 60_000, everyMs: 250 });
  }

  /** Downloads the visit's clip as the owner and reads the wall-clock barcode of every frame. */
  async function clipFrameTimes(visitId: string): Promise<number[]> {
    const res = await fetch(`${api}/v1/visits/${visitId}/clip`, { headers: { authorization: `Bearer ${owner}` } });
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.match(/^video\/mp4/);
    const file = join(dir, `${visitId}.mp4`);
    await writeFile(file, Buffer.from(await res.arrayBuffer()));
    const clocks = (await readFrameClocks(file)).filter((t): t is number => t !== undefined);
    expect(clocks.length, "decodable frames in the clip").to.be.greaterThan(10);
    return clocks;
  }

  const unlockFramesSince = async (sinceMs: number) =>
    (await simLock(control, "front")).commands.filter((c) => c.name === "unlockDoor" && Date.parse(c.at) >= sinceMs);

  it("a courier's delivery code: unlocked, recorded from before the unlock, relocked at relockAfterSeconds, then used up", async () => {
    const cred = await createCredential(courier, { label: "Parcel courier", kind: "delivery" });
    const sentAt = Date.now();
    const r = await redeem(courier, cred.pin);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.outcome).to.equal("unlocked");
    const visitId = r.body.visitId as string;
    // The emulated lock received the unlock frame over Zigbee.
    expect(await unlockFramesSince(sentAt)).to.have.length(1);

    const visit = await closedVisit(visitId);
    expect(visit.via).to.equal("remote");
    expect(visit.closeReason).to.equal("relocked");
    expect(visit.credentialId).to.equal(cred.id);
    expect(visit.unlockedAt).to.be.a("number");
    expect(visit.relockedAt! - visit.unlockedAt!, "relocked no earlier than relockAfterSeconds").to.be.at.least(TIMING.relockAfterSeconds * 1000 - 50);
    expect(visit.relockedAt! - visit.unlockedAt!, "relocked within a generous deadline").to.be.below(TIMING.relockAfterSeconds * 1000 + 20_000);

    // The emulator confirms: the lock is locked again, by a lockDoor frame sent at the relock time.
    const lock = await simLock(control, "front");
    expect(lock.lockState).to.equal(LOCKED);
    const relockFrames = lock.commands.filter((c) => c.name === "lockDoor" && Date.parse(c.at) >= sentAt);
    expect(relockFrames.length).to.be.at.least(1);
    expect(Date.parse(relockFrames[0]!.at)).to.be.at.least(visit.unlockedAt! + TIMING.relockAfterSeconds * 1000 - 50);

    // The clip covers the pre-roll (read from the video itself, not from the recorder's bookkeeping) up to the relock.
    const frames = await clipFrameTimes(visitId);
    expect(frames[0]!, "first frame at or before unlock − preRoll").to.be.at.most(visit.unlockedAt! - TIMING.preRollSeconds * 1000);
    expect(frames.at(-1)!, "last frame at or after the relock").to.be.at.least(visit.relockedAt!);
    // A courier never reads clips.
    expect((await call(api, "GET", `/v1/visits/${visitId}/clip`, courier)).status).to.equal(403);

    const again = await redeem(courier, cred.pin);
    expect(again.status).to.equal(403);
    expect(again.body).to.include({ outcome: "denied", reason: "uses-exhausted" });
    expect(await unlockFramesSince(sentAt), "no second unlock frame").to.have.length(1);
  });

  it("outside the window: denied, and nothing reaches the lock", async () => {
    const sentAt = Date.now();
    const early = await createCredential(courier, { label: "Tomorrow's parcel", kind: "delivery", validFrom: isoIn(HOUR), validUntil: isoIn(2 * HOUR) });
    const r1 = await redeem(courier, early.pin);
    expect(r1.status).to.equal(403);
    expect(r1.body).to.include({ outcome: "denied", reason: "not-yet-valid" });

    // A weekly window later today (every day, so a window that crosses midnight still works).
    const later = await createCredential(courier, {
      label: "Afternoon parcel",
      kind: "delivery",
      validUntil: isoIn(24 * HOUR),
      schedule: { type: "weekly", timeZone: "UTC", windows: [{ days: ["MO", "TU", "WE", "TH", "FR", "SA", "SU"], start: utcHhMm(180), end: utcHhMm(240) }] },
    });
    const r2 = await redeem(courier, later.pin);
    expect(r2.status).to.equal(403);
    expect(r2.body).to.include({ outcome: "denied", reason: "outside-schedule" });
    expect(await unlockFramesSince(sentAt)).to.have.length(0);
  });

  it("pets home: leave outside, and the code is still good once the pets are out", async () => {
    const sentAt = Date.now();
    const cred = await createCredential(courier, { label: "Parcel, pets in", kind: "delivery" });
    expect((await call(api, "PATCH", "/v1/doors/front", owner, { petsHome: true })).status).to.equal(200);
    try {
      const r = await redeem(courier, cred.pin);
      expect(r.status).to.equal(409);
      expect(r.body).to.include({ outcome: "leave-outside", reason: "pets-home" });
      expect(await unlockFramesSince(sentAt)).to.have.length(0);
      // The switch is the owner's: a courier cannot turn it off.
      expect((await call(api, "PATCH", "/v1/doors/front", courier, { petsHome: false })).status).to.equal(403);
    } finally {
      expect((await call(api, "PATCH", "/v1/doors/front", owner, { petsHome: false })).status).to.equal(200);
    }
    const ok = await redeem(courier, cred.pin);
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    await closedVisit(ok.body.visitId as string);
  });

  it("a cleaner's recurring code typed on the keypad opens a keypad visit with its pre-roll", async () => {
    const cred = await createCredential(owner, {
      label: "Cleaner",
      kind: "cleaning",
      validUntil: isoIn(24 * HOUR),
      schedule: { type: "weekly", timeZone: "UTC", windows: [{ days: ["MO", "TU", "WE", "TH", "FR", "SA", "SU"], start: utcHhMm(-60), end: utcHhMm(120) }] },
    });
    // The credential sync writes the PIN into the lock's user table, then the schedule a year-day user opens in (the
    // lock refuses such a user until its schedule is written).
    const onLock = (u: SimLockView["users"][number]) => u.pin === cred.pin && (u.type !== YEAR_DAY_USER || u.yearDay.length > 0);
    await eventually("the cleaner's PIN and schedule on the lock", async () => (await simLock(control, "front")).users.some(onLock), { timeoutMs: 30_000, everyMs: 250 });

    const typedAt = Date.now();
    const typed = await call<{ outcome: string }>(control, "POST", "/locks/front/keypad", undefined, { pin: cred.pin });
    expect(typed.status).to.equal(200);
    expect(typed.body.outcome, JSON.stringify(typed.body)).to.equal("unlocked");
    expect((await simLock(control, "front")).lockState).to.be.oneOf([UNLOCKED, LOCKED]);

    const started = await eventually("a keypad visit", async () => {
      const r = await call<VisitView[]>(api, "GET", "/v1/visits?limit=10", owner);
      return r.body.find((v) => v.via === "keypad" && v.credentialId === cred.id);
    }, { timeoutMs: 20_000, everyMs: 200 });
    const visit = await closedVisit(started.id);
    expect(visit.closeReason).to.equal("relocked");
    expect((await simLock(control, "front")).lockState).to.equal(LOCKED);

    const frames = await clipFrameTimes(visit.id);
    expect(frames[0]!, "first frame at or before the visit's unlock − preRoll").to.be.at.most(visit.unlockedAt! - TIMING.preRollSeconds * 1000);
    expect(frames[0]!, "the clip shows the moment the PIN was typed").to.be.below(typedAt);
  });

  it("camera down: leave outside, and the lock never receives an unlock frame", async () => {
    const cred = await createCredential(courier, { label: "Parcel, camera off", kind: "delivery" });
    const off = await call(control, "POST", "/cameras/front/stream", undefined, { on: false });
    expect(off.body).to.deep.equal({ on: false });
    try {
      await eventually("the bridge to see the camera down", async () => (await frontDoor()).camera?.recording === false, { timeoutMs: 30_000, everyMs: 200 });
      const sentAt = Date.now();
      const r = await redeem(courier, cred.pin);
      expect(r.status).to.equal(409);
      expect(r.body).to.include({ outcome: "leave-outside", reason: "camera-unavailable" });
      await delay(500); // a window in which no unlock frame may arrive (it asserts a non-event)
      expect(await unlockFramesSince(sentAt)).to.have.length(0);
      expect((await simLock(control, "front")).lockState).to.equal(LOCKED);
    } finally {
      await call(control, "POST", "/cameras/front/stream", undefined, { on: true });
    }
    // The refusal did not use the code up: with the camera back, the same code opens the door.
    await eventually("recording again", async () => (await frontDoor()).camera?.recording === true, { timeoutMs: 60_000, everyMs: 250 });
    const ok = await redeem(courier, cred.pin);
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    await closedVisit(ok.body.visitId as string);
  });

  // Its own visit, not a count of the earlier tests' visits: it passes alone (--grep) and in any order.
  it("a visit closes, no visit stays open, and the audit chain verifies", async () => {
    const cred = await createCredential(courier, { label: "Parcel, audited", kind: "delivery" });
    const r = await redeem(courier, cred.pin);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    const visitId = r.body.visitId as string;
    expect((await closedVisit(visitId)).credentialId).to.equal(cred.id);
    const open = await call<VisitView[]>(api, "GET", "/v1/visits?open=true&limit=100", owner);
    expect(open.status).to.equal(200);
    expect(open.body.map((v) => v.id), "visits still open").to.deep.equal([]);
    const audit = await call<{ ok: boolean }>(api, "GET", "/v1/audit/verify", owner);
    expect(audit.body.ok).to.equal(true);
  });
});
