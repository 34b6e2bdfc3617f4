import { expect } from "chai";
import { VisitId } from "../../src/access/ids.js";
import { OWNER, harness, type Harness } from "./harness.js";

describe("delivery: crash recovery at start-up", function () {
  const cleanups: Harness[] = [];
  afterEach(async () => {
    for (const h of cleanups.splice(0)) await h.cleanup();
  });

  /** A service with an open visit that then "crashes": never stopped, its store closed as the process dies. */
  async function crashWithOpenVisit(): Promise<{ dir: string; visitId: VisitId; clock: Harness["clock"] }> {
    const first = await harness();
    const { pin } = first.credential({});
    const outcome = await first.service.redeem({ doorId: "front", pin, actor: OWNER, source: "x" });
    expect(outcome.outcome).to.equal("unlocked");
    first.store.close(); // the process dies: no stop(), no relock; the store holds the open visit
    return { dir: first.dir, visitId: (outcome as { visitId: VisitId }).visitId, clock: first.clock };
  }

  it("relocks the door (confirmed), assembles the clip from disk and closes the visit as recovered before serving", async () => {
    const crashed = await crashWithOpenVisit();
    crashed.clock.advance(120_000);
    const second = await harness({ dir: crashed.dir, clock: crashed.clock, before: (doors) => void doors.front!.recorder!.onDisk.add(crashed.visitId) });
    cleanups.push(second);
    expect(second.doors.front!.lock.locks).to.equal(1);
    expect(second.doors.front!.recorder!.recovered).to.deep.equal([crashed.visitId]);
    const visit = second.service.getVisit(crashed.visitId, OWNER);
    expect(visit).to.include({ state: "closed", closeReason: "recovered", relockedAt: crashed.clock.now() });
    expect(visit.clip).to.have.length(1);
    expect(second.store.visits.openVisits()).to.deep.equal([]);
    const audit = second.store.audit.list({ visitId: crashed.visitId, limit: 100 }).map((e) => e.type);
    expect(audit).to.deep.equal(["visit.opened", "visit.unlocked", "visit.recovered"]);
    expect(second.store.audit.verify().ok).to.equal(true);
    expect(second.service.recovery).to.deep.equal({ recovered: 1, unconfirmed: [] });
    // Recovery came before the lock sync and before serving: the first command the new lock saw was the relock.
    expect(second.trace[0]).to.equal("lock.lock");
  });

  it("never claims the door locked when the lock does not confirm: the visit is closed with an alert and no relockedAt", async () => {
    const crashed = await crashWithOpenVisit();
    const second = await harness({
      dir: crashed.dir,
      clock: crashed.clock,
      before: (doors) => {
        doors.front!.lock.lockAnswers.push("time-out", "unreachable", "time-out");
        doors.front!.lock.state = "unknown";
      },
    });
    cleanups.push(second);
    expect(second.doors.front!.lock.locks).to.equal(3);
    const visit = second.service.getVisit(crashed.visitId, OWNER);
    expect(visit).to.include({ state: "closed", closeReason: "recovered" });
    expect(visit.relockedAt).to.equal(undefined);
    expect(visit.alerts.join(" ")).to.match(/not confirmed/);
    expect(visit.alerts.join(" "), "nothing on disk for this visit").to.match(/clip could not be assembled/);
    expect(second.emitted.some((e) => e.name === "alert")).to.equal(true);
    expect(second.service.recovery).to.deep.equal({ recovered: 1, unconfirmed: ["front"] });
    expect(second.service.door("front").lock.state).to.equal("unknown");
  });

  it("fail-secure: a door found unlocked at start-up with no open visit (a visit lost to a power cut) is relocked, with an alert", async () => {
    const h = await harness({ before: (doors) => void (doors.front!.lock.state = "unlocked") });
    cleanups.push(h);
    expect(h.doors.front!.lock.locks).to.equal(1);
    expect(h.service.door("front").lock.state).to.equal("locked");
    const alerts = h.store.audit.list({ limit: 100 }).filter((e) => e.type === "door.alert");
    expect(alerts.map((e) => e.details)).to.deep.equal([{ message: "The door was unlocked at start-up with no visit open; it was relocked." }]);
    expect(h.service.recovery).to.deep.equal({ recovered: 0, unconfirmed: [] });
  });

  it("a door found locked at start-up is left alone", async () => {
    const h = await harness({});
    cleanups.push(h);
    expect(h.doors.front!.lock.locks).to.equal(0);
    expect(h.store.audit.list({ limit: 100 }).filter((e) => e.type === "door.alert")).to.deep.equal([]);
  });
});
