// The lockout → keypad rule (src/delivery/keypad-lockout.ts) on the delivery harness's lock double: what happens when
// the lock refuses, or has no way, to turn its keypad off. (The working path runs end to end against the emulated
// lock in test/e2e/keypad-lockout-e2e.long.test.ts.)
import { expect } from "chai";
import { OWNER, harness, type Harness } from "./harness.js";

const WRONG = ["11112222", "22223333", "33334444", "44445555", "55556666"];

describe("delivery: a wrong-PIN lockout turns the keypad off, or says why it cannot", function () {
  let h: Harness;
  afterEach(async () => {
    await h?.cleanup();
  });

  const lockOut = async () => {
    for (const pin of WRONG) await h.service.redeem({ doorId: "front", pin, actor: OWNER, source: "10.0.0.1" });
  };
  const alerts = () => h.emitted.filter((e) => e.name === "alert").map((e) => (e.payload as { message: string }).message);

  it("a lock with no way to turn its keypad off: the lockout raises an alert saying the keypad still opens", async () => {
    h = await harness();
    await lockOut();
    await h.scheduler.advance(0);
    expect(alerts().some((m) => m.includes("cannot turn its keypad off"))).to.equal(true);
  });

  it("a lock that refuses: alert, retried until it takes it, and turned on again when the lockout ends", async () => {
    const calls: boolean[] = [];
    let refuse = 1;
    h = await harness({
      before: (doors) => {
        Object.assign(doors["front"]!.lock, {
          async setKeypadEnabled(enabled: boolean) {
            calls.push(enabled);
            if (!enabled && refuse-- > 0) throw new Error("ZCL status 0x87 INVALID_VALUE");
          },
        });
      },
    });
    await h.scheduler.advance(0);
    expect(calls, "at start the keypad is set on (no lockout)").to.deep.equal([true]);
    await lockOut();
    await h.scheduler.advance(0);
    expect(calls).to.deep.equal([true, false]);
    expect(alerts().some((m) => m.includes("did not turn its keypad off") && m.includes("INVALID_VALUE"))).to.equal(true);
    await h.scheduler.advance(30_000);
    expect(calls, "retried").to.deep.equal([true, false, false]);
    expect(h.auditTypes()).to.include("door.keypad");
    await h.scheduler.advance(15 * 60_000);
    expect(calls, "on again once the window has passed").to.deep.equal([true, false, false, true]);
  });
});
