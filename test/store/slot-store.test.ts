import { expect } from "chai";
import { CredentialId, type DoorId } from "../../src/access/ids.js";
import { ConflictError, NotFoundError, ValidationError } from "../../src/core/errors.js";
import type { Store } from "../../src/store/index.js";
import { BACK, credential, FRONT, StoreFixture, T0 } from "./store-fixtures.js";

describe("store/slot-store", () => {
  let fixture: StoreFixture;
  let store: Store;
  const a = credential({ doors: [FRONT, BACK] });
  const b = credential();
  beforeEach(async () => {
    fixture = await StoreFixture.create();
    store = fixture.open();
    store.credentials.insert(a, "583920");
    store.credentials.insert(b, "771204");
  });
  afterEach(() => fixture.cleanup());

  const assign = (doorId: DoorId, slot: number, credentialId: CredentialId | null, desired: "present" | "absent" = "present") =>
    store.slots.upsert({ doorId, slot, credentialId, desired });

  it("assigns a slot as pending, marks it synced, and keeps it synced when the same assignment is written again", () => {
    const pending = assign(FRONT, 3, a.id);
    const fields = { doorId: FRONT, slot: 3, credentialId: a.id, desired: "present" };
    expect(pending).to.deep.equal({ ...fields, state: "pending", attempts: 0, updatedAt: T0 });
    fixture.clock.set(T0 + 1000);
    expect(store.slots.markSynced(FRONT, 3).state).to.equal("synced");
    expect(assign(FRONT, 3, a.id).state).to.equal("synced");
    const clearing = assign(FRONT, 3, a.id, "absent");
    expect(clearing).to.deep.include({ state: "pending", desired: "absent", updatedAt: T0 + 1000 });
    expect(fixture.open().slots.get(FRONT, 3), "persisted").to.deep.equal(clearing);
  });

  it("counts failures with the error and the next attempt, and resets them once synced", () => {
    assign(FRONT, 1, a.id);
    store.slots.markFailed(FRONT, 1, { error: "the lock did not answer within 5 s", nextAttemptAt: T0 + 30_000 });
    const twice = store.slots.markFailed(FRONT, 1, { error: "the lock refused the code (status 0x01)", nextAttemptAt: T0 + 60_000 });
    expect(twice).to.deep.include({ state: "failed", attempts: 2, nextAttemptAt: T0 + 60_000 });
    expect(twice.lastError).to.equal("the lock refused the code (status 0x01)");
    expect(store.slots.unsynced().map((s) => s.slot)).to.deep.equal([1]);
    const synced = store.slots.markSynced(FRONT, 1);
    const fields = { doorId: FRONT, slot: 1, credentialId: a.id, desired: "present" };
    expect(synced).to.deep.equal({ ...fields, state: "synced", attempts: 0, updatedAt: T0 });
    expect(store.slots.unsynced()).to.deep.equal([]);
    expect(() => store.slots.markSynced(FRONT, 9)).to.throw(NotFoundError, /no slot 9/);
  });

  it("gives a credential at most one slot per door, and a slot at most one credential", () => {
    assign(FRONT, 1, a.id);
    expect(() => assign(FRONT, 2, a.id)).to.throw(ConflictError, /already has a slot/);
    expect(store.slots.get(FRONT, 2)).to.equal(undefined);
    assign(BACK, 1, a.id);
    assign(FRONT, 1, b.id);
    expect(store.slots.list(FRONT).map((s) => s.credentialId)).to.deep.equal([b.id]);
    expect(store.slots.findByCredential(BACK, a.id)?.slot).to.equal(1);
    expect(store.slots.findByCredential(FRONT, a.id)).to.equal(undefined);
  });

  it("rejects bad assignments and unknown credentials, writing nothing", () => {
    expect(() => assign(FRONT, -1, a.id)).to.throw(ValidationError, /slot/);
    expect(() => assign(FRONT, 1.5, a.id)).to.throw(ValidationError);
    expect(() => assign(FRONT, 1, null)).to.throw(ValidationError, /credentialId/);
    expect(() => assign(FRONT, 1, CredentialId("ghost"))).to.throw(NotFoundError, /ghost/);
    expect(store.slots.list(FRONT)).to.deep.equal([]);
  });

  it("finds the lowest free slot in a range, and frees a slot on remove", () => {
    assign(FRONT, 1, a.id);
    assign(FRONT, 2, null, "absent");
    expect(store.slots.firstFreeSlot(FRONT, { first: 1, last: 3 })).to.equal(3);
    expect(store.slots.firstFreeSlot(FRONT, { first: 1, last: 2 })).to.equal(undefined);
    expect(store.slots.remove(FRONT, 2)).to.equal(true);
    expect(store.slots.remove(FRONT, 2)).to.equal(false);
    expect(store.slots.firstFreeSlot(FRONT, { first: 1, last: 3 })).to.equal(2);
  });
});
