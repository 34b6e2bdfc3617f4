import { expect } from "chai";
import { CredentialId } from "../../src/access/ids.js";
import { KWIKSET_LIKE } from "../../src/zigbee/test-lock-driver.js";
import { FRONT, OWNER, T0, harness, type Harness } from "./harness.js";

const HOUR = 3_600_000;

/** The slot the lock holds `pin` in, if any. */
function slotOf(h: Harness, pin: string): number | undefined {
  for (const [slot, entry] of h.doors.front!.lock.pins) if (entry.pin === pin) return slot;
  return undefined;
}

describe("delivery: keypad codes on the lock", function () {
  let h: Harness;
  afterEach(async () => {
    await h?.cleanup();
  });

  it("writes live keypad codes to the lock, leaves remote-only codes off, and clears a revoked code at once", async () => {
    h = await harness();
    const cleaner = h.credential({ label: "Cleaner", kind: "cleaning" });
    const remoteOnly = h.credential({ label: "Courier", mode: "remote" });
    await h.scheduler.advance(0);
    const slot = slotOf(h, cleaner.pin);
    expect(slot).to.be.a("number");
    expect(h.store.slots.get(FRONT, slot!)).to.include({ credentialId: cleaner.id, state: "synced" });
    expect(slotOf(h, remoteOnly.pin)).to.equal(undefined);

    h.service.credentials.revoke(cleaner.id, OWNER);
    await h.scheduler.advance(0);
    expect(slotOf(h, cleaner.pin)).to.equal(undefined);
    expect(h.doors.front!.lock.commands).to.include(`clearPin ${slot}`);
  });

  it("touches no slot of a lock that is not paired yet, and writes the codes once it is", async () => {
    h = await harness({ before: (doors) => void (doors.front!.lock.capabilities = { ...KWIKSET_LIKE, pinSlots: 0 }) });
    const cleaner = h.credential({ label: "Cleaner", kind: "cleaning" });
    await h.scheduler.advance(0);
    expect(h.doors.front!.lock.commands).to.deep.equal([]);
    h.doors.front!.lock.capabilities = KWIKSET_LIKE; // the interview completed
    await h.scheduler.advance(60_000);
    expect(slotOf(h, cleaner.pin)).to.be.a("number");
  });

  it("picks up a revocation made by another process (the CLI on the same storage) within a minute", async () => {
    h = await harness();
    const cleaner = h.credential({ label: "Cleaner", kind: "cleaning" });
    await h.scheduler.advance(0);
    expect(slotOf(h, cleaner.pin)).to.be.a("number");
    h.store.credentials.revoke(CredentialId(cleaner.id), h.clock.now()); // not through the service: it is not told
    await h.scheduler.advance(59_000);
    expect(slotOf(h, cleaner.pin), "not yet").to.be.a("number");
    await h.scheduler.advance(1_000);
    expect(slotOf(h, cleaner.pin)).to.equal(undefined);
  });

  it("writes a scheduled code at its window start and clears it at its end", async () => {
    h = await harness();
    // Wednesday 2 Dec 2026 10:00 UTC now; the window is Wednesdays 11:00-12:00.
    const walker = h.credential({
      label: "Dog walker",
      kind: "pet-care",
      validUntil: T0 + 14 * 86_400_000,
      schedule: { type: "weekly", timeZone: "UTC", windows: [{ days: ["WE"], start: "11:00", end: "12:00" }] },
    });
    await h.scheduler.advance(0);
    expect(slotOf(h, walker.pin)).to.equal(undefined);
    await h.scheduler.advance(HOUR);
    expect(slotOf(h, walker.pin)).to.be.a("number");
    await h.scheduler.advance(HOUR);
    expect(slotOf(h, walker.pin)).to.equal(undefined);
  });
});

describe("delivery: keypad use reported by the lock", function () {
  let h: Harness;
  afterEach(async () => {
    await h?.cleanup();
  });

  it("maps the slot to its credential, opens a visit with the pre-roll, counts the use and relocks after relockAfterSeconds", async () => {
    h = await harness();
    const cleaner = h.credential({ label: "Cleaner", kind: "cleaning" });
    await h.scheduler.advance(0);
    const slot = slotOf(h, cleaner.pin)!;
    h.clock.advance(60_000);
    h.doors.front!.lock.keypadUnlock(slot);
    await h.scheduler.advance(0);

    const [visit] = h.store.visits.list({ open: true });
    expect(visit).to.include({ via: "keypad", credentialId: cleaner.id, state: "open", unlockedAt: T0 + 60_000, relockAt: T0 + 90_000 });
    expect(h.doors.front!.recorder!.begun.get(visit!.id)).to.deep.equal({ preRollMs: 5_000 });
    expect(h.store.credentials.usage(CredentialId(cleaner.id))!.uses).to.equal(1);
    expect(h.emitted.filter((e) => e.name === "visitStarted")).to.have.length(1);
    expect(h.doors.front!.lock.unlocks, "the door was opened by the lock itself").to.equal(0);
    expect(slotOf(h, cleaner.pin), "a recurring code stays").to.equal(slot);

    await h.scheduler.advance(30_000);
    expect(h.doors.front!.lock.locks).to.equal(1);
    expect(h.store.visits.get(visit!.id)).to.include({ state: "closed", closeReason: "relocked" });
    const types = h.store.audit.list({ visitId: visit!.id, limit: 100 }).map((e) => e.type);
    expect(types).to.deep.equal(["visit.opened", "visit.unlocked", "visit.relocked", "visit.closed"]);
  });

  it("clears a one-time code from the lock as soon as it is used", async () => {
    h = await harness();
    const courier = h.credential({ label: "Courier" }); // delivery: maxUses 1, mode both
    await h.scheduler.advance(0);
    const slot = slotOf(h, courier.pin)!;
    expect(slot).to.be.a("number");
    h.doors.front!.lock.keypadUnlock(slot);
    await h.scheduler.advance(0);
    expect(slotOf(h, courier.pin)).to.equal(undefined);
    expect(h.store.visits.list({ open: true })[0]).to.include({ credentialId: courier.id, state: "open" });
    expect(await h.service.redeem({ doorId: "front", pin: courier.pin, actor: OWNER, source: "x" })).to.include({ reason: "uses-exhausted" });
  });

  it("a use outside the credential's window is relocked at once, raised as an alert and audited", async () => {
    h = await harness();
    const cleaner = h.credential({ label: "Cleaner", kind: "cleaning", validUntil: T0 + HOUR });
    await h.scheduler.advance(0);
    const slot = slotOf(h, cleaner.pin)!;
    // The window closed, but the lock honoured the code before the bridge could clear it (e.g. it was unreachable).
    h.clock.advance(HOUR + 60_000);
    h.doors.front!.lock.keypadUnlock(slot);
    await h.scheduler.advance(0);

    expect(h.doors.front!.lock.locks).to.equal(1);
    const [visit] = h.store.visits.list();
    expect(visit).to.include({ via: "keypad", credentialId: cleaner.id, state: "closed", closeReason: "relocked" });
    expect(visit!.alerts.join(" ")).to.match(/expired/);
    expect(h.emitted.filter((e) => e.name === "alert")).to.not.have.length(0);
    expect(h.emitted.filter((e) => e.name === "refused").map((e) => (e.payload as { reason: string }).reason)).to.deep.equal(["expired"]);
    expect(h.store.audit.list({ limit: 100 }).some((e) => e.type === "access.denied" && e.details["via"] === "keypad")).to.equal(true);
    expect(h.store.credentials.usage(CredentialId(cleaner.id))!.uses, "a refused use is not counted").to.equal(0);
    expect(slotOf(h, cleaner.pin), "and the code is cleared").to.equal(undefined);
  });

  it("a revoked code that still opened the lock is relocked at once with an alert", async () => {
    h = await harness();
    const cleaner = h.credential({ label: "Cleaner", kind: "cleaning" });
    await h.scheduler.advance(0);
    const slot = slotOf(h, cleaner.pin)!;
    h.store.credentials.revoke(CredentialId(cleaner.id), T0); // revoked behind the service's back: the lock still has it
    h.doors.front!.lock.keypadUnlock(slot);
    await h.scheduler.advance(0);
    expect(h.doors.front!.lock.locks).to.equal(1);
    expect(h.store.visits.list()[0]).to.include({ state: "closed" });
    expect(h.emitted.filter((e) => e.name === "refused").map((e) => (e.payload as { reason: string }).reason)).to.deep.equal(["revoked"]);
  });

  it("an unlock for a slot Doorstep does not know is relocked at once with an alert", async () => {
    h = await harness();
    h.doors.front!.lock.keypadUnlock(17);
    await h.scheduler.advance(0);
    expect(h.doors.front!.lock.locks).to.equal(1);
    const [visit] = h.store.visits.list();
    expect(visit).to.include({ via: "keypad", state: "closed" });
    expect(visit!.credentialId).to.equal(undefined);
    expect(visit!.alerts.join(" ")).to.match(/slot 17/);
  });

  it("a thumb-turn unlock is audited and opens no guest visit; wrong keypad codes are audited as refusals", async () => {
    h = await harness();
    const lock = h.doors.front!.lock;
    lock.events.emit("operation", { source: "manual", kind: "manual-unlock", code: 14, at: T0 });
    lock.report("unlocked");
    lock.events.emit("operation", { source: "keypad", kind: "unlock-failure-invalid-pin", code: 6, at: T0 });
    await h.scheduler.advance(0);
    expect(h.store.visits.list()).to.deep.equal([]);
    const audit = h.store.audit.list({ limit: 100 });
    expect(audit.map((e) => e.type)).to.deep.equal(["lock.operation", "access.denied"]);
    expect(audit[0]!.details).to.deep.equal({ source: "manual", kind: "manual-unlock" });
    expect(h.emitted.filter((e) => e.name === "lockState").map((e) => (e.payload as { state: string }).state)).to.include("unlocked");
    expect(lock.locks).to.equal(0);
  });
});
