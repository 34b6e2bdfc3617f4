import { expect } from "chai";
import { systemClock } from "../../src/access/clock.js";
import { settle, TestClock } from "../../src/access/test-clock.js";

/** What a settled promise did, read without waiting for it. */
async function outcome(p: Promise<unknown>): Promise<"resolved" | "rejected" | "pending"> {
  // A settled promise's handler runs before a marker queued after it; a pending one's never does.
  return Promise.race([p.then(() => "resolved" as const, () => "rejected" as const), settle().then(() => "pending" as const)]);
}

describe("access/TestClock", () => {
  it("resolves a delay only when time reaches it, and counts what is pending", async () => {
    const clock = new TestClock(1000);
    const d = clock.delay(500);
    expect(clock.pending).to.equal(1);
    clock.advance(499);
    expect(await outcome(d), "1 ms early").to.equal("pending");
    clock.advance(1);
    expect(await outcome(d), "due").to.equal("resolved");
    expect(clock.pending).to.equal(0);
    expect(clock.now()).to.equal(1500);
  });

  it("resolves the delays a jump passes in due order, each seeing its own due time", async () => {
    const clock = new TestClock(0);
    const seen: string[] = [];
    const order = [
      clock.delay(300).then(() => seen.push("c")),
      clock.delay(100).then(() => seen.push("a")),
      clock.delay(200).then(() => seen.push("b")),
      clock.delay(200).then(() => seen.push("b2")),
    ];
    clock.set(250);
    expect(clock.now()).to.equal(250);
    await Promise.all(order.slice(1));
    expect(seen).to.deep.equal(["a", "b", "b2"]);
    expect(clock.pending, "the 300 ms delay is still pending").to.equal(1);
    clock.set(new Date(300));
    await order[0];
    expect(seen).to.deep.equal(["a", "b", "b2", "c"]);
  });

  it("a zero or negative delay is already due; setting time back resolves nothing", async () => {
    const clock = new TestClock(5000);
    expect(await outcome(clock.delay(0))).to.equal("resolved");
    expect(await outcome(clock.delay(-10))).to.equal("resolved");
    const later = clock.delay(10);
    clock.set(100);
    expect(await outcome(later)).to.equal("pending");
    expect(clock.now()).to.equal(100);
  });

  it("an aborted delay rejects with the signal's reason and is no longer pending", async () => {
    const clock = new TestClock(0);
    const ac = new AbortController();
    const d = clock.delay(1000, { signal: ac.signal });
    const reason = new Error("stop now");
    ac.abort(reason);
    let caught: unknown;
    await d.catch((e: unknown) => (caught = e));
    expect(caught).to.equal(reason);
    expect(clock.pending).to.equal(0);
    const pre = new AbortController();
    pre.abort();
    let name = "";
    await clock.delay(10, { signal: pre.signal }).catch((e: unknown) => (name = (e as Error).name));
    expect(name).to.equal("AbortError");
  });

  it("elapse drives a loop that waits on the clock once per due time", async () => {
    const clock = new TestClock(0);
    const ticks: number[] = [];
    const ac = new AbortController();
    const loop = (async () => {
      for (;;) {
        await clock.delay(100, { signal: ac.signal });
        ticks.push(clock.now());
      }
    })().catch(() => undefined);
    await clock.elapse(350);
    expect(ticks).to.deep.equal([100, 200, 300]);
    expect(clock.now()).to.equal(350);
    ac.abort();
    await loop;
    expect(clock.pending).to.equal(0);
  });
});

describe("access/systemClock.delay", () => {
  it("waits on a real timer, and an abort rejects at once with the reason and clears the timer", async () => {
    const t0 = Date.now();
    await systemClock.delay(20);
    expect(Date.now() - t0).to.be.at.least(19);
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const before = timers();
    const ac = new AbortController();
    const d = systemClock.delay(60_000, { signal: ac.signal });
    expect(timers(), "the delay holds a timer").to.equal(before + 1);
    const reason = new Error("stopped");
    ac.abort(reason);
    let caught: unknown;
    await d.catch((e: unknown) => (caught = e));
    expect(caught).to.equal(reason);
    expect(timers(), "no timer left behind").to.equal(before);
    const pre = new AbortController();
    pre.abort();
    let name = "";
    await systemClock.delay(10, { signal: pre.signal }).catch((e: unknown) => (name = (e as Error).name));
    expect(name).to.equal("AbortError");
  });

  it("waits past setTimeout's 24.8-day limit instead of firing at once", async () => {
    const ac = new AbortController();
    const d = systemClock.delay(30 * 86_400_000, { signal: ac.signal });
    d.catch(() => undefined);
    // A plain setTimeout of 30 days would fire after 1 ms; give it far longer than that to (wrongly) do so.
    await new Promise<void>((r) => setTimeout(r, 20));
    expect(await outcome(d)).to.equal("pending");
    ac.abort();
    expect(await outcome(d)).to.equal("rejected");
  });
});
