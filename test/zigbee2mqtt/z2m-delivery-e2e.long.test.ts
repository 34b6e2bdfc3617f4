// The guest flow with the door's lock on Zigbee2MQTT: real Zigbee2MQTT + Mosquitto on the Z-Stack emulator, Doorstep's
// Zigbee2MQTT driver, real ffmpeg recording a real RTSP server. The same flows as test/delivery/end-to-end.long.test.ts
// (a door on Doorstep's own coordinator): remote code, keypad code, expiry, revocation, late unlock, restarts.
import { expect } from "chai";
import { join } from "node:path";
import { systemClock } from "../../src/access/clock.js";
import { CredentialId, DoorId, type VisitId } from "../../src/access/ids.js";
import { RingRecorder } from "../../src/camera/ring-recorder.js";
import { MemoryLogger } from "../../src/core/logger.js";
import { DeliveryService } from "../../src/delivery/delivery-service.js";
import { startRtspTestServer, type RtspTestServer } from "../../src/sim/camera/rtsp-test-server.js";
import { openStore, type Store } from "../../src/store/store.js";
import type { Visit } from "../../src/store/visit-store.js";
import type { Z2mLockDriver } from "../../src/zigbee/z2m-lock-driver.js";
import { OWNER, SETTINGS } from "../delivery/harness.js";
import { eventually } from "../helpers/eventually.js";
import { makeTempDir, removeTempDir } from "../helpers/temp-dir.js";
import { startZ2mHarness, type Z2mHarness } from "./harness.js";

const LOCKED = 1;
const UNLOCKED = 2;
const RELOCK_S = 3;
const TIMING = { unlockDeadlineMs: 2_000, lockDeadlineMs: 10_000, relockRetryDelayMs: 500, relockRetryAfterMs: 2_000 };

describe("delivery end to end with the door on Zigbee2MQTT: real Zigbee2MQTT + Mosquitto + emulator, real ffmpeg + RTSP", function () {
  this.timeout(120_000);
  let h: Z2mHarness;
  let camera: RtspTestServer | undefined;
  let recorder: RingRecorder | undefined;
  let store: Store | undefined;
  let service: DeliveryService | undefined;
  let driver: Z2mLockDriver;
  const dir = makeTempDir("doorstep-z2m-e2e-");
  const logger = new MemoryLogger();

  const startService = async (d: Z2mLockDriver) => {
    store = openStore({ storageDir: join(dir, "store"), clock: systemClock });
    service = new DeliveryService({
      store, logger, settings: SETTINGS, timing: TIMING,
      doors: [{ id: DoorId("front"), name: "Front door", relockAfterSeconds: RELOCK_S, preRollSeconds: 2, postRollSeconds: 1, driver: d, recorder: recorder! }],
    });
    return service.start();
  };

  before(async () => {
    h = await startZ2mHarness([{ id: "front", profile: "yale-assure" }]);
    camera = await startRtspTestServer();
    recorder = new RingRecorder({ ffmpegPath: "ffmpeg", ringSeconds: 60, cameraId: "front", url: camera.url, storagePath: join(dir, "media"), logger, minFreeBytes: 1024 * 1024 });
    await recorder.start();
    await recorder.waitUntilRecording(30_000);
    driver = await h.driver("front");
    await driver.lock();
    await startService(driver);
  });

  after(async () => {
    await service?.stop();
    await recorder?.stop();
    await camera?.stop();
    await h?.stop();
    store?.close();
    removeTempDir(dir);
  });

  const sim = () => h.simLock("front");
  const pins: string[] = [];
  const create = (input: Record<string, unknown>) => {
    const made = service!.credentials.create({ doors: ["front"], validUntil: Date.now() + 3_600_000, ...input }, OWNER);
    pins.push(made.pin);
    return made;
  };
  const closed = (id: VisitId): Visit | undefined => {
    const v = store!.visits.get(id);
    return v?.state === "closed" ? v : undefined;
  };
  const onLock = (pin: string) => sim().state().users.some((u) => u.pin === pin && u.status !== 0);

  it("a courier's remote code: unlocked as the lock confirms, relocked at relockAfterSeconds, then used up", async () => {
    const { pin } = create({ label: "Parcel courier", kind: "delivery", mode: "remote" });
    const unlocksBefore = sim().commandsNamed("unlockDoor").length;
    const outcome = await service!.redeem({ doorId: "front", pin, actor: OWNER, source: "127.0.0.1" });
    expect(outcome.outcome, JSON.stringify(outcome)).to.equal("unlocked");
    expect(sim().commandsNamed("unlockDoor")).to.have.length(unlocksBefore + 1);
    expect(sim().state().lockState).to.equal(UNLOCKED);
    const visitId = (outcome as { visitId: VisitId }).visitId;
    await eventually("the visit closed", () => closed(visitId) !== undefined, { timeoutMs: 40_000 });
    const visit = closed(visitId)!;
    expect(visit).to.include({ closeReason: "relocked", via: "remote" });
    expect(visit.relockedAt! - visit.unlockedAt!).to.be.at.least(RELOCK_S * 1000);
    expect(sim().state().lockState).to.equal(LOCKED);
    expect(visit.clip.length).to.be.greaterThan(0);
    const again = await service!.redeem({ doorId: "front", pin, actor: OWNER, source: "127.0.0.1" });
    expect(again).to.include({ outcome: "denied", reason: "uses-exhausted" });
    expect(sim().commandsNamed("unlockDoor")).to.have.length(unlocksBefore + 1);
  });

  it("a cleaner's keypad code: written to the lock through Zigbee2MQTT, typed at the keypad, a keypad visit with its credential", async () => {
    const { credential, pin } = create({ label: "Cleaner", kind: "cleaning", mode: "both" });
    // On the lock, and confirmed by the bridge's read-back: a keypad opening is credited only from a synced slot.
    const synced = () => store!.slots.findByCredential(DoorId("front"), CredentialId(credential.id))?.state === "synced";
    await eventually("the PIN on the lock, synced", () => onLock(pin) && synced(), { timeoutMs: 20_000 });
    expect(sim().typeKeypadPin(pin).outcome).to.equal("unlocked");
    await eventually("a keypad visit of the credential", () => store!.visits.list({ limit: 5 }).some((v) => v.via === "keypad" && v.credentialId === credential.id), { timeoutMs: 10_000 });
    const visitId = store!.visits.list({ limit: 5 }).find((v) => v.via === "keypad")!.id;
    await eventually("the visit closed", () => closed(visitId) !== undefined, { timeoutMs: 40_000 });
    expect(closed(visitId)!.closeReason).to.equal("relocked");
    expect(sim().state().lockState).to.equal(LOCKED);
    expect(store!.credentials.usage(CredentialId(credential.id))!.uses).to.equal(1);
    expect(onLock(pin), "a recurring code stays on the lock").to.equal(true);
  });

  it("revocation clears the code from the lock: the keypad refuses it and the API denies it", async () => {
    const { credential, pin } = create({ label: "Dog walker", kind: "pet-care", mode: "both" });
    await eventually("the PIN on the lock", () => onLock(pin), { timeoutMs: 20_000 });
    service!.credentials.revoke(credential.id, OWNER);
    await eventually("the PIN gone from the lock", () => !onLock(pin), { timeoutMs: 20_000 });
    expect(sim().typeKeypadPin(pin).outcome).to.equal("rejected");
    expect(await service!.redeem({ doorId: "front", pin, actor: OWNER, source: "127.0.0.1" })).to.include({ outcome: "denied", reason: "revoked" });
    expect(sim().state().lockState).to.equal(LOCKED);
  });

  it("expiry clears the code from the lock at the end of its window; afterwards it is denied", async () => {
    const { pin } = create({ label: "Plumber", kind: "service", mode: "both", validUntil: Date.now() + 6_000 });
    await eventually("the PIN on the lock", () => onLock(pin), { timeoutMs: 20_000 });
    await eventually("the PIN gone from the lock", () => !onLock(pin), { timeoutMs: 30_000 });
    expect(Date.now()).to.be.greaterThan(store!.credentials.list({ doorId: DoorId("front") }).find((c) => c.label === "Plumber")!.validUntil - 1_000);
    expect(sim().typeKeypadPin(pin).outcome).to.equal("rejected");
    expect(await service!.redeem({ doorId: "front", pin, actor: OWNER, source: "127.0.0.1" })).to.include({ outcome: "denied", reason: "expired" });
  });

  it("an unlock that times out is not assumed failed: when it lands late the door is relocked and an alert raised", async () => {
    const { credential, pin } = create({ label: "Courier 3", kind: "delivery", mode: "remote" });
    h.sim.faults.transactionExpired(2, { device: "front", command: "unlockDoor" });
    const outcome = await service!.redeem({ doorId: "front", pin, actor: OWNER, source: "127.0.0.1" });
    expect(outcome).to.include({ outcome: "leave-outside", reason: "lock-unavailable" });
    const [pending] = store!.visits.list({ open: true });
    expect(pending).to.include({ state: "opening", credentialId: credential.id });
    await eventually("the pending visit closed", () => closed(pending!.id) !== undefined, { timeoutMs: 60_000 });
    const visit = closed(pending!.id)!;
    expect(visit.closeReason).to.equal("relocked");
    expect(visit.unlockedAt, "the late opening is recorded").to.be.a("number");
    expect(visit.alerts.join(" ")).to.match(/opened after the unlock had timed out/);
    expect(sim().state().lockState).to.equal(LOCKED);
  });

  it("Zigbee2MQTT restarts in the middle of a visit: the relock waits for it and is confirmed by the lock", async () => {
    const { pin } = create({ label: "Courier 4", kind: "delivery", mode: "remote" });
    const outcome = await service!.redeem({ doorId: "front", pin, actor: OWNER, source: "127.0.0.1" });
    expect(outcome.outcome).to.equal("unlocked");
    const visitId = (outcome as { visitId: VisitId }).visitId;
    await h.z2m.stop();
    await eventually("the driver unavailable", () => !driver.isAvailable());
    expect(sim().state().lockState, "still open: nothing could relock it").to.equal(UNLOCKED);
    await h.z2m.start();
    await eventually("the visit closed", () => closed(visitId) !== undefined, { timeoutMs: 60_000 });
    expect(closed(visitId)!.relockedAt).to.be.a("number");
    expect(sim().state().lockState).to.equal(LOCKED);
  });

  it("the bridge crashes with a visit open: on restart the door is relocked through Zigbee2MQTT and the visit closed as recovered", async () => {
    const { pin } = create({ label: "Courier 5", kind: "delivery", mode: "remote" });
    const outcome = await service!.redeem({ doorId: "front", pin, actor: OWNER, source: "127.0.0.1" });
    expect(outcome.outcome).to.equal("unlocked");
    const visitId = (outcome as { visitId: VisitId }).visitId;
    // The process dies: its lock driver goes silent and its store closes with the visit open; nothing relocks.
    await driver.stop();
    store!.close();
    await service!.stop().catch(() => undefined);
    expect(sim().state().lockState).to.equal(UNLOCKED);
    driver = await h.driver("front");
    const report = await startService(driver);
    expect(report).to.deep.equal({ recovered: 1, unconfirmed: [] });
    expect(store!.visits.get(visitId)).to.include({ state: "closed", closeReason: "recovered" });
    expect(sim().state().lockState).to.equal(LOCKED);
    expect(store!.audit.verify().ok).to.equal(true);
  });

  it("never logs a PIN", () => {
    const text = logger.text() + h.logger.text();
    expect(pins).to.have.length(7);
    for (const pin of pins) expect(text).to.not.contain(pin);
  });
});
