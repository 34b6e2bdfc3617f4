import { expect } from "chai";
import { ProviderId, VisitId } from "../../src/access/ids.js";
import type { RedeemOutcome } from "../../src/delivery/delivery-port.js";
import { BACK, FRONT, OWNER, T0, harness, type Harness } from "./harness.js";

const redeem = (h: Harness, pin: string, source = "10.0.0.1", doorId = "front") => h.service.redeem({ doorId, pin, actor: OWNER, source });

function unlocked(o: RedeemOutcome): Extract<RedeemOutcome, { outcome: "unlocked" }> {
  expect(o.outcome, JSON.stringify(o)).to.equal("unlocked");
  return o as Extract<RedeemOutcome, { outcome: "unlocked" }>;
}

describe("delivery: remote redemption", function () {
  let h: Harness;
  afterEach(async () => {
    await h?.cleanup();
  });

  it("records, then unlocks, then relocks at relockAfterSeconds, keeps the post-roll and closes the visit with its audit trail", async () => {
    h = await harness();
    const { id, pin } = h.credential({});
    const lock = h.doors.front!.lock;
    let atUnlock: { state?: string; audit: string[] } | undefined;
    lock.onUnlock = () => {
      const open = h.store.visits.list({ open: true });
      atUnlock = { state: open[0]?.state, audit: h.auditTypes() };
    };

    const outcome = unlocked(await redeem(h, pin));
    expect(outcome.relockAt).to.equal(T0 + 30_000);
    // Recording began before the unlock command; the visit row and its audit entry were committed before it.
    expect(h.trace).to.deep.equal(["recorder.beginVisit", "lock.unlock"]);
    expect(atUnlock).to.deep.equal({ state: "opening", audit: ["credential.created", "visit.opened"] });
    expect(h.doors.front!.recorder!.begun.get(outcome.visitId)).to.deep.equal({ preRollMs: 5_000 });

    let visit = h.service.getVisit(outcome.visitId, OWNER);
    expect(visit).to.include({ state: "open", via: "remote", credentialId: id, unlockedAt: T0, relockAt: T0 + 30_000 });
    expect(h.emitted.filter((e) => e.name === "visitStarted")).to.have.length(1);
    expect(h.service.door("front").visitId).to.equal(outcome.visitId);

    await h.scheduler.advance(29_999);
    expect(lock.locks).to.equal(0);
    await h.scheduler.advance(1);
    expect(lock.locks).to.equal(1);
    visit = h.service.getVisit(outcome.visitId, OWNER);
    expect(visit).to.include({ state: "closed", closeReason: "relocked", relockedAt: T0 + 30_000 });
    expect(h.doors.front!.recorder!.ended.get(outcome.visitId)).to.deep.equal({ postRollMs: 10_000 });
    expect(visit.clip).to.have.length(1);
    expect(h.trace).to.deep.equal(["recorder.beginVisit", "lock.unlock", "lock.lock", "recorder.endVisit"]);
    expect(h.auditTypes().slice(1)).to.deep.equal(["visit.opened", "visit.unlocked", "visit.relocked", "visit.closed"]);
    expect(h.emitted.filter((e) => e.name === "visitEnded")).to.have.length(1);
    expect(h.store.audit.verify().ok).to.equal(true);
    expect(h.service.door("front").visitId).to.equal(undefined);
  });

  it("answers a replay of a one-time code with uses-exhausted", async () => {
    h = await harness();
    const { pin } = h.credential({});
    unlocked(await redeem(h, pin));
    await h.scheduler.advance(30_000);
    const again = await redeem(h, pin);
    expect(again).to.include({ outcome: "denied", reason: "uses-exhausted" });
    expect(h.doors.front!.lock.unlocks).to.equal(1);
  });

  it("lets exactly one of several concurrent redemptions of a one-time code unlock", async () => {
    h = await harness();
    const { pin } = h.credential({});
    const outcomes = await Promise.all([1, 2, 3, 4, 5].map((n) => redeem(h, pin, `10.0.0.${n}`)));
    expect(outcomes.filter((o) => o.outcome === "unlocked")).to.have.length(1);
    expect(outcomes.filter((o) => o.outcome === "denied" && o.reason === "uses-exhausted")).to.have.length(4);
    expect(h.doors.front!.lock.unlocks).to.equal(1);
    expect(h.store.visits.list()).to.have.length(1);
  });

  it("ends a visit early on request, and a provider cannot end another provider's visit", async () => {
    h = await harness();
    const { pin } = h.credential({}, { kind: "provider", providerId: ProviderId("acme") });
    const outcome = unlocked(await h.service.redeem({ doorId: "front", pin, actor: { kind: "provider", providerId: ProviderId("acme") }, source: "x" }));
    let err: unknown;
    try {
      await h.service.endVisit(outcome.visitId, { kind: "provider", providerId: ProviderId("other") });
    } catch (e) {
      err = e;
    }
    expect((err as Error).name).to.equal("NotFoundError");
    expect(h.doors.front!.lock.locks).to.equal(0);
    const relocking = await h.service.endVisit(outcome.visitId, { kind: "provider", providerId: ProviderId("acme") });
    expect(relocking.relockedAt).to.equal(T0);
    await h.scheduler.advance(0);
    expect(h.service.getVisit(outcome.visitId, OWNER)).to.include({ state: "closed", closeReason: "ended" });
    expect(h.service.listVisits({ kind: "provider", providerId: ProviderId("other") })).to.deep.equal([]);
  });

  it("closes the visit when the lock reports it locked by itself, without sending a lock command", async () => {
    h = await harness();
    const { pin } = h.credential({});
    const outcome = unlocked(await redeem(h, pin));
    h.clock.advance(8_000);
    // The guest's thumb-turn on the way out: the lock's own operation event, then its state.
    h.doors.front!.lock.events.emit("operation", { source: "manual", kind: "manual-lock", code: 13, at: h.clock.now() });
    h.doors.front!.lock.report("locked");
    await h.scheduler.advance(0);
    expect(h.doors.front!.lock.locks).to.equal(0);
    expect(h.service.getVisit(outcome.visitId, OWNER)).to.include({ state: "closed", closeReason: "relocked", relockedAt: T0 + 8_000 });
    await h.scheduler.advance(60_000);
    expect(h.doors.front!.lock.locks, "the relock timer is gone").to.equal(0);
  });

  // Found by the model-based test on the emulated lock: the "locked" report of an earlier command arrived after the
  // owner's unlock and closed the visit, leaving the door unlocked with no visit.
  it("a bare 'locked' report during a visit (possibly stale) is confirmed with a lock command, never taken on trust", async () => {
    h = await harness();
    const { pin } = h.credential({});
    const lock = h.doors.front!.lock;
    const outcome = unlocked(await redeem(h, pin));
    lock.events.emit("state", { state: "locked", previous: "unlocked", cause: "report", at: h.clock.now() }); // stale: the bolt is open
    await h.scheduler.advance(0);
    expect(lock.locks, "the relock is sent").to.equal(1);
    expect(lock.state).to.equal("locked");
    expect(h.service.getVisit(outcome.visitId, OWNER)).to.include({ state: "closed", closeReason: "relocked" });
  });

  it("an RF lock event (the late echo of an earlier command) does not close a visit", async () => {
    h = await harness();
    const { pin } = h.credential({});
    const lock = h.doors.front!.lock;
    const outcome = unlocked(await redeem(h, pin));
    lock.events.emit("operation", { source: "rf", kind: "lock", code: 1, at: h.clock.now() });
    await h.scheduler.advance(0);
    expect(h.service.getVisit(outcome.visitId, OWNER).state).to.equal("open");
    await h.scheduler.advance(30_000);
    expect(lock.locks).to.equal(1);
    expect(h.service.getVisit(outcome.visitId, OWNER)).to.include({ state: "closed", closeReason: "relocked" });
  });

  it("when the relock is not confirmed: alert, the visit stays open, and it tries again until the lock confirms", async () => {
    h = await harness();
    const { pin } = h.credential({});
    const lock = h.doors.front!.lock;
    lock.lockAnswers.push("time-out", "unreachable", "time-out");
    const outcome = unlocked(await redeem(h, pin));
    await h.scheduler.advance(30_000);
    expect(lock.locks).to.equal(3);
    let visit = h.service.getVisit(outcome.visitId, OWNER);
    expect(visit.state).to.equal("open");
    expect(visit.relockedAt).to.equal(undefined);
    expect(visit.alerts.join(" ")).to.match(/could not be relocked/);
    expect(h.emitted.some((e) => e.name === "alert")).to.equal(true);
    await h.scheduler.advance(30_000);
    visit = h.service.getVisit(outcome.visitId, OWNER);
    expect(visit).to.include({ state: "closed", closeReason: "relocked", relockedAt: T0 + 60_000 });
  });
});

describe("delivery: faults around the unlock", function () {
  let h: Harness;
  afterEach(async () => {
    await h?.cleanup();
  });

  it("recorder dies between the gate and the unlock: leave-outside camera-unavailable, no unlock, use refunded, visit closed and audited", async () => {
    h = await harness();
    const { id, pin } = h.credential({});
    h.doors.front!.recorder!.dieOnBegin = true;
    const outcome = await redeem(h, pin);
    expect(outcome).to.include({ outcome: "leave-outside", reason: "camera-unavailable" });
    expect(h.doors.front!.lock.unlocks).to.equal(0);
    expect(h.trace).to.not.include("lock.unlock");
    expect(h.store.credentials.usage(id as never)).to.deep.equal({ uses: 0 });
    const [visit] = h.store.visits.list();
    expect(visit).to.include({ state: "closed", closeReason: "aborted" });
    expect(h.auditTypes()).to.include.members(["visit.opened", "visit.failed", "access.denied"]);
    // The code still works once the camera is back.
    h.doors.front!.recorder!.dieOnBegin = false;
    h.doors.front!.recorder!.recording = true;
    unlocked(await redeem(h, pin));
  });

  it("the lock refuses the unlock: leave-outside lock-unavailable, use refunded, visit closed failed", async () => {
    h = await harness();
    const { id, pin } = h.credential({});
    h.doors.front!.lock.unlockAnswers.push("reject");
    const outcome = await redeem(h, pin);
    expect(outcome).to.include({ outcome: "leave-outside", reason: "lock-unavailable" });
    expect(h.store.credentials.usage(id as never)).to.deep.equal({ uses: 0 });
    const [visit] = h.store.visits.list();
    expect(visit).to.include({ state: "closed", closeReason: "failed" });
    expect(visit!.clip, "what was recorded is kept").to.have.length(1);
  });

  it("an unlock that timed out keeps the visit open and recording; a late opening is relocked with an alert", async () => {
    h = await harness();
    const { id, pin } = h.credential({});
    const lock = h.doors.front!.lock;
    lock.unlockAnswers.push("time-out");
    const outcome = await redeem(h, pin);
    expect(outcome).to.include({ outcome: "leave-outside", reason: "lock-unavailable" });
    const [pending] = h.store.visits.list({ open: true });
    expect(pending, "the visit stays open").to.include({ state: "opening" });
    expect(h.doors.front!.recorder!.ended.has(pending!.id), "still recording").to.equal(false);
    expect(h.store.credentials.usage(id as never)!.uses, "not assumed failed: the use is not given back").to.equal(1);
    expect(h.service.door("front").visitId).to.equal(pending!.id);
    // A second redemption meanwhile cannot race the late frame.
    expect((await redeem(h, pin)).outcome).to.not.equal("unlocked");

    h.clock.advance(12_000);
    lock.report("unlocked"); // the frame landed late
    await h.scheduler.advance(0);
    expect(lock.locks).to.equal(1);
    const visit = h.service.getVisit(pending!.id, OWNER);
    expect(visit).to.include({ state: "closed", closeReason: "relocked", unlockedAt: T0 + 12_000 });
    expect(visit.alerts.join(" ")).to.match(/opened after the unlock had timed out/);
    expect(h.emitted.filter((e) => e.name === "alert").map((e) => (e.payload as { message: string }).message).join(" ")).to.match(/opened after/);
  });

  it("an unlock that timed out and never lands: after the settle time the lock is confirmed locked, the visit fails, the use comes back", async () => {
    h = await harness();
    const { id, pin } = h.credential({});
    const lock = h.doors.front!.lock;
    lock.unlockAnswers.push("time-out");
    await redeem(h, pin);
    await h.scheduler.advance(59_000);
    expect(lock.locks).to.equal(0);
    await h.scheduler.advance(1_000);
    expect(lock.locks).to.equal(1);
    const [visit] = h.store.visits.list();
    expect(visit).to.include({ state: "closed", closeReason: "failed" });
    expect(h.store.credentials.usage(id as never)).to.deep.equal({ uses: 0 });
    expect(h.service.door("front").visitId).to.equal(undefined);
  });

  it("a late unlock the driver reports with no visit waiting is relocked and raised", async () => {
    h = await harness();
    const lock = h.doors.front!.lock;
    lock.events.emit("lateUnlock", { requestedAt: T0 - 20_000, deadlineAt: T0 - 12_000, observedAt: T0 });
    await h.scheduler.advance(0);
    expect(lock.locks).to.equal(1);
    expect(h.emitted.some((e) => e.name === "alert")).to.equal(true);
    expect(h.auditTypes()).to.include("door.alert");
  });
});

describe("delivery: every refusal reason, audited without the PIN", function () {
  let h: Harness;
  afterEach(async () => {
    await h?.cleanup();
  });

  const HOUR = 3_600_000;
  const cases: {
    name: string;
    reason: string;
    outcome: string;
    input?: Record<string, unknown>;
    setup?: (h: Harness, id: string) => void | Promise<void>;
    doors?: { id: string; camera: boolean }[];
    pin?: string;
  }[] = [
    { name: "unknown PIN", reason: "unknown-credential", outcome: "denied", pin: "90817263" },
    { name: "revoked", reason: "revoked", outcome: "denied", setup: (h, id) => void h.service.credentials.revoke(id, OWNER) },
    { name: "not yet valid", reason: "not-yet-valid", outcome: "denied", input: { validFrom: T0 + HOUR, validUntil: T0 + 2 * HOUR } },
    { name: "expired", reason: "expired", outcome: "denied", setup: (h) => h.clock.advance(2 * 86_400_000) },
    {
      name: "outside its schedule",
      reason: "outside-schedule",
      outcome: "denied",
      input: { kind: "cleaning", validUntil: T0 + 14 * 86_400_000, schedule: { type: "weekly", timeZone: "UTC", windows: [{ days: ["MO"], start: "09:00", end: "12:00" }] } },
    },
    { name: "wrong door", reason: "wrong-door", outcome: "denied", input: { doors: ["back"] }, doors: [{ id: "front", camera: true }, { id: "back", camera: true }] },
    { name: "keypad-only code redeemed remotely", reason: "mode-not-allowed", outcome: "denied", input: { mode: "keypad" } },
    { name: "deliveries paused", reason: "deliveries-paused", outcome: "leave-outside", setup: (h) => void h.service.setSwitches("front", { inHomeDeliveries: false }, OWNER) },
    { name: "pets home", reason: "pets-home", outcome: "leave-outside", setup: (h) => void h.service.setSwitches("front", { petsHome: true }, OWNER) },
    { name: "camera not recording", reason: "camera-unavailable", outcome: "leave-outside", setup: (h) => void (h.doors.front!.recorder!.recording = false) },
    { name: "no camera at the door", reason: "camera-unavailable", outcome: "leave-outside", doors: [{ id: "front", camera: false }] },
    { name: "lock unreachable", reason: "lock-unavailable", outcome: "leave-outside", setup: (h) => void (h.doors.front!.lock.available = false) },
    { name: "lock state unknown", reason: "lock-unavailable", outcome: "leave-outside", setup: (h) => void (h.doors.front!.lock.state = "unknown") },
    { name: "lock jammed", reason: "lock-unavailable", outcome: "leave-outside", setup: (h) => void (h.doors.front!.lock.state = "jammed") },
  ];

  for (const c of cases) {
    it(`${c.name} → ${c.outcome} ${c.reason}`, async () => {
      h = await harness(c.doors ? { doors: c.doors } : {});
      const { id, pin } = h.credential(c.input ?? {});
      await c.setup?.(h, id);
      const used = c.pin ?? pin;
      const outcome = await redeem(h, used);
      expect(outcome).to.include({ outcome: c.outcome, reason: c.reason });
      expect((outcome as { message: string }).message).to.be.a("string").and.not.include(used);
      expect(h.doors.front!.lock.unlocks).to.equal(0);
      const denied = h.store.audit.list({ limit: 1000 }).filter((e) => e.type === "access.denied");
      expect(denied.map((e) => e.details["reason"])).to.deep.equal([c.reason]);
      expect(JSON.stringify(h.store.audit.list({ limit: 1000 }))).to.not.include(used);
      expect(h.emitted.filter((e) => e.name === "refused").map((e) => (e.payload as { reason: string }).reason)).to.deep.equal([c.reason]);
      expect(h.store.visits.list(), "no visit for a refusal").to.deep.equal([]);
    });
  }

  it("a camera is not needed when neither the config nor the credential asks for a recording", async () => {
    h = await harness({ doors: [{ id: "front", camera: false }], settings: { requireRecording: false } });
    const { pin } = h.credential({ requireRecording: false });
    const outcome = await redeem(h, pin);
    expect(outcome.outcome).to.equal("unlocked");
  });

  it("an unknown door is a NotFoundError, not a refusal", async () => {
    h = await harness();
    let err: unknown;
    try {
      await h.service.redeem({ doorId: "garage", pin: "1234", actor: OWNER, source: "x" });
    } catch (e) {
      err = e;
    }
    expect((err as Error).name).to.equal("NotFoundError");
  });

  it("a provider cannot redeem another provider's code: it is unknown to it", async () => {
    h = await harness();
    const { pin } = h.credential({}, { kind: "provider", providerId: ProviderId("acme") });
    const outcome = await h.service.redeem({ doorId: "front", pin, actor: { kind: "provider", providerId: ProviderId("rival") }, source: "x" });
    expect(outcome).to.include({ outcome: "denied", reason: "unknown-credential" });
  });

  it("getVisit of an unknown id is NotFoundError", async () => {
    h = await harness();
    expect(() => h.service.getVisit(VisitId("nope"), OWNER)).to.throw(/No visit/);
    expect(FRONT).to.equal("front");
    expect(BACK).to.equal("back");
  });
});
