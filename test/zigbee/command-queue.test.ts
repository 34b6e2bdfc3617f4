import { expect } from "chai";
import { TestClock, settle } from "../../src/access/test-clock.js";
import { CommandQueue, withRetry } from "../../src/zigbee/command-queue.js";

describe("CommandQueue", () => {
  it("runs one command at a time, user operations before queued programming", async () => {
    const q = new CommandQueue();
    const order: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const job = (name: string) => async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await settle(); // gives a queue that let another job start the turns to do so
      order.push(name);
      inFlight--;
    };
    const all = [q.run("low", job("pin1")), q.run("low", job("pin2")), q.run("high", job("unlock")), q.run("low", job("pin3"))];
    await Promise.all(all);
    expect(maxInFlight).to.equal(1);
    expect(order).to.deep.equal(["pin1", "unlock", "pin2", "pin3"]);
  });

  it("keeps going after a failed command", async () => {
    const q = new CommandQueue();
    const failed = q.run("low", async () => { throw new Error("boom"); });
    const ok = q.run("low", async () => 42);
    await failed.then(() => expect.fail("should reject"), (e: Error) => expect(e.message).to.equal("boom"));
    expect(await ok).to.equal(42);
    expect(q.size).to.equal(0);
  });
});

describe("withRetry", () => {
  it("waits the given delays on the clock between attempts of a transient failure", async () => {
    const clock = new TestClock(0);
    const attemptsAt: number[] = [];
    const out = withRetry(async (n) => {
      attemptsAt.push(clock.now());
      if (n < 2) throw new Error("transient");
      return "ok";
    }, [1000, 3000], () => true, { clock });
    await clock.elapse(10_000);
    expect(await out).to.equal("ok");
    expect(attemptsAt).to.deep.equal([0, 1000, 4000]);
  });

  it("gives up at once on an error that is not transient, and with the last error when the delays run out", async () => {
    const clock = new TestClock(0);
    let calls = 0;
    const err = await withRetry(async () => { calls++; throw new Error("no"); }, [1000, 1000], () => false, { clock }).catch((e: Error) => e);
    expect([(err as Error).message, calls, clock.pending]).to.deep.equal(["no", 1, 0]);
    calls = 0;
    const last = withRetry(async () => { throw new Error(`t${++calls}`); }, [1000, 1000], () => true, { clock }).catch((e: Error) => e.message);
    await clock.elapse(2000);
    expect([await last, calls]).to.deep.equal(["t3", 3]);
  });

  it("stops waiting when aborted and rejects with the failure it was retrying", async () => {
    const clock = new TestClock(0);
    const abort = new AbortController();
    const out = withRetry(async () => { throw new Error("lost frame"); }, [60_000], () => true, { clock, signal: abort.signal }).catch((e: Error) => e.message);
    await settle();
    expect(clock.pending).to.equal(1);
    abort.abort();
    expect(await out).to.equal("lost frame");
    expect(clock.pending).to.equal(0);
  });
});
