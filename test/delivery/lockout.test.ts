import { expect } from "chai";
import { TestClock } from "../../src/access/test-clock.js";
import { LockoutCounter } from "../../src/delivery/lockout.js";
import { OWNER, T0, harness, type Harness } from "./harness.js";

describe("delivery: lockout counter", () => {
  it("locks a key out at the Nth failure within the window and frees it as the oldest slides out", () => {
    const clock = new TestClock(T0);
    const c = new LockoutCounter(clock, { attempts: 3, windowMs: 60_000 });
    expect(c.recordFailure(["k"])).to.deep.equal([]);
    clock.advance(10_000);
    c.recordFailure(["k"]);
    clock.advance(10_000);
    expect(c.recordFailure(["k"])).to.deep.equal(["k"]);
    expect(c.status("k")).to.deep.equal({ lockedOut: true, retryAfterMs: 40_000 });
    clock.advance(39_999);
    expect(c.status("k").lockedOut).to.equal(true);
    clock.advance(1);
    expect(c.status("k")).to.deep.equal({ lockedOut: false });
    expect(c.status("other")).to.deep.equal({ lockedOut: false });
  });

  it("takes the longest wait over several keys, and refuses a nonsensical configuration", () => {
    const clock = new TestClock(T0);
    const c = new LockoutCounter(clock, { attempts: 1, windowMs: 1_000 });
    c.recordFailure(["a"]);
    clock.advance(500);
    c.recordFailure(["b"]);
    expect(c.statusOf(["a", "b"])).to.deep.equal({ lockedOut: true, retryAfterMs: 1_000 });
    expect(() => new LockoutCounter(clock, { attempts: 0, windowMs: 1 })).to.throw(RangeError);
    expect(() => new LockoutCounter(clock, { attempts: 1, windowMs: 0 })).to.throw(RangeError);
  });
});

describe("delivery: wrong-PIN lockout per door and per source", function () {
  let h: Harness;
  afterEach(async () => {
    await h?.cleanup();
  });

  const WRONG = ["11112222", "22223333", "33334444", "44445555", "55556666", "66667777"];

  it("after 5 wrong PINs at a door, even the right PIN is answered locked-out with retryAfter, and both are audited", async () => {
    h = await harness();
    const { pin } = h.credential({});
    for (let i = 0; i < 5; i++) {
      h.clock.advance(60_000);
      const o = await h.service.redeem({ doorId: "front", pin: WRONG[i]!, actor: OWNER, source: `10.0.0.${i}` });
      expect(o).to.include({ outcome: "denied", reason: "unknown-credential" });
    }
    const locked = await h.service.redeem({ doorId: "front", pin, actor: OWNER, source: "10.9.9.9" });
    // The first wrong PIN was 4 min ago (at +1 min; now is +5 min): it leaves the 15 min window in 11 min.
    expect(locked).to.deep.include({ outcome: "locked-out", reason: "locked-out", retryAfterSeconds: 660 });
    expect(h.doors.front!.lock.unlocks).to.equal(0);
    const audit = h.store.audit.list({ limit: 100 });
    expect(audit.filter((e) => e.type === "access.denied" && e.details["reason"] === "unknown-credential")).to.have.length(5);
    const lockout = audit.filter((e) => e.type === "access.lockout");
    expect(lockout).to.have.length(1);
    expect(lockout[0]!.details["scope"]).to.deep.equal(["door"]);
    expect(audit.at(-1)!.details).to.include({ reason: "locked-out", retryAfterSeconds: 660 });
    for (const w of WRONG) expect(JSON.stringify(audit)).to.not.include(w);

    await h.scheduler.advance(659_000);
    expect((await h.service.redeem({ doorId: "front", pin, actor: OWNER, source: "10.9.9.9" })).outcome).to.equal("locked-out");
    await h.scheduler.advance(1_000);
    expect((await h.service.redeem({ doorId: "front", pin, actor: OWNER, source: "10.9.9.9" })).outcome).to.equal("unlocked");
  });

  it("a code of another door counts as a wrong PIN here, so guessing across doors learns nothing for free", async () => {
    h = await harness({ doors: [{ id: "front", camera: true }, { id: "back", camera: true }] });
    const { pin: backPin } = h.credential({ doors: ["back"], maxUses: 5 });
    for (let i = 0; i < 5; i++) {
      const o = await h.service.redeem({ doorId: "front", pin: backPin, actor: OWNER, source: `10.1.0.${i}` });
      expect(o).to.include({ outcome: "denied", reason: "wrong-door" });
    }
    const { pin: frontPin } = h.credential({ doors: ["front"] });
    expect(await h.service.redeem({ doorId: "front", pin: frontPin, actor: OWNER, source: "10.9.9.9" })).to.include({ outcome: "locked-out" });
    expect(h.doors.front!.lock.unlocks).to.equal(0);
  });

  it("a source that guesses across doors is locked out everywhere, while other sources and doors still work", async () => {
    h = await harness({ doors: [{ id: "front", camera: true }, { id: "back", camera: true }, { id: "side", camera: true }] });
    const { pin } = h.credential({ doors: ["front", "back", "side"], maxUses: 5 });
    const doors = ["front", "back", "side", "front", "back"];
    for (let i = 0; i < 5; i++) await h.service.redeem({ doorId: doors[i]!, pin: WRONG[i]!, actor: OWNER, source: "203.0.113.7" });
    const fromGuesser = await h.service.redeem({ doorId: "side", pin, actor: OWNER, source: "203.0.113.7" });
    expect(fromGuesser).to.include({ outcome: "locked-out" });
    expect((fromGuesser as { retryAfterSeconds: number }).retryAfterSeconds).to.equal(900);
    const fromCourier = await h.service.redeem({ doorId: "side", pin, actor: OWNER, source: "198.51.100.1" });
    expect(fromCourier.outcome, "no door has 5 failures, and the courier's source has none").to.equal("unlocked");
    const lockout = h.store.audit.list({ limit: 100 }).filter((e) => e.type === "access.lockout");
    expect(lockout.map((e) => e.details["scope"])).to.deep.equal([["source"]]);
  });
});
