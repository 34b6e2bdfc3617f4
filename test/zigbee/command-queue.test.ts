import { expect } from "chai";
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
      await new Promise((r) => setTimeout(r, 5));
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
  it("retries transient failures with the given delays, not the others", async () => {
    let calls = 0;
    const out = await withRetry(async () => { if (++calls < 3) throw new Error("transient"); return "ok"; }, [1, 1], () => true);
    expect([out, calls]).to.deep.equal(["ok", 3]);
    calls = 0;
    const err = await withRetry(async () => { calls++; throw new Error("no"); }, [1, 1], () => false).catch((e: Error) => e);
    expect([(err as Error).message, calls]).to.deep.equal(["no", 1]);
    calls = 0;
    await withRetry(async () => { calls++; throw new Error("t"); }, [1, 1], () => true).catch(() => undefined);
    expect(calls).to.equal(3);
  });
});
