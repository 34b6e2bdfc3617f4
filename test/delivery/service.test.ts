import { expect } from "chai";
import { ProviderId } from "../../src/access/ids.js";
import { OWNER, T0, harness, type Harness } from "./harness.js";

describe("delivery: switches, owner commands, health and shutdown", function () {
  const cleanups: Harness[] = [];
  afterEach(async () => {
    for (const h of cleanups.splice(0)) await h.cleanup();
  });

  it("persists the homeowner's switches per door, emits them, and refuses bad input without changing anything", async () => {
    const h = await harness({ doors: [{ id: "front", camera: true }, { id: "back", camera: true }], settings: { inHomeDeliveries: true } });
    expect(h.service.door("front").switches).to.deep.equal({ inHomeDeliveries: true, petsHome: false });
    const status = h.service.setSwitches("front", { petsHome: true }, OWNER);
    expect(status.switches).to.deep.equal({ inHomeDeliveries: true, petsHome: true });
    expect(h.service.door("back").switches.petsHome).to.equal(false);
    expect(h.emitted.filter((e) => e.name === "switches").map((e) => e.payload)).to.deep.equal([{ doorId: "front", switches: { inHomeDeliveries: true, petsHome: true } }]);
    expect(() => h.service.setSwitches("front", { petsHome: "yes" } as never, OWNER)).to.throw(/petsHome: must be true or false/);
    expect(() => h.service.setSwitches("front", { garage: true } as never, OWNER)).to.throw(/unknown switch/);
    expect(() => h.service.setSwitches("front", { petsHome: false }, { kind: "provider", providerId: ProviderId("acme") })).to.throw(/No door/);
    expect(h.service.door("front").switches.petsHome).to.equal(true);
    expect(h.store.audit.list({ limit: 100 }).filter((e) => e.type === "door.switches")).to.have.length(1);

    // Survives a restart on the same storage.
    await h.service.stop();
    h.store.close();
    const again = await harness({ dir: h.dir, clock: h.clock, doors: [{ id: "front", camera: true }, { id: "back", camera: true }] });
    cleanups.push(again);
    expect(again.service.door("front").switches).to.deep.equal({ inHomeDeliveries: true, petsHome: true });
  });

  it("stop() relocks a door with an open visit, closes it, and leaves no timer", async () => {
    const h = await harness();
    cleanups.push(h);
    const { pin } = h.credential({ kind: "cleaning" });
    await h.scheduler.advance(0);
    const outcome = await h.service.redeem({ doorId: "front", pin, actor: OWNER, source: "x" });
    expect(outcome.outcome).to.equal("unlocked");
    await h.service.stop();
    expect(h.doors.front!.lock.locks).to.equal(1);
    expect(h.store.visits.list()[0]).to.include({ state: "closed", closeReason: "ended" });
    expect(h.scheduler.pending()).to.equal(0);
    expect(h.doors.front!.lock.events.listenerCount("state")).to.equal(0);
    expect((await h.service.redeem({ doorId: "front", pin, actor: OWNER, source: "x" })).outcome).to.equal("leave-outside");
  });

  it("owner unlock is a visit via owner, without guest policy; owner lock ends it", async () => {
    const h = await harness({ doors: [{ id: "front", camera: false }] });
    cleanups.push(h);
    h.service.setSwitches("front", { petsHome: true, inHomeDeliveries: false }, OWNER);
    expect(await h.service.ownerUnlock("front", OWNER)).to.equal("unlocked");
    const [visit] = h.store.visits.list();
    expect(visit).to.include({ via: "owner", state: "open" });
    expect(visit!.relockAt, "an owner visit ends at its maximum length at the latest").to.equal(T0 + 15 * 60_000);
    expect(await h.service.ownerLock("front", OWNER)).to.equal("locked");
    await h.scheduler.advance(0);
    expect(h.store.visits.get(visit!.id)).to.include({ state: "closed", closeReason: "ended" });
    expect(h.store.audit.list({ limit: 100 }).map((e) => e.type)).to.include.members(["visit.opened", "visit.unlocked", "owner.lock", "visit.closed"]);
    let err: unknown;
    try {
      await h.service.ownerUnlock("front", { kind: "provider", providerId: ProviderId("acme") });
    } catch (e) {
      err = e;
    }
    expect((err as Error).name).to.equal("NotFoundError");
  });

  it("reports health per door, and the doors as the homeowner sees them", async () => {
    const h = await harness({ doors: [{ id: "front", camera: true }, { id: "back", camera: false }] });
    cleanups.push(h);
    expect(h.service.health()).to.deep.equal({
      ok: true,
      audit: "ok",
      doors: [
        { id: "front", lock: "ok", camera: "ok" },
        { id: "back", lock: "ok", camera: "not-configured" },
      ],
    });
    h.doors.front!.recorder!.recording = false;
    h.doors.back!.lock.available = false;
    const report = h.service.health();
    expect(report.ok).to.equal(false);
    expect(report.doors).to.deep.equal([
      { id: "front", lock: "ok", camera: "not-recording" },
      { id: "back", lock: "unavailable", camera: "not-configured" },
    ]);
    const [front] = h.service.doors();
    expect(front).to.deep.include({ id: "front", name: "front door", door: "closed" });
    expect(front!.lock).to.deep.include({ state: "locked", available: true, battery: 90 });
    expect(front!.camera).to.deep.include({ configured: true, recording: false });
    expect(() => h.service.door("garage")).to.throw(/No door "garage"/);
  });

  it("providers see only their own visits and never clips", async () => {
    const h = await harness();
    cleanups.push(h);
    const acme = { kind: "provider" as const, providerId: ProviderId("acme") };
    const { pin } = h.credential({}, acme);
    const outcome = await h.service.redeem({ doorId: "front", pin, actor: acme, source: "x" });
    const visitId = (outcome as { visitId: string }).visitId;
    expect(h.service.listVisits(acme).map((v) => v.id)).to.deep.equal([visitId]);
    expect(h.service.listVisits({ kind: "provider", providerId: ProviderId("rival") })).to.deep.equal([]);
    expect(() => h.service.clipParts(visitId, acme)).to.throw(/No clip/);
    await h.scheduler.advance(30_000);
    expect(h.service.clipParts(visitId, OWNER)).to.deep.equal([{ path: `/clips/${visitId}/part-0.mp4`, durationMs: 15_000 }]);
  });
});
