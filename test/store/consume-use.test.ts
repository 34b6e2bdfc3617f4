import { expect } from "chai";
import { CredentialId } from "../../src/access/ids.js";
import { NotFoundError } from "../../src/core/errors.js";
import type { ConsumeOutcome, Store } from "../../src/store/index.js";
import { credential, DAY, HOUR, runStoreWorker, StoreFixture, T0 } from "./store-fixtures.js";

describe("store/credential-store: counting uses", () => {
  let fixture: StoreFixture;
  let store: Store;
  beforeEach(async () => {
    fixture = await StoreFixture.create();
    store = fixture.open();
  });
  afterEach(() => fixture.cleanup());

  it("counts a one-time code once and refuses the second use", () => {
    const c = credential({ maxUses: 1 });
    store.credentials.insert(c, "583920");
    expect(store.credentials.consumeUse(c.id, T0 + HOUR)).to.deep.equal({
      consumed: true,
      usage: { uses: 1, firstUsedAt: T0 + HOUR },
    });
    expect(store.credentials.consumeUse(c.id, T0 + 2 * HOUR)).to.deep.equal({ consumed: false, reason: "uses-exhausted" });
    expect(store.credentials.usage(c.id)).to.deep.equal({ uses: 1, firstUsedAt: T0 + HOUR });
  });

  it("lets exactly one of two store instances win with interleaved calls on the same file", () => {
    const other = fixture.open();
    const c = credential({ maxUses: 1 });
    store.credentials.insert(c, "583920");
    // Both read the credential as live before either counts a use.
    expect(store.credentials.findByPin(c.doors[0]!, "583920")?.live).to.equal(true);
    expect(other.credentials.findByPin(c.doors[0]!, "583920")?.live).to.equal(true);
    const results = [store.credentials.consumeUse(c.id, T0 + 1), other.credentials.consumeUse(c.id, T0 + 2)];
    expect(results.filter((r) => r.consumed)).to.have.length(1);
    expect(results[1]).to.deep.equal({ consumed: false, reason: "uses-exhausted" });
    expect(other.credentials.usage(c.id)).to.deep.equal({ uses: 1, firstUsedAt: T0 + 1 });
  });

  it("lets exactly one of several threads win a one-time code redeemed at the same moment", async () => {
    const c = credential({ maxUses: 1 });
    store.credentials.insert(c, "583920");
    const parties = 3;
    const barrier = new SharedArrayBuffer(4);
    const outcomes = await Promise.all(
      Array.from({ length: parties }, () =>
        runStoreWorker<ConsumeOutcome>({
          action: "consume",
          storageDir: fixture.storageDir,
          credentialId: c.id,
          at: T0 + HOUR,
          barrier,
          parties,
        }),
      ),
    );
    expect(outcomes.filter((o) => o.consumed), JSON.stringify(outcomes)).to.have.length(1);
    expect(outcomes.filter((o) => !o.consumed && o.reason === "uses-exhausted")).to.have.length(parties - 1);
    expect(store.credentials.usage(c.id)?.uses).to.equal(1);
  });

  it("counts up to maxUses, then refuses", () => {
    const c = credential({ maxUses: 3 });
    store.credentials.insert(c, "583920");
    const outcomes = Array.from({ length: 5 }, (_, i) => store.credentials.consumeUse(c.id, T0 + i));
    expect(outcomes.map((o) => o.consumed)).to.deep.equal([true, true, true, false, false]);
    expect(store.credentials.usage(c.id)).to.deep.equal({ uses: 3, firstUsedAt: T0 });
  });

  it("refuses a use of a revoked or expired credential, and counts nothing", () => {
    const revoked = credential();
    const expiring = credential({ expiresAfterFirstUseMinutes: 15 });
    store.credentials.insert(revoked, "583920");
    store.credentials.insert(expiring, "771204");
    store.credentials.revoke(revoked.id, T0 + 1);
    expect(store.credentials.consumeUse(revoked.id, T0 + 2)).to.deep.equal({ consumed: false, reason: "revoked" });
    expect(store.credentials.consumeUse(expiring.id, T0 + DAY)).to.deep.equal({ consumed: false, reason: "expired" });
    expect(store.credentials.consumeUse(expiring.id, T0 + HOUR).consumed).to.equal(true);
    expect(store.credentials.consumeUse(expiring.id, T0 + HOUR + 15 * 60_000)).to.deep.equal({ consumed: false, reason: "expired" });
    expect(store.credentials.usage(revoked.id)).to.deep.equal({ uses: 0 });
    expect(store.credentials.usage(expiring.id)).to.deep.equal({ uses: 1, firstUsedAt: T0 + HOUR });
    expect(() => store.credentials.consumeUse(CredentialId("nope"), T0)).to.throw(NotFoundError);
  });

  describe("refundUse", () => {
    it("gives back a use whose unlock failed, clearing firstUsedAt when none is left", () => {
      const c = credential({ maxUses: 2, expiresAfterFirstUseMinutes: 15 });
      store.credentials.insert(c, "583920");
      store.credentials.consumeUse(c.id, T0 + HOUR);
      store.credentials.consumeUse(c.id, T0 + HOUR + 5 * 60_000);
      expect(store.credentials.refundUse(c.id)).to.deep.equal({ refunded: true, usage: { uses: 1, firstUsedAt: T0 + HOUR } });
      expect(store.credentials.refundUse(c.id)).to.deep.equal({ refunded: true, usage: { uses: 0 } });
      expect(store.credentials.refundUse(c.id)).to.deep.equal({ refunded: false, reason: "nothing-to-refund" });
      expect(store.credentials.consumeUse(c.id, T0 + 3 * HOUR).consumed, "the 15 minutes start again").to.equal(true);
    });

    it("keeps the use spent when the PIN was given to another live credential meanwhile", () => {
      const c = credential({ maxUses: 1 });
      store.credentials.insert(c, "583920");
      store.credentials.consumeUse(c.id, T0 + 1);
      store.credentials.insert(credential(), "583920");
      expect(store.credentials.refundUse(c.id)).to.deep.equal({ refunded: false, reason: "pin-reused" });
      expect(store.credentials.usage(c.id)).to.deep.equal({ uses: 1, firstUsedAt: T0 + 1 });
    });
  });
});
