import { expect } from "chai";
import { CredentialId, ProviderId, VisitId } from "../../src/access/ids.js";
import { ConflictError, NotFoundError, ValidationError } from "../../src/core/errors.js";
import type { ClipPart, Store, Visit, VisitPatch } from "../../src/store/index.js";
import { BACK, FRONT, StoreFixture, T0 } from "./store-fixtures.js";

describe("store/visit-store", () => {
  let fixture: StoreFixture;
  let store: Store;
  beforeEach(async () => {
    fixture = await StoreFixture.create();
    store = fixture.open();
  });
  afterEach(() => fixture.cleanup());

  const part = (n: number): ClipPart => ({
    path: `clips/v/seg-${n}.m4s`,
    durationMs: 1000,
    firstFrameAt: T0 + n * 1000,
    lastFrameAt: T0 + n * 1000 + 966,
  });

  it("walks a remote visit through opening → open → relocking → closed, each step committed", () => {
    const visit = store.visits.create({
      doorId: FRONT,
      via: "remote",
      credentialId: CredentialId("cred-a"),
      providerId: ProviderId("acme"),
      relockAt: T0 + 60_000,
    });
    expect(visit).to.deep.include({ state: "opening", startedAt: T0, alerts: [], clip: [] });
    const reader = fixture.open();
    expect(reader.visits.get(visit.id), "committed before the unlock is sent").to.deep.equal(visit);

    store.visits.transition(visit.id, { state: "open", unlockedAt: T0 + 800, addClipParts: [part(0)] });
    store.visits.transition(visit.id, { state: "relocking", addClipParts: [part(1)], addAlerts: ["door left ajar"] });
    fixture.clock.set(T0 + 65_000);
    const closed = store.visits.transition(visit.id, { state: "closed", relockedAt: T0 + 61_000, closeReason: "relocked" });
    const expected: Visit = {
      ...visit,
      state: "closed",
      unlockedAt: T0 + 800,
      relockedAt: T0 + 61_000,
      endedAt: T0 + 65_000,
      closeReason: "relocked",
      alerts: ["door left ajar"],
      clip: [part(0), part(1)],
    };
    delete expected.relockAt;
    expect(closed).to.deep.equal(expected);
    expect(reader.visits.get(visit.id)).to.deep.equal(expected);
  });

  it("never reopens or changes a closed visit", () => {
    const visit = store.visits.create({ doorId: FRONT, via: "keypad" });
    const closed = store.visits.transition(visit.id, { state: "closed", closeReason: "failed", addAlerts: ["lock did not answer"] });
    const patches: VisitPatch[] = [{ state: "open" }, { addAlerts: ["late"] }, { state: "closed", closeReason: "ended" }];
    for (const patch of patches) {
      expect(() => store.visits.transition(visit.id, patch)).to.throw(ConflictError, /is closed/);
    }
    expect(store.visits.get(visit.id)).to.deep.equal(closed);
  });

  it("refuses moves the state machine does not allow and inconsistent patches, changing nothing", () => {
    const visit = store.visits.create({ doorId: FRONT, via: "remote" });
    store.visits.transition(visit.id, { state: "open" });
    expect(() => store.visits.transition(visit.id, { state: "opening" })).to.throw(ConflictError, /open; it cannot become opening/);
    expect(() => store.visits.transition(visit.id, { state: "closed" })).to.throw(ValidationError, /closeReason/);
    expect(() => store.visits.transition(visit.id, { closeReason: "ended" })).to.throw(ValidationError, /closeReason/);
    expect(() => store.visits.transition(visit.id, { endedAt: T0 })).to.throw(ValidationError, /endedAt/);
    expect(() => store.visits.transition(visit.id, { state: "closed", closeReason: "bored" as never })).to.throw(ValidationError);
    expect(() => store.visits.transition(VisitId("nope"), { state: "open" })).to.throw(NotFoundError);
    expect(store.visits.get(visit.id)?.state).to.equal("open");
    // A failed relock leaves the door open again; a scheduled relock can be cleared.
    store.visits.transition(visit.id, { state: "relocking", relockAt: T0 + 5 });
    expect(store.visits.transition(visit.id, { state: "open", relockAt: null }).relockAt).to.equal(undefined);
  });

  it("lists newest first, filtered by door, provider and openness, paged with limit and before", () => {
    const acme = ProviderId("acme");
    const made: Visit[] = [];
    for (let i = 0; i < 6; i++) {
      fixture.clock.set(T0 + i * 1000);
      made.push(store.visits.create({ doorId: i % 2 ? BACK : FRONT, via: "keypad", ...(i < 3 && { providerId: acme }) }));
    }
    store.visits.transition(made[1]!.id, { state: "closed", closeReason: "relocked" });
    const ids = (list: Visit[]) => list.map((v) => made.findIndex((m) => m.id === v.id));
    expect(ids(store.visits.list())).to.deep.equal([5, 4, 3, 2, 1, 0]);
    expect(ids(store.visits.list({ doorId: BACK }))).to.deep.equal([5, 3, 1]);
    expect(ids(store.visits.list({ providerId: acme }))).to.deep.equal([2, 1, 0]);
    expect(ids(store.visits.list({ open: false }))).to.deep.equal([1]);
    expect(ids(store.visits.list({ open: true, doorId: BACK }))).to.deep.equal([5, 3]);
    expect(ids(store.visits.list({ limit: 2 }))).to.deep.equal([5, 4]);
    expect(ids(store.visits.list({ limit: 2, before: made[4]!.startedAt }))).to.deep.equal([3, 2]);
    expect(ids(store.visits.openVisits())).to.deep.equal([0, 2, 3, 4, 5]);
    expect(() => store.visits.list({ limit: 0 })).to.throw(ValidationError, /limit/);
  });
});
